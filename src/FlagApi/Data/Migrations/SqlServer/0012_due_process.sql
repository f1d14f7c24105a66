-- 0012: due process (issue 23). What a flag tells the person it affects, who is told what about an appeal, and who
-- asked to be told when an identifier they own is flagged. Each part below belongs to one feature.
-- On SQL Server a column added NOT NULL names its default constraint (DF_appeals_language), so that a later migration can
-- drop it by name; the watched value is nvarchar(max) and its indexes are keyed on value_hash (as in 0001); the partial
-- unique index is a filtered one. No statement here reads a column added here, so the script is one batch.

-- The reason and the contact a publisher gives for a list (the notice every flagged lookup carries).
ALTER TABLE lists ADD notice_reason nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL;
ALTER TABLE lists ADD notice_contact nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL;

-- The language an appeal was filed in (its notifications are written in it), and the date from which the appellant
-- says they hold a reissued number ("new owner since"); appeals filed before this migration were filed in Chinese.
ALTER TABLE appeals ADD language nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT DF_appeals_language DEFAULT N'zh';
ALTER TABLE appeals ADD owner_since date NULL;

-- A decision's answer to the appellant beyond its reason: after a rejection, what would change it; after a verified new
-- owner's approval, the date older sources were removed from and how many newer sources still flag the entry.
ALTER TABLE appeals ADD what_would_change nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL;
ALTER TABLE appeals ADD verified_owner_since date NULL;
ALTER TABLE appeals ADD sources_kept int NULL;

-- The outbox: a message to send, written in the transaction of the event that causes it, delivered by the sender.
CREATE TABLE notifications (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    channel nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    recipient nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    language nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    template nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    subject nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    body nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    subject_type nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    subject_id nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    message_id nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at datetime2(7) NOT NULL,
    status nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    attempts int NOT NULL,
    next_attempt_at datetime2(7) NOT NULL,
    claimed_until datetime2(7) NULL,
    last_error nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    sent_at datetime2(7) NULL
);
CREATE INDEX ix_notifications_status_next ON notifications (status, next_attempt_at);
CREATE INDEX ix_notifications_subject ON notifications (subject_type, subject_id);

-- An owner's watch on an identifier: confirmed by a code sent to the address, and (for ownership) by a reviewer.
CREATE TABLE watches (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    kind nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value_hash AS CAST(HASHBYTES('SHA2_256', value) AS binary(32)) PERSISTED,
    query nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    email nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    email_hash nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    language nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    status nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    token_hash nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    code_hash nvarchar(128) COLLATE Latin1_General_100_BIN2 NULL,
    code_expires_at datetime2(7) NULL,
    code_attempts int NOT NULL,
    statement nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    verification nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL,
    verified_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL,
    verified_at datetime2(7) NULL,
    decision_reason nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    created_at datetime2(7) NOT NULL,
    ended_at datetime2(7) NULL,
    revision bigint NOT NULL
);
CREATE INDEX ix_watches_kind_value ON watches (kind, value_hash);
CREATE UNIQUE INDEX ux_watches_open_per_email ON watches (kind, value_hash, email_hash) WHERE status <> N'ended';

-- How far a reader of the change log (the watch notifier) has read, so that it resumes where it stopped.
CREATE TABLE change_log_readers (
    name nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    version bigint NOT NULL
);
