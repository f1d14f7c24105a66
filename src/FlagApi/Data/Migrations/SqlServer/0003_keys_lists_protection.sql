-- 0003: API keys, the audit log of every write, lists as a public record (publication date, the
-- first result for idempotent re-sends, retraction), what each list said about each entry, and the
-- allowlist of protected identifiers with the admins' per-entry overrides.
-- On SQL Server the protected and overridden values are nvarchar(max) and their indexes are keyed on value_hash, as in 0001.
CREATE TABLE api_keys (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    name nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    role nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    agency nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL,
    tier nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL,
    prefix nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    key_hash nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at datetime2(7) NOT NULL,
    created_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    revoked_at datetime2(7) NULL,
    revoked_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL
);
CREATE UNIQUE INDEX ux_api_keys_key_hash ON api_keys (key_hash);

CREATE TABLE audit_log (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    at datetime2(7) NOT NULL,
    actor nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    action nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    subject_type nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    subject_id nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    detail nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL
);
CREATE INDEX ix_audit_log_subject ON audit_log (subject_type, subject_id);

ALTER TABLE lists ADD published_on date NULL;
ALTER TABLE lists ADD result nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL;
ALTER TABLE lists ADD retracted_at datetime2(7) NULL;
ALTER TABLE lists ADD retracted_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL;
ALTER TABLE lists ADD retraction_reason nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL;
ALTER TABLE lists ADD retraction_version bigint NULL;

ALTER TABLE entry_sources ADD display nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL;
ALTER TABLE entry_sources ADD category nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL;
ALTER TABLE entry_sources ADD risk nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL;
ALTER TABLE entry_sources ADD expires_at datetime2(7) NULL;

CREATE TABLE protected_identifiers (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    kind nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value_hash AS CAST(HASHBYTES('SHA2_256', value) AS binary(32)) PERSISTED,
    display nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reason nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at datetime2(7) NOT NULL,
    created_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    removed_at datetime2(7) NULL,
    removed_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL
);
CREATE INDEX ix_protected_identifiers_kind_value ON protected_identifiers (kind, value_hash);

CREATE TABLE protection_overrides (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    kind nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value_hash AS CAST(HASHBYTES('SHA2_256', value) AS binary(32)) PERSISTED,
    reason nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at datetime2(7) NOT NULL,
    created_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    removed_at datetime2(7) NULL,
    removed_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL
);
CREATE INDEX ix_protection_overrides_kind_value ON protection_overrides (kind, value_hash);
