using System.Data.Common;
using System.Globalization;
using FlagApi.Data;
using FlagApi.Identifiers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlagApi.Entries;

/// <summary>A copy of the entries kept in step with the change log (the lookup index): told after every commit that moved the list version.</summary>
public interface IListVersionFollower
{
    /// <summary>Reads the change log after a commit of this process. Never throws for an unreachable database: the copy's own refresh catches up later.</summary>
    Task CatchUpAfterWriteAsync();
}

/// <summary>What a ledger write did: commit it and answer <see cref="Value"/>, or roll back everything it wrote and answer <see cref="Value"/>.</summary>
public readonly record struct LedgerOutcome<T>(T Value, bool Commit);

public static class LedgerOutcome
{
    public static LedgerOutcome<T> Commit<T>(T value) => new(value, true);

    /// <summary>Nothing the write did stays: the refusal's answer.</summary>
    public static LedgerOutcome<T> Refuse<T>(T value) => new(value, false);
}

/// <summary>
/// The one writer of entries. Every change of an entry's state (a list published or retracted, an appeal decided, reports
/// accepted, an expiry, a re-keying) is a <see cref="WriteAsync{T}"/>: one transaction that takes the list version lock
/// first, so versions commit in order and the change log has no gaps; writes the entries, their sources, history, change
/// log rows, the list state and the audit records through one <see cref="LedgerTransaction"/>; and, once committed,
/// brings this process's copies (<see cref="IListVersionFollower"/>) up to date. A capability's own rows (the list record,
/// the appeal, the reports) are written by the capability in the same transaction, through the same context.
/// </summary>
public sealed class EntryLedger(
    FlagDbContext db,
    DatabaseProviderInfo providerInfo,
    TimeProvider time,
    IEnumerable<IListVersionFollower> followers,
    IEnumerable<IFlagEndedHandler> flagEndedHandlers)
{
    /// <summary>The topic of the change notice a write that moved the list version sends: <c>lists:&lt;version&gt;</c>.</summary>
    public const string ChangeTopic = "lists";

    /// <summary>Who expires entries whose expiry passed.</summary>
    public const string ExpiryActor = "system:expiry";

    // One expiry transaction holds the list version lock; a bounded batch keeps publishers from waiting long.
    private const int ExpiryBatch = 5000;

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction under the list version lock, stamped now and by <paramref name="actor"/>;
    /// commits when it says so. <paramref name="bulk"/> prepares the connection for many rows (a list).
    /// </summary>
    public async Task<T> WriteAsync<T>(
        string actor, Func<LedgerTransaction, Task<LedgerOutcome<T>>> work, CancellationToken cancellationToken, bool bulk = false)
    {
        var dialect = providerInfo.Dialect;
        var now = time.GetUtcNow().UtcDateTime;
        bool moved;
        T value;
        db.ChangeTracker.Clear();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            if (bulk && dialect.BeforeBulkWrite is { } setup)
            {
                await using var command = connection.CreateCommand(null, setup);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var dbTransaction = transaction.GetDbTransaction();
            var version = await ListVersionRow.LockAsync(connection, dbTransaction, dialect, cancellationToken);
            await using var ledger = new LedgerTransaction(connection, dbTransaction, dialect, actor, now, version);
            var outcome = await work(ledger);
            value = outcome.Value;
            if (!outcome.Commit)
            {
                await transaction.RollbackAsync(cancellationToken);
                return value;
            }

            if (ledger.Ended.Count > 0)
            {
                foreach (var handler in flagEndedHandlers)
                {
                    await handler.FlagsEndedAsync(ledger, cancellationToken);
                }
            }

            moved = await ledger.FinishAsync(cancellationToken);
            if (moved)
            {
                await db.NotifyAsync(string.Create(CultureInfo.InvariantCulture, $"{ChangeTopic}:{ledger.Version}"), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            if (bulk && dialect.AfterBulkWrite is { } reset)
            {
                try
                {
                    await using var command = db.Database.GetDbConnection().CreateCommand(null, reset);
                    await command.ExecuteNonQueryAsync(CancellationToken.None);
                }
                catch (DbException)
                {
                    // Best effort: a broken connection is not reused, and the write's own error matters more.
                }
            }

            await db.Database.CloseConnectionAsync();
        }

        if (moved)
        {
            foreach (var follower in followers)
            {
                await follower.CatchUpAfterWriteAsync();
            }
        }

        return value;
    }

    /// <summary>
    /// Records in an entry's history something that happened to it without changing it (an appeal filed against it), at
    /// <paramref name="at"/>, in the transaction the caller has open on this scope's context. No list version is taken:
    /// nothing a copy of the entries holds changes, so an appellant never waits for a list being published.
    /// </summary>
    public async Task NoteAsync(long entryId, string action, string reason, string actor, DateTime at, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A history note is written in the caller's transaction.");
        long version;
        await using (var command = connection.CreateCommand(transaction, "SELECT version FROM list_state WHERE id = 1"))
        {
            version = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        var (_, _, state) = await LedgerTransaction.ReadAsync(connection, transaction, entryId, cancellationToken);
        await using var writer = await EntryRowWriter.CreateAsync(connection, transaction, providerInfo.Dialect, actor, at, cancellationToken);
        await writer.InsertHistoryAsync(entryId, version, action, reason, state, state, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Expires every active entry whose expiry passed, in batches of one transaction each; returns how many expired. Lookups
    /// already treat them as expired by the clock; the expiry gives each a list version, a history row and a <c>remove</c>
    /// in the change log, so that apps following the feed drop them too and a snapshot agrees with the deltas.
    /// </summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            var expired = await WriteAsync(ExpiryActor, async ledger => LedgerOutcome.Commit(await ledger.ExpireDueAsync(ExpiryBatch, cancellationToken)), cancellationToken);
            total += expired;
            if (expired < ExpiryBatch)
            {
                return total;
            }
        }
    }
}

/// <summary>
/// Told, in the transaction of a ledger write about to commit, of the entries that write stopped flagging (<see
/// cref="LedgerTransaction.Ended"/>), so that what depends on an entry being flagged ends with the flag, in the same
/// transaction: open appeals on it are resolved. Writes through the scope's <see cref="FlagDbContext"/>.
/// </summary>
public interface IFlagEndedHandler
{
    Task FlagsEndedAsync(LedgerTransaction ledger, CancellationToken cancellationToken);
}

/// <summary>How an entry stopped being flagged.</summary>
public enum FlagEnd
{
    /// <summary>An appeal against it was approved.</summary>
    AppealApproved,

    /// <summary>A reviewer verified a new owner and removed every source older than the owner's date: none was left.</summary>
    NewOwner,

    /// <summary>The lists that flagged it were retracted.</summary>
    ListRetracted,

    /// <summary>Its expiry passed.</summary>
    Expired,
}

/// <summary>An entry a ledger write stopped flagging, and how.</summary>
public sealed record EndedFlag(long EntryId, FlagEnd How);

/// <summary>
/// One ledger write in progress: its connection and transaction (for the capability's own rows), the list version as it
/// stands, and what an entry can go through, each written with its history and change log rows at the next version.
/// </summary>
public sealed class LedgerTransaction : IAsyncDisposable
{
    private readonly SqlDialect dialect;
    private readonly long started;
    private readonly List<(string Action, string SubjectType, string SubjectId, object Detail)> audit = [];
    private readonly List<EndedFlag> ended = [];
    private EntryRowWriter? rows;

    internal LedgerTransaction(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string actor, DateTime now, long version)
    {
        Connection = connection;
        Transaction = transaction;
        this.dialect = dialect;
        Actor = actor;
        Now = now;
        Version = started = version;
    }

    internal DbConnection Connection { get; }

    internal DbTransaction Transaction { get; }

    /// <summary>The provider's SQL where it differs from the plain SQL every provider accepts.</summary>
    internal SqlDialect Dialect => dialect;

    public string Actor { get; }

    /// <summary>The time of the transaction: every row it writes is stamped with it.</summary>
    public DateTime Now { get; }

    /// <summary>The list version the last change of this transaction took (the committed one until a change is made).</summary>
    public long Version { get; private set; }

    /// <summary>The entries this transaction stopped flagging (cleared, retracted, expired), in the order it did.</summary>
    public IReadOnlyList<EndedFlag> Ended => ended;

    /// <summary>Records an audit entry, written with the transaction (docs/product.md: every write leaves one).</summary>
    public void Audit(string action, string subjectType, long subjectId, object detail) =>
        audit.Add((action, subjectType, subjectId.ToString(CultureInfo.InvariantCulture), detail));

    /// <summary>An entry as stored now, or null.</summary>
    public async Task<LedgerEntry?> FindAsync(IdentifierKind kind, string key, CancellationToken cancellationToken)
    {
        StoredEntry? found = null;
        await StoredEntry.FindAsync(Connection, Transaction, dialect, kind, [key], entry => found = entry, cancellationToken);
        return found is null ? null : new LedgerEntry(found.Id, kind, found.Key, found.State.Status) { Stored = found };
    }

    /// <summary>
    /// A list names these identifiers: each is added, flagged again, or joined by the list as one more source (see
    /// <see cref="EntryState.Joined"/>), and the list becomes a source of each with what it said.
    /// </summary>
    public async Task<ListNamed> NameByListAsync(long listId, string label, IReadOnlyList<ListEntryInput> named, CancellationToken cancellationToken)
    {
        var existing = new Dictionary<(IdentifierKind, string), StoredEntry>();
        foreach (var group in named.GroupBy(r => r.Kind))
        {
            await StoredEntry.FindAsync(Connection, Transaction, dialect, group.Key, group.Select(r => r.Key),
                entry => existing[(group.Key, entry.Key)] = entry, cancellationToken);
        }

        var writer = await RowsAsync(cancellationToken);
        var reason = $"Published in list {label}";
        int added = 0, updated = 0, reflagged = 0, sourceAdded = 0;
        foreach (var row in named)
        {
            existing.TryGetValue((row.Kind, row.Key), out var before);
            var (entryId, action) = await NameAsync(writer, row.Kind, row.Key, before, row.Display, row.Category, row.Risk, row.ExpiresAt, reason, cancellationToken);
            switch (action)
            {
                case EntryActions.Flagged: added++; break;
                case EntryActions.Reflagged: reflagged++; break;
                case EntryActions.Updated: updated++; break;
                default: sourceAdded++; break;
            }

            await writer.InsertSourceAsync(new SourceRow(
                entryId, listId, EntrySourceTypes.List, label, row.Note, row.Display, WireNames.Of(row.Category), WireNames.Of(row.Risk), row.ExpiresAt), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
        await dialect.AfterExplicitIdsAsync(Connection, Transaction, "entries", writer.LastId, cancellationToken);
        return new ListNamed(added, updated, reflagged, sourceAdded);
    }

    /// <summary>
    /// A list is retracted: it stops being a source of its entries; those it alone kept active leave the active list (a
    /// <c>remove</c> in the change log), the others stay as they are with one source less.
    /// </summary>
    public async Task<ListUnnamed> UnnameByListAsync(long listId, string why, CancellationToken cancellationToken)
    {
        await using (var end = Connection.CreateCommand(Transaction, "UPDATE entry_sources SET removed_at = @at WHERE list_id = @id AND removed_at IS NULL"))
        {
            end.AddParameter("@at", dialect.Timestamp(Now));
            end.AddParameter("@id", listId);
            await end.ExecuteNonQueryAsync(cancellationToken);
        }

        var affected = new List<(long Id, IdentifierKind Kind, string Value, EntryState State, long Others)>();
        await using (var select = Connection.CreateCommand(Transaction,
            """
            SELECT e.id, e.kind, e.value, e.display, e.status, e.category, e.risk, e.expires_at, e.last_seen,
                   (SELECT COUNT(*) FROM entry_sources o WHERE o.entry_id = e.id AND o.removed_at IS NULL)
            FROM entries e
            WHERE e.id IN (SELECT entry_id FROM entry_sources WHERE list_id = @id)
            ORDER BY e.id
            """))
        {
            select.AddParameter("@id", listId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                affected.Add((reader.GetInt64(0), KindOf(reader, 1), reader.GetString(2), EntryState.Read(reader, 3), reader.GetInt64(9)));
            }
        }

        var writer = await RowsAsync(cancellationToken);
        int removed = 0, kept = 0;
        foreach (var entry in affected)
        {
            var version = ++Version;
            if (entry.Others == 0 && entry.State.Status == EntryStatus.Active)
            {
                var after = entry.State with { Status = EntryStatus.Retracted };
                await writer.SetStatusAsync(entry.Id, EntryStatus.Retracted, version, cancellationToken);
                await writer.InsertHistoryAsync(entry.Id, version, EntryActions.Retracted, why, entry.State, after, cancellationToken);
                await writer.InsertChangeAsync(version, entry.Id, ChangeOps.Remove, entry.Kind, entry.Value, after, cancellationToken);
                ended.Add(new EndedFlag(entry.Id, FlagEnd.ListRetracted));
                removed++;
            }
            else
            {
                await writer.SetStatusAsync(entry.Id, entry.State.Status, version, cancellationToken);
                await writer.InsertHistoryAsync(entry.Id, version, EntryActions.SourceRemoved, why, entry.State, entry.State, cancellationToken);
                await writer.InsertChangeAsync(version, entry.Id, ChangeOps.Update, entry.Kind, entry.Value, entry.State, cancellationToken);
                kept++;
            }
        }

        await writer.FlushAsync(cancellationToken);
        return new ListUnnamed(removed, kept);
    }

    /// <summary>
    /// An approved appeal clears the entry: it leaves the active list (a <c>remove</c> in the change log) and returns the
    /// version that cleared it. An entry another appeal cleared before stays as it is, its history showing this appeal too:
    /// null.
    /// </summary>
    public async Task<long?> ClearByAppealAsync(long entryId, string reason, CancellationToken cancellationToken)
    {
        var entry = await ReadAsync(entryId, cancellationToken);
        var writer = await RowsAsync(cancellationToken);
        if (entry.State.Status == EntryStatus.Cleared)
        {
            await writer.InsertHistoryAsync(entryId, Version, EntryActions.AppealApproved, reason, entry.State, entry.State, cancellationToken);
            await writer.FlushAsync(cancellationToken);
            return null;
        }

        var version = ++Version;
        var after = entry.State with { Status = EntryStatus.Cleared };
        await writer.SetStatusAsync(entryId, EntryStatus.Cleared, version, cancellationToken);
        await writer.InsertChangeAsync(version, entryId, ChangeOps.Remove, entry.Kind, entry.Value, after, cancellationToken);
        await writer.InsertHistoryAsync(entryId, version, EntryActions.Cleared, reason, entry.State, after, cancellationToken);
        await writer.FlushAsync(cancellationToken);
        ended.Add(new EndedFlag(entryId, FlagEnd.AppealApproved));
        return version;
    }

    /// <summary>
    /// A reviewer verified that the identifier has a new owner since <paramref name="ownerSince"/> (a reissued number): every
    /// active source dated before that day (<see cref="EntrySourceDates"/>) stops being a source of the entry, in one change.
    /// When none is left the entry is cleared as an approved appeal clears it (a <c>remove</c> in the change log); when newer
    /// sources remain it stays flagged by them (an <c>update</c>). A list published later flags it again as usual.
    /// </summary>
    public async Task<OwnerSinceApplied> EndSourcesBeforeAsync(long entryId, DateOnly ownerSince, string reason, CancellationToken cancellationToken)
    {
        var sources = await ActiveSourceDatesAsync(Connection, Transaction, entryId, cancellationToken);
        var older = sources.Where(s => s.Date < ownerSince).Select(s => s.Id).ToList();
        var kept = sources.Count - older.Count;
        var entry = await ReadAsync(entryId, cancellationToken);
        var writer = await RowsAsync(cancellationToken);
        if (older.Count == 0)
        {
            await writer.InsertHistoryAsync(entryId, Version, EntryActions.AppealApproved, reason, entry.State, entry.State, cancellationToken);
            await writer.FlushAsync(cancellationToken);
            return new OwnerSinceApplied(0, kept, null);
        }

        foreach (var sourceId in older)
        {
            await using var end = Connection.CreateCommand(Transaction, "UPDATE entry_sources SET removed_at = @at WHERE id = @id");
            end.AddParameter("@at", dialect.Timestamp(Now));
            end.AddParameter("@id", sourceId);
            await end.ExecuteNonQueryAsync(cancellationToken);
        }

        var version = ++Version;
        var clears = kept == 0 && entry.State.Status == EntryStatus.Active;
        var after = clears ? entry.State with { Status = EntryStatus.Cleared } : entry.State;
        await writer.SetStatusAsync(entryId, after.Status, version, cancellationToken);
        await writer.InsertChangeAsync(version, entryId, clears ? ChangeOps.Remove : ChangeOps.Update, entry.Kind, entry.Value, after, cancellationToken);
        await writer.InsertHistoryAsync(entryId, version, clears ? EntryActions.Cleared : EntryActions.SourceRemoved, reason, entry.State, after, cancellationToken);
        await writer.FlushAsync(cancellationToken);
        if (clears)
        {
            ended.Add(new EndedFlag(entryId, FlagEnd.NewOwner));
        }

        return new OwnerSinceApplied(older.Count, kept, clears ? version : null);
    }

    /// <summary>The entry's active sources with the day each counts from (<see cref="EntrySourceDates.Of"/>).</summary>
    internal static async Task<List<(long Id, DateOnly Date)>> ActiveSourceDatesAsync(
        DbConnection connection, DbTransaction? transaction, long entryId, CancellationToken cancellationToken)
    {
        var found = new List<(long Id, DateOnly Date)>();
        await using var select = connection.CreateCommand(transaction,
            """
            SELECT s.id, s.added_at, l.published_on
            FROM entry_sources s LEFT JOIN lists l ON l.id = s.list_id
            WHERE s.entry_id = @id AND s.removed_at IS NULL
            ORDER BY s.id
            """);
        select.AddParameter("@id", entryId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            DateOnly? publishedOn = reader.IsDBNull(2) ? null : reader.GetValue(2) switch
            {
                DateOnly date => date,
                DateTime time => DateOnly.FromDateTime(time),
                var text => DateOnly.ParseExact(Convert.ToString(text, CultureInfo.InvariantCulture)!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
            found.Add((reader.GetInt64(0), EntrySourceDates.Of(publishedOn, EntryState.AsUtc(reader.GetDateTime(1)))));
        }

        return found;
    }

    /// <summary>A rejected appeal leaves the entry as it is; its history says so.</summary>
    public async Task RecordAppealRejectedAsync(long entryId, string reason, CancellationToken cancellationToken)
    {
        var entry = await ReadAsync(entryId, cancellationToken);
        var writer = await RowsAsync(cancellationToken);
        await writer.InsertHistoryAsync(entryId, Version, EntryActions.AppealRejected, reason, entry.State, entry.State, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// A reviewer accepts community reports of one identifier: it is flagged (or again, or joined by them) as a list
    /// naming it would be, without an expiry, and each report becomes a source with what its reporter typed.
    /// </summary>
    /// <param name="entry">The identifier's entry as <see cref="FindAsync"/> read it in this transaction; null when there is none.</param>
    public async Task<ReportsAccepted> AcceptReportsAsync(
        LedgerEntry? entry, IdentifierKind kind, string key, Category category, Risk risk, string reason, string note,
        IReadOnlyList<(long ReportId, string Display)> reports, CancellationToken cancellationToken)
    {
        var writer = await RowsAsync(cancellationToken);
        var (entryId, action) = await NameAsync(writer, kind, key, entry?.Stored, reports[^1].Display, category, risk, null, reason, cancellationToken);
        foreach (var (reportId, display) in reports)
        {
            await writer.InsertSourceAsync(new SourceRow(
                entryId, null, EntrySourceTypes.Report, string.Create(CultureInfo.InvariantCulture, $"community report #{reportId}"),
                note, display, WireNames.Of(category), WireNames.Of(risk), null), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
        await dialect.AfterExplicitIdsAsync(Connection, Transaction, "entries", writer.LastId, cancellationToken);
        return new ReportsAccepted(entryId, action, Version);
    }

    /// <summary>
    /// The expiry sweep's query (parameter <c>@now</c>): at most <paramref name="batch"/> active entries whose expiry passed.
    /// It runs every minute under the list version lock, so it must find them through ix_entries_status_expiry, never by
    /// reading every active entry (a test holds both databases' plans to that).
    /// </summary>
    public static string DueForExpirySql(DatabaseProvider provider, int batch) => SqlDialect.For(provider).Limit(
        """
        SELECT id, kind, value, display, status, category, risk, expires_at, last_seen
        FROM entries
        WHERE status = 'active' AND expires_at IS NOT NULL AND expires_at <= @now
        ORDER BY id
        """, batch);

    /// <summary>Expires at most <paramref name="batch"/> active entries whose expiry passed; returns how many.</summary>
    internal async Task<int> ExpireDueAsync(int batch, CancellationToken cancellationToken)
    {
        var due = new List<(long Id, IdentifierKind Kind, string Value, EntryState State)>();
        await using (var select = Connection.CreateCommand(Transaction, DueForExpirySql(dialect.Provider, batch)))
        {
            select.AddParameter("@now", dialect.Timestamp(Now));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add((reader.GetInt64(0), KindOf(reader, 1), reader.GetString(2), EntryState.Read(reader, 3)));
            }
        }

        if (due.Count == 0)
        {
            return 0;
        }

        var writer = await RowsAsync(cancellationToken);
        foreach (var entry in due)
        {
            var version = ++Version;
            var after = entry.State with { Status = EntryStatus.Expired };
            await writer.SetStatusAsync(entry.Id, EntryStatus.Expired, version, cancellationToken);
            await writer.InsertHistoryAsync(entry.Id, version, EntryActions.Expired, "The entry's expiry passed", entry.State, after, cancellationToken);
            await writer.InsertChangeAsync(version, entry.Id, ChangeOps.Remove, entry.Kind, entry.Value, after, cancellationToken);
            ended.Add(new EndedFlag(entry.Id, FlagEnd.Expired));
        }

        await writer.FlushAsync(cancellationToken);
        return due.Count;
    }

    /// <summary>The next list version, for a change this transaction makes (re-keying numbers its own).</summary>
    internal long NextVersion() => ++Version;

    /// <summary>The row writer of this transaction, stamped with its time and actor.</summary>
    internal async Task<EntryRowWriter> RowsAsync(CancellationToken cancellationToken) =>
        rows ??= await EntryRowWriter.CreateAsync(Connection, Transaction, dialect, Actor, Now, cancellationToken);

    /// <summary>Writes what is buffered, the list state when a change moved it, and the audit records; true when the version moved.</summary>
    internal async Task<bool> FinishAsync(CancellationToken cancellationToken)
    {
        if (rows is not null)
        {
            await rows.FlushAsync(cancellationToken);
        }

        if (Version != started)
        {
            await ListVersionRow.SetAsync(Connection, Transaction, Version, cancellationToken);
        }

        foreach (var (action, subjectType, subjectId, detail) in audit)
        {
            await Data.Audit.InsertAsync(Connection, Transaction, Now, Actor, action, subjectType, subjectId, detail, cancellationToken);
        }

        return Version != started;
    }

    public ValueTask DisposeAsync() => rows?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>
    /// A source names an identifier: a new entry, one flagged again (it was not active: it starts afresh with what the
    /// source says), or an active one the source joins. Even when nothing but the sources change it is an update: lookups
    /// answer with the sources, and every instance's index follows the change log.
    /// </summary>
    private async Task<(long EntryId, string Action)> NameAsync(
        EntryRowWriter writer, IdentifierKind kind, string key, StoredEntry? before, string display, Category category, Risk risk, DateTime? expiresAt,
        string reason, CancellationToken cancellationToken)
    {
        var version = ++Version;
        if (before is null)
        {
            var added = new EntryState(display, EntryStatus.Active, category, risk, expiresAt, Now);
            var id = await writer.InsertEntryAsync(kind, key, added, version, cancellationToken);
            await writer.InsertHistoryAsync(id, version, EntryActions.Flagged, reason, null, added, cancellationToken);
            await writer.InsertChangeAsync(version, id, ChangeOps.Add, kind, key, added, cancellationToken);
            return (id, EntryActions.Flagged);
        }

        var reactivated = before.State.Status != EntryStatus.Active;
        var after = reactivated
            ? new EntryState(before.State.Display, EntryStatus.Active, category, risk, expiresAt, Now)
            : before.State.Joined(category, risk, expiresAt, Now);
        var changed = before.State.Category != after.Category || before.State.Risk != after.Risk || before.State.ExpiresAt != after.ExpiresAt;
        var action = reactivated ? EntryActions.Reflagged : changed ? EntryActions.Updated : EntryActions.SourceAdded;
        await writer.InsertChangeAsync(version, before.Id, reactivated ? ChangeOps.Add : ChangeOps.Update, kind, key, after, cancellationToken);
        await writer.UpdateEntryAsync(before.Id, after, version, cancellationToken);
        await writer.InsertHistoryAsync(before.Id, version, action, reason, before.State, after, cancellationToken);
        return (before.Id, action);
    }

    private Task<(IdentifierKind Kind, string Value, EntryState State)> ReadAsync(long entryId, CancellationToken cancellationToken) =>
        ReadAsync(Connection, Transaction, entryId, cancellationToken);

    internal static async Task<(IdentifierKind Kind, string Value, EntryState State)> ReadAsync(
        DbConnection connection, DbTransaction transaction, long entryId, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand(transaction,
            "SELECT kind, value, display, status, category, risk, expires_at, last_seen FROM entries WHERE id = @id");
        select.AddParameter("@id", entryId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"Entry {entryId} does not exist.");
        }

        return (KindOf(reader, 0), reader.GetString(1), EntryState.Read(reader, 2));
    }

    private static IdentifierKind KindOf(DbDataReader reader, int column) =>
        IdentifierKinds.TryParse(reader.GetString(column), out var kind) ? kind : throw new FormatException($"An entry has an unknown kind '{reader.GetString(column)}'.");
}

/// <summary>One validated, canonicalized row of a list, as the ledger writes it.</summary>
public sealed record ListEntryInput(
    IdentifierKind Kind,
    string Key,
    string Display,
    Category Category,
    Risk Risk,
    string? Note,
    DateTime? ExpiresAt);

/// <summary>An entry as a capability needs to see it before asking the ledger to change it.</summary>
public sealed record LedgerEntry(long Id, IdentifierKind Kind, string Key, EntryStatus Status)
{
    /// <summary>The whole stored state, for the ledger's own change of the entry in the same transaction.</summary>
    internal StoredEntry Stored { get; init; } = null!;
}

/// <summary>What a list did to the entries it names.</summary>
public sealed record ListNamed(int Added, int Updated, int Reflagged, int SourceAdded);

/// <summary>What a retraction did: entries that left the active list, and entries that keep other sources.</summary>
public sealed record ListUnnamed(int Removed, int KeptByOtherSources);

/// <summary>
/// What a verified new owner's date did: the sources it ended, the newer ones that still flag the entry, and the version
/// that cleared it (null when sources remain, or none was older).
/// </summary>
public sealed record OwnerSinceApplied(int SourcesRemoved, int SourcesKept, long? ClearedAt);

/// <summary>
/// The day a source of an entry counts from, for a new owner's date (<see cref="LedgerTransaction.EndSourcesBeforeAsync"/>):
/// the earlier of the day FlagApi received it (<c>added_at</c>, UTC) and, for a list, the publication date its agency gave
/// (<c>published_on</c>). The agency's date is when it saw the number in use; a list uploaded weeks after it was drawn up
/// still speaks of the earlier owner.
/// </summary>
public static class EntrySourceDates
{
    public static DateOnly Of(DateOnly? publishedOn, DateTime addedAt)
    {
        var added = DateOnly.FromDateTime(addedAt);
        return publishedOn is { } published && published < added ? published : added;
    }
}

/// <summary>The entry the accepted reports flag, what happened to it (an <see cref="EntryActions"/> name) and the version it took.</summary>
public sealed record ReportsAccepted(long EntryId, string Action, long Version);

/// <summary>The actions entry history records.</summary>
public static class EntryActions
{
    public const string Flagged = "flagged";
    public const string Reflagged = "reflagged";
    public const string Updated = "updated";
    public const string SourceAdded = "source_added";
    public const string SourceRemoved = "source_removed";
    public const string Retracted = "retracted";
    public const string Expired = "expired";
    public const string Cleared = "cleared";
    public const string AppealApproved = "appeal_approved";
    public const string AppealRejected = "appeal_rejected";
    public const string AppealSubmitted = "appeal_submitted";
}

/// <summary>What a source of an entry is.</summary>
public static class EntrySourceTypes
{
    public const string List = "list";
    public const string Report = "report";
}
