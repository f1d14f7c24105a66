-- 0009: which version of the identifier rules made each kind's stored keys (FlagApi.Identifiers.IdentifierRules). A build
-- whose rules of a kind are newer re-keys that kind's entries, and every other table holding its keys, when it migrates
-- (Data/IdentifierRekeyer.cs). Every key stored before this migration was made by the first rules, version 1.
-- On SQL Server the kinds are a VALUES table in FROM (T-SQL has no VALUES in a common table expression).
CREATE TABLE identifier_rules (
    kind nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    version int NOT NULL,
    changed_at datetime2(7) NOT NULL
);

INSERT INTO identifier_rules (kind, version, changed_at)
SELECT kinds.kind, 1, SYSUTCDATETIME()
FROM (VALUES (N'phone'), (N'url'), (N'domain'), (N'app'), (N'account')) AS kinds (kind);
