-- 0005: appeals against a flag. An appeal names the entry it contests; its every state change is an
-- appeal_events row (who, when, why; what the appellant may see apart from what only reviewers see);
-- small attachments are kept with it. Secrets (the appellant's access token) are stored only as hashes.
-- On SQL Server the contested value is nvarchar(max) and the indexes PostgreSQL keys on it are keyed on value_hash (as in
-- 0001); the partial unique index is a filtered one. Attachments are varbinary(max).
CREATE TABLE appeals (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    tracking_code nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    token_hash nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    entry_id bigint NOT NULL REFERENCES entries (id),
    kind nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value_hash AS CAST(HASHBYTES('SHA2_256', value) AS binary(32)) PERSISTED,
    query nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    appellant_name nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    appellant_contact nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    contact_hash nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    statement nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    evidence nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    status nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at datetime2(7) NOT NULL,
    due_by datetime2(7) NOT NULL,
    assigned_to nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL,
    decided_at datetime2(7) NULL,
    decided_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL,
    decision_reason nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    verification nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL,
    verification_note nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    revision bigint NOT NULL
);
CREATE UNIQUE INDEX ux_appeals_tracking_code ON appeals (tracking_code);
CREATE INDEX ix_appeals_entry_id ON appeals (entry_id);
CREATE INDEX ix_appeals_status_due_by ON appeals (status, due_by);
CREATE INDEX ix_appeals_kind_value_contact ON appeals (kind, value_hash, contact_hash);
-- One open appeal per identifier and appellant contact, even when two arrive at the same instant.
CREATE UNIQUE INDEX ux_appeals_open_per_contact ON appeals (kind, value_hash, contact_hash)
    WHERE status IN (N'submitted', N'in_review', N'needs_info');

CREATE TABLE appeal_events (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    appeal_id bigint NOT NULL REFERENCES appeals (id),
    at datetime2(7) NOT NULL,
    actor nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    action nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    from_status nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL,
    to_status nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    public_message nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    internal_note nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL
);
CREATE INDEX ix_appeal_events_appeal_id ON appeal_events (appeal_id);

CREATE TABLE appeal_attachments (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    appeal_id bigint NOT NULL REFERENCES appeals (id),
    file_name nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    content_type nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    size bigint NOT NULL,
    sha256 nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    content varbinary(max) NOT NULL,
    created_at datetime2(7) NOT NULL
);
CREATE INDEX ix_appeal_attachments_appeal_id ON appeal_attachments (appeal_id);
