-- 0007: community reports. One row per identifier and reporter (a hash: of the app key and the user id
-- it forwards, or of the client address), so a reporter who repeats a report is still one reporter.
-- On SQL Server the reported value is nvarchar(max) and the indexes PostgreSQL keys on it are keyed on value_hash (as in
-- 0001); one reporter per identifier stays unique. times is an int, as the model's Report.Times is: PostgreSQL's driver
-- reads a bigint into an int, SqlClient refuses to (InvalidCastException on every read of a report).
CREATE TABLE reports (
    id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
    kind nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value_hash AS CAST(HASHBYTES('SHA2_256', value) AS binary(32)) PERSISTED,
    query nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    category nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL,
    description nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
    occurred_at datetime2(7) NULL,
    evidence nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    reporter_hash nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reporter_type nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    network_hash nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    times int NOT NULL,
    created_at datetime2(7) NOT NULL,
    last_at datetime2(7) NOT NULL,
    status nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    decided_at datetime2(7) NULL,
    decided_by nvarchar(400) COLLATE Latin1_General_100_BIN2 NULL,
    decision_reason nvarchar(max) COLLATE Latin1_General_100_BIN2 NULL,
    entry_id bigint NULL REFERENCES entries (id)
);
CREATE UNIQUE INDEX ux_reports_kind_value_reporter ON reports (kind, value_hash, reporter_hash);
CREATE INDEX ix_reports_status_kind_value ON reports (status, kind, value_hash);
CREATE INDEX ix_reports_last_at ON reports (last_at);
