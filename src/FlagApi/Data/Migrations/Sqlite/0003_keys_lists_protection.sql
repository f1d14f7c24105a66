-- 0003: API keys, the audit log of every write, lists as a public record (publication date, the
-- first result for idempotent re-sends, retraction), what each list said about each entry, and the
-- allowlist of protected identifiers with the admins' per-entry overrides.
CREATE TABLE api_keys (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency TEXT NULL,
    tier TEXT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT NULL,
    revoked_by TEXT NULL
);
CREATE UNIQUE INDEX ux_api_keys_key_hash ON api_keys (key_hash);

CREATE TABLE audit_log (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    detail TEXT NULL
);
CREATE INDEX ix_audit_log_subject ON audit_log (subject_type, subject_id);

ALTER TABLE lists ADD COLUMN published_on TEXT NULL;
ALTER TABLE lists ADD COLUMN result TEXT NULL;
ALTER TABLE lists ADD COLUMN retracted_at TEXT NULL;
ALTER TABLE lists ADD COLUMN retracted_by TEXT NULL;
ALTER TABLE lists ADD COLUMN retraction_reason TEXT NULL;
ALTER TABLE lists ADD COLUMN retraction_version INTEGER NULL;

ALTER TABLE entry_sources ADD COLUMN display TEXT NULL;
ALTER TABLE entry_sources ADD COLUMN category TEXT NULL;
ALTER TABLE entry_sources ADD COLUMN risk TEXT NULL;
ALTER TABLE entry_sources ADD COLUMN expires_at TEXT NULL;

CREATE TABLE protected_identifiers (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    display TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT NULL,
    removed_by TEXT NULL
);
CREATE INDEX ix_protected_identifiers_kind_value ON protected_identifiers (kind, value);

CREATE TABLE protection_overrides (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT NULL,
    removed_by TEXT NULL
);
CREATE INDEX ix_protection_overrides_kind_value ON protection_overrides (kind, value);
