-- 0005: appeals against a flag. An appeal names the entry it contests; its every state change is an
-- appeal_events row (who, when, why; what the appellant may see apart from what only reviewers see);
-- small attachments are kept with it. Secrets (the appellant's access token) are stored only as hashes.
CREATE TABLE appeals (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tracking_code TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES entries (id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    query TEXT NOT NULL,
    appellant_name TEXT NOT NULL,
    appellant_contact TEXT NOT NULL,
    contact_hash TEXT NOT NULL,
    statement TEXT NOT NULL,
    evidence TEXT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    due_by TEXT NOT NULL,
    assigned_to TEXT NULL,
    decided_at TEXT NULL,
    decided_by TEXT NULL,
    decision_reason TEXT NULL,
    verification TEXT NULL,
    verification_note TEXT NULL,
    revision INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_appeals_tracking_code ON appeals (tracking_code);
CREATE INDEX ix_appeals_entry_id ON appeals (entry_id);
CREATE INDEX ix_appeals_status_due_by ON appeals (status, due_by);
CREATE INDEX ix_appeals_kind_value_contact ON appeals (kind, value, contact_hash);
-- One open appeal per identifier and appellant contact, even when two arrive at the same instant.
CREATE UNIQUE INDEX ux_appeals_open_per_contact ON appeals (kind, value, contact_hash)
    WHERE status IN ('submitted', 'in_review', 'needs_info');

CREATE TABLE appeal_events (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    appeal_id INTEGER NOT NULL REFERENCES appeals (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT NULL,
    to_status TEXT NOT NULL,
    public_message TEXT NULL,
    internal_note TEXT NULL
);
CREATE INDEX ix_appeal_events_appeal_id ON appeal_events (appeal_id);

CREATE TABLE appeal_attachments (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    appeal_id INTEGER NOT NULL REFERENCES appeals (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_appeal_attachments_appeal_id ON appeal_attachments (appeal_id);
