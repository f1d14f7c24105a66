using System.Data.Common;

namespace FlagApi.Data;

/// <summary>A new row of <c>entries</c>; first and last seen are the batch's time. Names are wire names.</summary>
internal readonly record struct EntryRow(
    long Id, string Kind, string Value, string Display, string Category, string Risk, string Status, DateTime? ExpiresAt, long Version);

/// <summary>A list naming an entry again: its new state; last seen is the batch's time.</summary>
internal readonly record struct EntryUpdateRow(long Id, string Category, string Risk, string Status, DateTime? ExpiresAt, long Version);

/// <summary>Only an entry's status changes (a retraction, an expiry): when it was last seen does not move.</summary>
internal readonly record struct StatusRow(long Id, string Status, long Version);

/// <summary>An entry under the key the identifier rules now give it, in its whole state: first and last seen are the entry's own.</summary>
internal readonly record struct EntryRekeyRow(
    long Id, string Value, string Category, string Risk, string Status, DateTime FirstSeen, DateTime LastSeen, DateTime? ExpiresAt, long Version);

/// <summary>A row of <c>entry_history</c>, made at the batch's time by its actor; the states are JSON.</summary>
internal readonly record struct HistoryRow(long EntryId, long Version, string Action, string? Reason, string? Before, string After);

/// <summary>A row of <c>change_log</c>, made at the batch's time.</summary>
internal readonly record struct ChangeRow(
    long Version, long EntryId, string Op, string Kind, string Value, string Category, string Risk, string Status);

/// <summary>A row of <c>entry_sources</c>, added at the batch's time; a report has no list.</summary>
internal readonly record struct SourceRow(
    long EntryId, long? ListId, string SourceType, string Label, string? Note, string Display, string Category, string Risk, DateTime? ExpiresAt);

/// <summary>
/// Rows of one transaction waiting to be written, all stamped with the same time and actor. New
/// entries are written first, as the other rows reference them, then updates of existing entries;
/// within a table rows keep their order, so generated ids come out as if each row had been written
/// when it was added. An entry is updated at most once per batch (see <see cref="EntryRowWriter"/>).
/// </summary>
internal sealed class BulkRowBatch(DateTime at, string actor)
{
    public DateTime At { get; } = at;

    public string Actor { get; } = actor;

    public List<EntryRow> Entries { get; } = [];

    public List<EntryUpdateRow> Updates { get; } = [];

    public List<StatusRow> StatusChanges { get; } = [];

    public List<EntryRekeyRow> Rekeys { get; } = [];

    public List<HistoryRow> History { get; } = [];

    public List<ChangeRow> Changes { get; } = [];

    public List<SourceRow> Sources { get; } = [];

    public int Count => Entries.Count + Updates.Count + StatusChanges.Count + Rekeys.Count + History.Count + Changes.Count + Sources.Count;

    public void Clear()
    {
        Entries.Clear();
        Updates.Clear();
        StatusChanges.Clear();
        Rekeys.Clear();
        History.Clear();
        Changes.Clear();
        Sources.Clear();
    }
}

/// <summary>
/// Writes batches of entry rows inside the caller's transaction, the fastest way the provider
/// offers: binary COPY on PostgreSQL, reused native statements on SQLite, multi-row INSERTs
/// otherwise. Each provider's writer is made by its <see cref="SqlDialect"/>.
/// </summary>
internal abstract class BulkRowWriter : IAsyncDisposable
{
    /// <summary>How many rows to gather before writing them: big enough to pay for a statement or a COPY, small enough to keep memory flat.</summary>
    public abstract int BatchRows { get; }

    public abstract Task WriteAsync(BulkRowBatch batch, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>Multi-row parameterized INSERTs: plain SQL any provider accepts, for a provider without a bulk path of its own.</summary>
internal sealed class SqlBulkRowWriter : BulkRowWriter
{
    private readonly BatchInsert entries;
    private readonly BatchInsert history;
    private readonly BatchInsert changes;
    private readonly BatchInsert sources;
    private readonly DbCommand update;
    private readonly DbCommand setStatus;
    private readonly DbCommand rekey;
    private readonly SqlDialect dialect;

    public SqlBulkRowWriter(DbConnection connection, DbTransaction transaction, SqlDialect dialect)
    {
        this.dialect = dialect;
        update = connection.CreateCommand(transaction,
            """
            UPDATE entries SET category = @category, risk = @risk, status = @status, last_seen = @seen, expires_at = @expires, version = @version
            WHERE id = @id
            """);
        foreach (var name in (string[])["@category", "@risk", "@status", "@seen", "@expires", "@version", "@id"])
        {
            update.AddParameter(name, DBNull.Value);
        }

        setStatus = connection.CreateCommand(transaction, "UPDATE entries SET status = @status, version = @version WHERE id = @id");
        foreach (var name in (string[])["@status", "@version", "@id"])
        {
            setStatus.AddParameter(name, DBNull.Value);
        }

        rekey = connection.CreateCommand(transaction,
            """
            UPDATE entries SET value = @value, category = @category, risk = @risk, status = @status, first_seen = @first, last_seen = @seen,
                expires_at = @expires, version = @version
            WHERE id = @id
            """);
        foreach (var name in (string[])["@value", "@category", "@risk", "@status", "@first", "@seen", "@expires", "@version", "@id"])
        {
            rekey.AddParameter(name, DBNull.Value);
        }

        var parameters = dialect.InsertParametersPerStatement;
        entries = new BatchInsert(connection, transaction, parameters, "entries", BulkColumns.Entries);
        history = new BatchInsert(connection, transaction, parameters, "entry_history", BulkColumns.History);
        changes = new BatchInsert(connection, transaction, parameters, "change_log", BulkColumns.Changes);
        sources = new BatchInsert(connection, transaction, parameters, "entry_sources", BulkColumns.Sources);
    }

    public override int BatchRows => 10_000;

    public override async Task WriteAsync(BulkRowBatch batch, CancellationToken cancellationToken)
    {
        var at = dialect.Timestamp(batch.At);
        foreach (var r in batch.Entries)
        {
            await entries.AddAsync([r.Id, r.Kind, r.Value, r.Display, r.Category, r.Risk, r.Status, at, at, r.ExpiresAt, r.Version], cancellationToken);
        }

        await entries.FlushAsync(cancellationToken);
        foreach (var r in batch.Updates)
        {
            var p = update.Parameters;
            p[0].Value = r.Category;
            p[1].Value = r.Risk;
            p[2].Value = r.Status;
            p[3].Value = at;
            p[4].Value = (object?)r.ExpiresAt ?? DBNull.Value;
            p[5].Value = r.Version;
            p[6].Value = r.Id;
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var r in batch.StatusChanges)
        {
            var p = setStatus.Parameters;
            p[0].Value = r.Status;
            p[1].Value = r.Version;
            p[2].Value = r.Id;
            await setStatus.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var r in batch.Rekeys)
        {
            var p = rekey.Parameters;
            p[0].Value = r.Value;
            p[1].Value = r.Category;
            p[2].Value = r.Risk;
            p[3].Value = r.Status;
            p[4].Value = dialect.Timestamp(r.FirstSeen);
            p[5].Value = dialect.Timestamp(r.LastSeen);
            p[6].Value = r.ExpiresAt is { } expires ? dialect.Timestamp(expires) : DBNull.Value;
            p[7].Value = r.Version;
            p[8].Value = r.Id;
            await rekey.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var r in batch.History)
        {
            await history.AddAsync([r.EntryId, r.Version, at, batch.Actor, r.Action, r.Reason, r.Before, r.After], cancellationToken);
        }

        await history.FlushAsync(cancellationToken);
        foreach (var r in batch.Changes)
        {
            await changes.AddAsync([r.Version, r.EntryId, r.Op, r.Kind, r.Value, r.Category, r.Risk, r.Status, at], cancellationToken);
        }

        await changes.FlushAsync(cancellationToken);
        foreach (var r in batch.Sources)
        {
            await sources.AddAsync([r.EntryId, r.ListId, r.SourceType, r.Label, r.Note, r.Display, r.Category, r.Risk, r.ExpiresAt, at], cancellationToken);
        }

        await sources.FlushAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await update.DisposeAsync();
        await setStatus.DisposeAsync();
        await rekey.DisposeAsync();
        await entries.DisposeAsync();
        await history.DisposeAsync();
        await changes.DisposeAsync();
        await sources.DisposeAsync();
    }
}

/// <summary>The columns each bulk writer fills, in the order of the row records.</summary>
internal static class BulkColumns
{
    public static readonly string[] Entries =
        ["id", "kind", "value", "display", "category", "risk", "status", "first_seen", "last_seen", "expires_at", "version"];

    public static readonly string[] History = ["entry_id", "version", "at", "actor", "action", "reason", "before", "after"];

    public static readonly string[] Changes = ["version", "entry_id", "op", "kind", "value", "category", "risk", "status", "at"];

    public static readonly string[] Sources =
        ["entry_id", "list_id", "source_type", "label", "note", "display", "category", "risk", "expires_at", "added_at"];
}
