-- 0012: due process (issue 23). What a flag tells the person it affects, who is told what about an appeal, and who
-- asked to be told when an identifier they own is flagged. Each part below belongs to one feature.

-- The reason and the contact a publisher gives for a list (the notice every flagged lookup carries).
ALTER TABLE lists ADD COLUMN notice_reason TEXT NULL;
ALTER TABLE lists ADD COLUMN notice_contact TEXT NULL;

-- The language an appeal was filed in (its notifications are written in it), and the date from which the appellant
-- says they hold a reissued number ("new owner since"); appeals filed before this migration were filed in Chinese.
ALTER TABLE appeals ADD COLUMN language TEXT NOT NULL DEFAULT 'zh';
ALTER TABLE appeals ADD COLUMN owner_since TEXT NULL;

-- A decision's answer to the appellant beyond its reason: after a rejection, what would change it; after a verified new
-- owner's approval, the date older sources were removed from and how many newer sources still flag the entry.
ALTER TABLE appeals ADD COLUMN what_would_change TEXT NULL;
ALTER TABLE appeals ADD COLUMN verified_owner_since TEXT NULL;
ALTER TABLE appeals ADD COLUMN sources_kept INTEGER NULL;

-- The outbox: a message to send, written in the transaction of the event that causes it, delivered by the sender.
CREATE TABLE notifications (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    language TEXT NOT NULL,
    template TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT NULL,
    last_error TEXT NULL,
    sent_at TEXT NULL
);
CREATE INDEX ix_notifications_status_next ON notifications (status, next_attempt_at);
CREATE INDEX ix_notifications_subject ON notifications (subject_type, subject_id);

-- An owner's watch on an identifier: confirmed by a code sent to the address, and (for ownership) by a reviewer.
CREATE TABLE watches (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    query TEXT NOT NULL,
    email TEXT NOT NULL,
    email_hash TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    code_hash TEXT NULL,
    code_expires_at TEXT NULL,
    code_attempts INTEGER NOT NULL,
    statement TEXT NULL,
    verification TEXT NULL,
    verified_by TEXT NULL,
    verified_at TEXT NULL,
    decision_reason TEXT NULL,
    created_at TEXT NOT NULL,
    ended_at TEXT NULL,
    revision INTEGER NOT NULL
);
CREATE INDEX ix_watches_kind_value ON watches (kind, value);
CREATE UNIQUE INDEX ux_watches_open_per_email ON watches (kind, value, email_hash) WHERE status <> 'ended';

-- How far a reader of the change log (the watch notifier) has read, so that it resumes where it stopped.
CREATE TABLE change_log_readers (
    name TEXT NOT NULL PRIMARY KEY,
    version INTEGER NOT NULL
);
