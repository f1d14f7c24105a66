-- 0006: the transparency figures count entries by category; without an index that reads every entry.
CREATE INDEX ix_entries_category ON entries (category);
