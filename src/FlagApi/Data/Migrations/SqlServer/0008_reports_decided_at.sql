-- 0008: the report signal in lookups polls for reports written or decided since its last read; without this index
-- every poll would read every decided report.
-- The same index on SQL Server.
CREATE INDEX ix_reports_decided_at ON reports (decided_at);
