-- 0001: flagged entries, their append-only history and the change log that numbers list versions.
-- On SQL Server every text column is nvarchar with the binary collation Latin1_General_100_BIN2, so that values compare and
-- sort by code unit whatever the database's default collation is (as SQLite's BINARY and PostgreSQL's "C" do). An
-- identifier's value is nvarchar(max): a canonical URL can reach 4,096 characters, beyond the 1,700 bytes an index key may
-- hold. An index that PostgreSQL keys on value is keyed here on value_hash, a persisted SHA-256 of the value (computed by
-- SQL Server, never written by the application); a unique index on it stays unique on the value.
CREATE TABLE list_state (
    id int NOT NULL PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO list_state (id, version) VALUES (1, 0);

CREATE TABLE entries (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    kind nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value_hash AS CAST(HASHBYTES('SHA2_256', value) AS binary(32)) PERSISTED,
    display nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    category nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    risk nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    status nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    source nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    first_seen datetime2(7) NOT NULL,
    last_seen datetime2(7) NOT NULL,
    expires_at datetime2(7) NULL,
    version bigint NOT NULL
);
CREATE UNIQUE INDEX ux_entries_kind_value ON entries (kind, value_hash);
CREATE INDEX ix_entries_status ON entries (status);

CREATE TABLE entry_history (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    entry_id bigint NOT NULL REFERENCES entries (id),
    version bigint NOT NULL,
    at datetime2(7) NOT NULL,
    actor nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    action nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reason nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    before nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    after nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL
);
CREATE INDEX ix_entry_history_entry_id ON entry_history (entry_id);

CREATE TABLE change_log (
    version bigint NOT NULL PRIMARY KEY,
    entry_id bigint NOT NULL REFERENCES entries (id),
    op nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    kind nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    category nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    risk nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    status nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    at datetime2(7) NOT NULL
);
CREATE INDEX ix_change_log_entry_id ON change_log (entry_id);
