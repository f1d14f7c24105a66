-- 0006: the transparency figures count entries by category; without an index that reads every entry.
-- The same index on SQL Server.
CREATE INDEX ix_entries_category ON entries (category);
