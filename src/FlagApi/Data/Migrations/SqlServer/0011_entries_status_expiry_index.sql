-- 0011: the expiry sweep (Feed:ExpirySweepInterval, every minute by default) asks for the active entries whose expiry
-- has passed. With an index on status alone it read every active entry each time, under the list version lock: about
-- 10 s of a minute at 50 M entries, writes waiting meanwhile. An index on (status, expires_at) finds just those, and
-- serves whatever the index on status alone served.
-- T-SQL's DROP INDEX names the table.
CREATE INDEX ix_entries_status_expiry ON entries (status, expires_at);
DROP INDEX ix_entries_status ON entries;
