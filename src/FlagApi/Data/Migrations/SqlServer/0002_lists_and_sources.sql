-- 0002: an entry can be flagged by several published lists (and later by accepted reports), so the
-- single free-text source of 0001 becomes rows of entry_sources, and lists get a record of their own.
-- On SQL Server the copy and the drop of entries.source run in a batch after the one that creates entry_sources (a line
-- GO between them), so that the batch that reads the new table is compiled once the table exists.
CREATE TABLE lists (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    agency nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reference nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    title nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL,
    origin nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    content_sha256 nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    entry_count int NOT NULL,
    published_at datetime2(7) NOT NULL,
    published_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    version bigint NOT NULL
);
CREATE UNIQUE INDEX ux_lists_agency_reference ON lists (agency, reference);

CREATE TABLE entry_sources (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    entry_id bigint NOT NULL REFERENCES entries (id),
    list_id bigint NULL REFERENCES lists (id),
    source_type nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    label nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    note nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    added_at datetime2(7) NOT NULL,
    removed_at datetime2(7) NULL
);
CREATE INDEX ix_entry_sources_entry_id ON entry_sources (entry_id);
CREATE INDEX ix_entry_sources_list_id ON entry_sources (list_id);
GO

INSERT INTO entry_sources (entry_id, list_id, source_type, label, note, added_at)
SELECT id, NULL, N'legacy', source, NULL, first_seen FROM entries;

ALTER TABLE entries DROP COLUMN source;
