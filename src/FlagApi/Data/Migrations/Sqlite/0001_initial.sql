-- 0001: flagged entries, their append-only history and the change log that numbers list versions.
CREATE TABLE list_state (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO list_state (id, version) VALUES (1, 0);

CREATE TABLE entries (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    display TEXT NOT NULL,
    category TEXT NOT NULL,
    risk TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    expires_at TEXT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_entries_kind_value ON entries (kind, value);
CREATE INDEX ix_entries_status ON entries (status);

CREATE TABLE entry_history (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES entries (id),
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NULL,
    before TEXT NULL,
    after TEXT NOT NULL
);
CREATE INDEX ix_entry_history_entry_id ON entry_history (entry_id);

CREATE TABLE change_log (
    version INTEGER NOT NULL PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES entries (id),
    op TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    category TEXT NOT NULL,
    risk TEXT NOT NULL,
    status TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX ix_change_log_entry_id ON change_log (entry_id);
