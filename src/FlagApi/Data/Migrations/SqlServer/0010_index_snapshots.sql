-- 0010: the list index as an instance saved it to its snapshot file, published so that an instance without a usable
-- file of its own (a new instance of a scaled-out deployment, a lost file) reads it instead of every entry
-- (Lookup/PublishedIndexSnapshots.cs). The anchor columns are the file header's; sha256 is the hash the file ends with.
-- The content is split into chunks (Lookup/PublishedIndexSnapshots.cs: ChunkSize), written a few MiB per transaction so
-- that a publication holds no transaction open for minutes; readers take only a snapshot whose completed_at_ticks is
-- set, which its publisher does last.
CREATE TABLE index_snapshots (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    list_version bigint NOT NULL,
    change_entry_id bigint NOT NULL,
    change_at_ticks bigint NOT NULL,
    schema_version int NOT NULL,
    vocabulary bigint NOT NULL,
    size bigint NOT NULL,
    chunk_count int NOT NULL,
    sha256 varbinary(max) NOT NULL,
    claimed_at_ticks bigint NOT NULL,
    completed_at_ticks bigint NULL
);
CREATE UNIQUE INDEX ux_index_snapshots_anchor ON index_snapshots (list_version, schema_version, vocabulary);

-- PostgreSQL keeps each 8,000-byte chunk in its row (SET STORAGE PLAIN) rather than in TOAST pieces put together again on
-- every read. SQL Server needs no such setting: a varbinary(max) value is kept in the row when the row fits in a page
-- ('large value types out of row' is off by default) and is never compressed unless asked, so a chunk is read as it is.
CREATE TABLE index_snapshot_chunks (
    snapshot_id bigint NOT NULL,
    seq int NOT NULL,
    data varbinary(max) NOT NULL,
    PRIMARY KEY (snapshot_id, seq)
);
