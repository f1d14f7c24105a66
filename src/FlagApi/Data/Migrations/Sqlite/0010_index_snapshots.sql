-- 0010: the list index as an instance saved it to its snapshot file, published so that an instance without a usable
-- file of its own (a new instance of a scaled-out deployment, a lost file) reads it instead of every entry
-- (Lookup/PublishedIndexSnapshots.cs). The anchor columns are the file header's; sha256 is the hash the file ends with.
-- The content is split into chunks (Lookup/PublishedIndexSnapshots.cs: ChunkSize), written a few MiB per transaction so
-- that writers are not held up for the whole of it; readers take only a snapshot whose completed_at_ticks is set,
-- which its publisher does last.
CREATE TABLE index_snapshots (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    list_version INTEGER NOT NULL,
    change_entry_id INTEGER NOT NULL,
    change_at_ticks INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    vocabulary INTEGER NOT NULL,
    size INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    claimed_at_ticks INTEGER NOT NULL,
    completed_at_ticks INTEGER NULL
);
CREATE UNIQUE INDEX ux_index_snapshots_anchor ON index_snapshots (list_version, schema_version, vocabulary);

CREATE TABLE index_snapshot_chunks (
    snapshot_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (snapshot_id, seq)
);
