-- 0002: an entry can be flagged by several published lists (and later by accepted reports), so the
-- single free-text source of 0001 becomes rows of entry_sources, and lists get a record of their own.
CREATE TABLE lists (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    agency TEXT NOT NULL,
    reference TEXT NOT NULL,
    title TEXT NULL,
    origin TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    entry_count INTEGER NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_lists_agency_reference ON lists (agency, reference);

CREATE TABLE entry_sources (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES entries (id),
    list_id INTEGER NULL REFERENCES lists (id),
    source_type TEXT NOT NULL,
    label TEXT NOT NULL,
    note TEXT NULL,
    added_at TEXT NOT NULL,
    removed_at TEXT NULL
);
CREATE INDEX ix_entry_sources_entry_id ON entry_sources (entry_id);
CREATE INDEX ix_entry_sources_list_id ON entry_sources (list_id);

INSERT INTO entry_sources (entry_id, list_id, source_type, label, note, added_at)
SELECT id, NULL, 'legacy', source, NULL, first_seen FROM entries;

ALTER TABLE entries DROP COLUMN source;
