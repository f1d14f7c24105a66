-- 0009: which version of the identifier rules made each kind's stored keys (FlagApi.Identifiers.IdentifierRules). A build
-- whose rules of a kind are newer re-keys that kind's entries, and every other table holding its keys, when it migrates
-- (Data/IdentifierRekeyer.cs). Every key stored before this migration was made by the first rules, version 1.
CREATE TABLE identifier_rules (
    kind text NOT NULL PRIMARY KEY,
    version integer NOT NULL,
    changed_at timestamp with time zone NOT NULL
);

WITH kinds (kind) AS (VALUES ('phone'), ('url'), ('domain'), ('app'), ('account'))
INSERT INTO identifier_rules (kind, version, changed_at)
SELECT kind, 1, now() FROM kinds;
