using System.Data.Common;

namespace FlagApi.Data;

/// <summary>A new row of <c>entries</c>; first and last seen are the batch's time. Names are wire names.</summary>
internal readonly record struct EntryRow(
    long Id, string Kind, string Value, string Display, string Category, string Risk, string Status, DateTime? ExpiresAt, long Version);

/// <summary>A row of <c>entry_history</c>, made at the batch's time by its actor; the states are JSON.</summary>
internal readonly record struct HistoryRow(long EntryId, long Version, string Action, string? Reason, string? Before, string After);

/// <summary>A row of <c>change_log</c>, made at the batch's time.</summary>
internal readonly record struct ChangeRow(
    long Version, long EntryId, string Op, string Kind, string Value, string Category, string Risk, string Status);

/// <summary>A row of <c>entry_sources</c>, added at the batch's time.</summary>
internal readonly record struct SourceRow(
    long EntryId, long ListId, string SourceType, string Label, string? Note, string Display, string Category, string Risk, DateTime? ExpiresAt);

/// <summary>
/// Rows of one transaction waiting to be written, all stamped with the same time and actor. Entries
/// are written first, as the other rows reference them; within a table rows keep their order, so
/// generated ids come out as if each row had been inserted when it was added.
/// </summary>
internal sealed class BulkRowBatch(DateTime at, string actor)
{
    public DateTime At { get; } = at;

    public string Actor { get; } = actor;

    public List<EntryRow> Entries { get; } = [];

    public List<HistoryRow> History { get; } = [];

    public List<ChangeRow> Changes { get; } = [];

    public List<SourceRow> Sources { get; } = [];

    public int Count => Entries.Count + History.Count + Changes.Count + Sources.Count;

    public void Clear()
    {
        Entries.Clear();
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
    private readonly SqlDialect dialect;

    public SqlBulkRowWriter(DbConnection connection, DbTransaction transaction, SqlDialect dialect)
    {
        this.dialect = dialect;
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
