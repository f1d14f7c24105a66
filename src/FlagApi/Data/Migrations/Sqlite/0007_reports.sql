-- 0007: community reports. One row per identifier and reporter (a hash: of the app key and the user id
-- it forwards, or of the client address), so a reporter who repeats a report is still one reporter.
CREATE TABLE reports (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    query TEXT NOT NULL,
    category TEXT NULL,
    description TEXT NOT NULL,
    occurred_at TEXT NULL,
    evidence TEXT NULL,
    reporter_hash TEXT NOT NULL,
    reporter_type TEXT NOT NULL,
    network_hash TEXT NOT NULL,
    times INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_at TEXT NULL,
    decided_by TEXT NULL,
    decision_reason TEXT NULL,
    entry_id INTEGER NULL REFERENCES entries (id)
);
CREATE UNIQUE INDEX ux_reports_kind_value_reporter ON reports (kind, value, reporter_hash);
CREATE INDEX ix_reports_status_kind_value ON reports (status, kind, value);
CREATE INDEX ix_reports_last_at ON reports (last_at);
