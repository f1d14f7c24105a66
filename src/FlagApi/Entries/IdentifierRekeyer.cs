using System.Data.Common;
using System.Globalization;
using FlagApi.Identifiers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using FlagApi.Data;

namespace FlagApi.Entries;

/// <summary>What re-keying did to a table besides <c>entries</c> that holds keys.</summary>
/// <param name="Rekeyed">Rows that took their new key.</param>
/// <param name="Retired">Rows ended because another row holds their new key and one active row per key is the rule (protections, overrides).</param>
/// <param name="Kept">Rows left under their old key: invalid under the new rules, or their new key is another row's (one report per reporter, one open appeal per contact).</param>
public sealed record RekeyedRows(string Table, int Rekeyed, IReadOnlyList<long> Retired, IReadOnlyList<long> Kept);

/// <summary>What re-keying did to one kind.</summary>
/// <param name="Read">Entries of the kind read.</param>
/// <param name="Rekeyed">Entries that took a new key, the survivors of merges among them.</param>
/// <param name="Merged">Entries retired into the entry that holds their new key: retracted, their sources and history moved there.</param>
/// <param name="Kept">Entries left exactly as they were, because their key is invalid under the new rules.</param>
public sealed record RekeyResult(
    IdentifierKind Kind,
    int FromVersion,
    int ToVersion,
    int Read,
    int Rekeyed,
    IReadOnlyList<long> Merged,
    IReadOnlyList<long> Kept,
    IReadOnlyList<RekeyedRows> Others,
    long ListVersion);

/// <summary>
/// Brings stored keys to this build's identifier rules when the rules of a kind changed since the keys were made
/// (<c>identifier_rules</c> records which version made them). Every entry of the kind is read again; one whose key
/// changes takes the new key, or, when another entry already has it, is merged into that one; each such change is an
/// entry change like any other (history, change log, list version), so lookups, the hash prefixes and synced apps
/// follow it. The tables that hold keys beside entries follow too. One transaction under the list version lock: a
/// failure leaves the keys and the recorded version as they were, to be tried again.
/// </summary>
public sealed class IdentifierRekeyer(
    FlagDbContext db, DatabaseProviderInfo providerInfo, EntryLedger ledger, IIdentifierRules rules, ILogger<IdentifierRekeyer> logger) : IStoredKeys
{
    public const string Actor = "system:identifier-rules";
    public const string RekeyedAction = "rekeyed";
    public const string MergedAction = "merged";

    private static readonly string OpenAppeals =
        string.Join(", ", Enum.GetValues<AppealStatus>().Where(AppealStatuses.IsOpen).Select(s => $"'{WireNames.Of(s)}'"));

    /// <summary>
    /// The tables besides entries that hold keys, and the rows of each that may hold a key only once. At most one active
    /// protection and one active override per key: a second that comes to share a key ends, as an admin would end it. One
    /// report per key and reporter, one open appeal per key and contact, one open watch per key and address: a second that
    /// would share a key stays under its old key for a reviewer to see, as joining two people's words into one row would
    /// lose one of them.
    /// </summary>
    private static readonly KeyTable[] KeyTables =
    [
        new("protected_identifiers", "removed_at IS NULL", null, RetiresDuplicates: true),
        new("protection_overrides", "removed_at IS NULL", null, RetiresDuplicates: true),
        new("reports", "1 = 1", "reporter_hash", RetiresDuplicates: false),
        new("appeals", $"status IN ({OpenAppeals})", "contact_hash", RetiresDuplicates: false),
        // 'ended' is Watches.WatchStatuses.Ended, written out: Entries may not use Watches, which uses Entries.
        new("watches", "status <> 'ended'", "email_hash", RetiresDuplicates: false),
    ];

    /// <summary>Each kind's stored rules version against this build's. Needs schema 0009.</summary>
    public async Task<IReadOnlyList<KeyRulesStatus>> StatusAsync(CancellationToken cancellationToken = default)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await StatusAsync(db.Database.GetDbConnection(), null, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    async Task IStoredKeys.UpgradeAsync(CancellationToken cancellationToken) => await UpgradeAsync(cancellationToken);

    /// <summary>
    /// Re-keys every kind whose keys were made by older rules; nothing when all are current. Throws
    /// <see cref="SchemaMismatchException"/> when a kind's keys were made by rules newer than this build's.
    /// </summary>
    public async Task<IReadOnlyList<RekeyResult>> UpgradeAsync(CancellationToken cancellationToken = default)
    {
        // Read first without the lock, so that a start with nothing to do does not hold writers back.
        var status = await StatusAsync(cancellationToken);
        SchemaMismatchException.ThrowIfKeysNewer(status);
        if (!status.Any(s => s.Stored < s.Build))
        {
            return [];
        }

        var results = await ledger.WriteAsync(Actor, async entries =>
        {
            // Again under the lock: another instance starting at the same time may have re-keyed meanwhile.
            var current = await StatusAsync(entries.Connection, entries.Transaction, cancellationToken);
            SchemaMismatchException.ThrowIfKeysNewer(current);
            var behind = current.Where(s => s.Stored < s.Build).ToList();
            if (behind.Count == 0)
            {
                return LedgerOutcome.Refuse<IReadOnlyList<RekeyResult>>([]);
            }

            var done = new List<RekeyResult>();
            var writer = await entries.RowsAsync(cancellationToken);
            foreach (var kind in behind)
            {
                var keys = new KeyBook(rules, kind.Kind, kind.Build);
                var rekeyed = await RekeyEntriesAsync(entries, writer, keys, cancellationToken);
                await writer.FlushAsync(cancellationToken);
                var others = new List<RekeyedRows>();
                foreach (var table in KeyTables)
                {
                    others.Add(await RekeyRowsAsync(entries.Connection, entries.Transaction, table, keys, entries.Now, cancellationToken));
                }

                var result = new RekeyResult(
                    kind.Kind, kind.Stored, kind.Build, rekeyed.Read, rekeyed.Rekeyed, rekeyed.Merged, rekeyed.Kept, others, entries.Version);
                await RecordAsync(entries.Connection, entries.Transaction, result, entries.Now, cancellationToken);
                done.Add(result);
            }

            return LedgerOutcome.Commit<IReadOnlyList<RekeyResult>>(done);
        }, cancellationToken);

        foreach (var result in results)
        {
            Log(result);
        }

        return results;
    }

    private async Task<IReadOnlyList<KeyRulesStatus>> StatusAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<IdentifierKind, int>();
        await using (var command = connection.CreateCommand(transaction, "SELECT kind, version FROM identifier_rules"))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (IdentifierKinds.TryParse(reader.GetString(0), out var kind))
                {
                    stored[kind] = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
                }
            }
        }

        // Migration 0009 records every kind there was; a kind added later starts at its first rules.
        return [.. IdentifierKinds.All.Select(kind => new KeyRulesStatus(kind, stored.GetValueOrDefault(kind, 1), rules.Version(kind)))];
    }

    /// <summary>Reads every entry of the kind, and re-keys or merges those whose key changes.</summary>
    private async Task<EntriesRekeyed> RekeyEntriesAsync(LedgerTransaction ledger, EntryRowWriter writer, KeyBook keys, CancellationToken cancellationToken)
    {
        var (connection, transaction) = (ledger.Connection, ledger.Transaction);
        var read = 0;
        var changed = new List<(long Id, string Old, string New)>();
        var kept = new List<long>();
        await using (var select = connection.CreateCommand(transaction, "SELECT id, value FROM entries WHERE kind = @kind ORDER BY id"))
        {
            select.AddParameter("@kind", keys.Kind.ToWire());
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                read++;
                var (id, value) = (reader.GetInt64(0), reader.GetString(1));
                switch (keys.Of(value))
                {
                    case null:
                        kept.Add(id);
                        break;
                    case var key when key != value:
                        changed.Add((id, value, key));
                        break;
                }
            }
        }

        var stored = new Dictionary<string, StoredEntry>(StringComparer.Ordinal);
        await StoredEntry.FindAsync(connection, transaction, providerInfo.Dialect, keys.Kind,
            changed.Select(c => c.Old).Concat(changed.Select(c => c.New)).Distinct(), entry => stored[entry.Key] = entry, cancellationToken);
        var rekeyed = 0;
        var merged = new List<long>();

        // New keys read again as themselves, so each is free or held by an entry that keeps it: no chains, no swaps.
        foreach (var group in changed.GroupBy(c => c.New).OrderBy(g => g.Min(c => c.Id)))
        {
            var holder = stored.GetValueOrDefault(group.Key);
            var members = group.Select(c => stored[c.Old]).OrderBy(e => e.Id).ToList();
            var survivor = holder ?? members[0];
            var retired = members.Where(e => e.Id != survivor.Id).ToList();
            if (holder is null)
            {
                // The old key leaves every copy of the list; the new one arrives below, in the state after any merge.
                await writer.InsertChangeAsync(ledger.NextVersion(), survivor.Id, ChangeOps.Remove, keys.Kind, survivor.Key, survivor.State, cancellationToken);
                rekeyed++;
            }

            foreach (var entry in retired)
            {
                var version = ledger.NextVersion();
                await writer.MoveSourcesAndHistoryAsync(entry.Id, survivor.Id, cancellationToken);
                await MoveReferencesAsync(connection, transaction, entry.Id, survivor.Id, cancellationToken);
                var after = entry.State with { Status = EntryStatus.Retracted };
                await writer.SetStatusAsync(entry.Id, EntryStatus.Retracted, version, cancellationToken);
                await writer.InsertHistoryAsync(entry.Id, version, MergedAction,
                    $"Merged into entry {survivor.Id}: {keys.Rules} make {entry.Key} {group.Key}, that entry's key. Its sources and history are there now.",
                    entry.State, after, cancellationToken);
                await writer.InsertChangeAsync(version, entry.Id, ChangeOps.Remove, keys.Kind, entry.Key, after, cancellationToken);
                merged.Add(entry.Id);
            }

            var (state, firstSeen) = Combine(survivor, holder is null ? members : [holder, .. members]);
            var reason = retired.Count == 0
                ? $"Re-keyed from {survivor.Key} to {group.Key}, its key under {keys.Rules}."
                : $"Merged entr{(retired.Count == 1 ? "y" : "ies")} {string.Join(", ", retired.Select(e => e.Id))} into this one: {keys.Rules} make " +
                    $"{string.Join(" and ", members.Select(e => e.Key))} {group.Key}. Their sources and history are here now.";
            var op = holder is null || survivor.State.Status != EntryStatus.Active ? ChangeOps.Add : ChangeOps.Update;
            var at = ledger.NextVersion();
            await writer.RekeyEntryAsync(survivor.Id, group.Key, state, firstSeen, at, cancellationToken);
            await writer.InsertHistoryAsync(survivor.Id, at, retired.Count == 0 ? RekeyedAction : MergedAction, reason, survivor.State, state, cancellationToken);
            await writer.InsertChangeAsync(at, survivor.Id, op, keys.Kind, group.Key, state, cancellationToken);
        }

        return new EntriesRekeyed(read, rekeyed, merged, kept);
    }

    /// <summary>
    /// One entry from several: the strongest status (active; then cleared, an appeal's verdict that lookups still show;
    /// then expired; then retracted), and among the entries that have it what a list naming an entry again does
    /// (<see cref="EntryState.Joined"/>): the category last seen stands, the risk never drops, no expiry wins.
    /// </summary>
    private static (EntryState State, DateTime FirstSeen) Combine(StoredEntry survivor, IReadOnlyList<StoredEntry> entries)
    {
        var status = entries.Select(e => e.State.Status).MinBy(Weakness);
        EntryState? joined = null;
        foreach (var entry in entries.Where(e => e.State.Status == status).OrderBy(e => e.State.LastSeen).ThenBy(e => e.Id))
        {
            joined = joined is null ? entry.State : joined.Joined(entry.State.Category, entry.State.Risk, entry.State.ExpiresAt, entry.State.LastSeen);
        }

        var state = joined! with { Display = survivor.State.Display, Status = status, LastSeen = entries.Max(e => e.State.LastSeen) };
        return (state, entries.Min(e => e.FirstSeen));
    }

    private static int Weakness(EntryStatus status) => status switch
    {
        EntryStatus.Active => 0,
        EntryStatus.Cleared => 1,
        EntryStatus.Expired => 2,
        _ => 3,
    };

    /// <summary>Appeals against the retired entry and the reports it accepted now concern the entry it became.</summary>
    private static async Task MoveReferencesAsync(DbConnection connection, DbTransaction transaction, long from, long to, CancellationToken cancellationToken)
    {
        foreach (var table in (string[])["appeals", "reports"])
        {
            await using var move = connection.CreateCommand(transaction, $"UPDATE {table} SET entry_id = @to WHERE entry_id = @from");
            move.AddParameter("@to", to);
            move.AddParameter("@from", from);
            await move.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Gives the rows of one table besides entries their new keys, one row per key where the table allows only one.</summary>
    private async Task<RekeyedRows> RekeyRowsAsync(
        DbConnection connection, DbTransaction transaction, KeyTable table, KeyBook keys, DateTime now, CancellationToken cancellationToken)
    {
        var rows = new List<(long Id, string Value, string? Partition, bool Unique)>();
        await using (var select = connection.CreateCommand(transaction, SelectRowsSql(table)))
        {
            select.AddParameter("@kind", keys.Kind.ToWire());
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var unique = Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture) == 1;
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), unique));
            }
        }

        // Rows that keep their key hold it; among rows that come to share one, the oldest takes it.
        var held = rows.Where(r => r.Unique && (keys.Of(r.Value) is not { } key || key == r.Value)).Select(r => (r.Value, r.Partition)).ToHashSet();
        var rekeyed = 0;
        List<long> retired = [], kept = [];
        await using var move = connection.CreateCommand(transaction, MoveSql(table));
        await using var end = connection.CreateCommand(transaction, EndSql(table));
        foreach (var command in (DbCommand[])[move, end])
        {
            command.AddParameter("@value", null);
            command.AddParameter("@id", null);
        }

        end.AddParameter("@at", providerInfo.Dialect.Timestamp(now));
        end.AddParameter("@by", Actor);
        foreach (var row in rows)
        {
            if (keys.Of(row.Value) is not { } key)
            {
                kept.Add(row.Id);
                continue;
            }

            if (key == row.Value)
            {
                continue;
            }

            var duplicate = row.Unique && !held.Add((key, row.Partition));
            if (duplicate && !table.RetiresDuplicates)
            {
                kept.Add(row.Id);
                continue;
            }

            var update = duplicate ? end : move;
            update.Parameters[0].Value = key;
            update.Parameters[1].Value = row.Id;
            await update.ExecuteNonQueryAsync(cancellationToken);
            if (duplicate)
            {
                retired.Add(row.Id);
            }
            else
            {
                rekeyed++;
            }
        }

        return new RekeyedRows(table.Name, rekeyed, retired, kept);
    }

    /// <summary>The kind's keys are now of this build's rules; the audit log says what that did (ids and counts, never an identifier).</summary>
    private static async Task RecordAsync(DbConnection connection, DbTransaction transaction, RekeyResult result, DateTime now, CancellationToken cancellationToken)
    {
        await using (var record = connection.CreateCommand(transaction, "UPDATE identifier_rules SET version = @version, changed_at = @at WHERE kind = @kind"))
        {
            record.AddParameter("@version", result.ToVersion);
            record.AddParameter("@at", now);
            record.AddParameter("@kind", result.Kind.ToWire());
            if (await record.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                record.CommandText = "INSERT INTO identifier_rules (kind, version, changed_at) VALUES (@kind, @version, @at)";
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await Audit.InsertAsync(connection, transaction, now, Actor, "identifiers.rekeyed", "identifier_rules", result.Kind.ToWire(),
            new
            {
                fromVersion = result.FromVersion,
                toVersion = result.ToVersion,
                entriesRead = result.Read,
                rekeyed = result.Rekeyed,
                mergedEntries = result.Merged,
                keptEntries = result.Kept,
                others = result.Others.Where(o => o.Rekeyed + o.Retired.Count + o.Kept.Count > 0),
                listVersion = result.ListVersion,
            },
            cancellationToken);
    }

    private void Log(RekeyResult result)
    {
        var kind = result.Kind.ToWire();
        logger.LogInformation(
            "Re-keyed {Kind} entries from identifier rules version {From} to {To}: {Read} read, {Rekeyed} took a new key, {Merged} merged into the entry holding theirs; list version {Version}",
            kind, result.FromVersion, result.ToVersion, result.Read, result.Rekeyed, result.Merged.Count, result.ListVersion);

        // Ids, never the identifiers: logs are read more widely than entries.
        if (result.Kept.Count > 0)
        {
            logger.LogWarning(
                "{Count} {Kind} entries are invalid under the {Kind} rules of version {To} and keep their old keys, untouched; review them: entries {Ids}",
                result.Kept.Count, kind, kind, result.ToVersion, string.Join(", ", result.Kept));
        }

        foreach (var rows in result.Others)
        {
            if (rows.Kept.Count > 0)
            {
                logger.LogWarning(
                    "{Count} rows of {Table} keep their old {Kind} keys (invalid under the new rules, or their new key is another row's); review them: ids {Ids}",
                    rows.Kept.Count, rows.Table, kind, string.Join(", ", rows.Kept));
            }

            if (rows.Retired.Count > 0)
            {
                logger.LogWarning(
                    "{Count} rows of {Table} were ended because another active row holds their new {Kind} key: ids {Ids}",
                    rows.Retired.Count, rows.Table, kind, string.Join(", ", rows.Retired));
            }
        }
    }

    /// <summary>Every statement built here from a table's name (for the test that parses each provider's SQL).</summary>
    internal static IEnumerable<string> Statements() =>
        KeyTables.SelectMany(t => (string[])[SelectRowsSql(t), MoveSql(t), EndSql(t)]);

    private static string SelectRowsSql(KeyTable table) =>
        $"SELECT id, value, {table.Partition ?? "NULL"}, CASE WHEN {table.Unique} THEN 1 ELSE 0 END FROM {table.Name} WHERE kind = @kind ORDER BY id";

    private static string MoveSql(KeyTable table) => $"UPDATE {table.Name} SET value = @value WHERE id = @id";

    private static string EndSql(KeyTable table) => $"UPDATE {table.Name} SET value = @value, removed_at = @at, removed_by = @by WHERE id = @id";

    private sealed record EntriesRekeyed(int Read, int Rekeyed, IReadOnlyList<long> Merged, IReadOnlyList<long> Kept);

    /// <param name="Unique">The rows (a condition) that may hold a key only once, with <paramref name="Partition"/> when it is once per that column.</param>
    private sealed record KeyTable(string Name, string Unique, string? Partition, bool RetiresDuplicates);

    /// <summary>
    /// Each stored key's key under the new rules (null when it has none), worked out once however many tables hold it.
    /// Only keys that change or fail are remembered: a kind can have millions of keys and most stay as they are.
    /// </summary>
    private sealed class KeyBook(IIdentifierRules rules, IdentifierKind kind, int version)
    {
        private readonly Dictionary<string, string?> changes = new(StringComparer.Ordinal);

        public IdentifierKind Kind => kind;

        /// <summary>The rules, as history names them.</summary>
        public string Rules { get; } = $"the {kind.ToWire()} rules of version {version}";

        public string? Of(string stored)
        {
            if (changes.TryGetValue(stored, out var known))
            {
                return known;
            }

            var result = rules.KeyOf(kind, stored);
            if (result.IsValid && result.Value == stored)
            {
                return stored;
            }

            // A new key that does not read again as itself would change once more at the next re-keying: rules that do that
            // are not fit to re-key by, so the key is left as it is, like an invalid one.
            var key = result.IsValid && rules.KeyOf(kind, result.Value!).Value == result.Value ? result.Value : null;
            changes[stored] = key;
            return key;
        }
    }
}
