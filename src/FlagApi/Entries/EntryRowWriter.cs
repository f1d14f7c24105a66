using System.Data.Common;
using System.Globalization;
using FlagApi.Data;
using FlagApi.Identifiers;

namespace FlagApi.Entries;

/// <summary>
/// Writes the rows of one transaction. New entries get their ids here (the caller holds the list
/// version lock, which every entry write takes) so they can be inserted in batches with their
/// history, change and source rows, which reference them, by the provider's <see cref="BulkRowWriter"/>.
/// </summary>
internal sealed class EntryRowWriter : IAsyncDisposable
{
    private readonly DbConnection connection;
    private readonly DbTransaction transaction;
    private readonly BulkRowWriter bulk;
    private readonly BulkRowBatch batch;
    private readonly HashSet<long> updatedInBatch = [];
    private long nextId;

    private readonly Dictionary<(EntryStatus, Category, Risk, DateTime?), string> stateJson = [];

    private EntryRowWriter(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string actor, DateTime at, long maxId)
    {
        nextId = maxId;
        this.connection = connection;
        this.transaction = transaction;
        bulk = dialect.CreateBulkRowWriter(connection, transaction);
        batch = new BulkRowBatch(at, actor);
    }

    public long LastId => nextId;

    /// <summary>A writer whose rows are all stamped <paramref name="at"/>, the time of the transaction.</summary>
    public static async Task<EntryRowWriter> CreateAsync(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, string actor, DateTime at, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(transaction, "SELECT COALESCE(MAX(id), 0) FROM entries");
        var maxId = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return new EntryRowWriter(connection, transaction, dialect, actor, at, maxId);
    }

    public async Task<long> InsertEntryAsync(IdentifierKind kind, string key, EntryState state, long version, CancellationToken cancellationToken)
    {
        var id = ++nextId;
        batch.Entries.Add(new EntryRow(
            id, kind.ToWire(), key, state.Display, WireNames.Of(state.Category), WireNames.Of(state.Risk), WireNames.Of(state.Status), state.ExpiresAt, version));
        await WriteIfFullAsync(cancellationToken);
        return id;
    }

    public async ValueTask UpdateEntryAsync(long id, EntryState state, long version, CancellationToken cancellationToken)
    {
        await BeforeUpdateAsync(id, cancellationToken);
        batch.Updates.Add(new EntryUpdateRow(id, WireNames.Of(state.Category), WireNames.Of(state.Risk), WireNames.Of(state.Status), state.ExpiresAt, version));
        await WriteIfFullAsync(cancellationToken);
    }

    public ValueTask InsertHistoryAsync(
        long entryId, long version, string action, string? reason, EntryState? before, EntryState after, CancellationToken cancellationToken)
    {
        batch.History.Add(new HistoryRow(entryId, version, action, reason, before is null ? null : Json(before), Json(after)));
        return WriteIfFullAsync(cancellationToken);
    }

    public ValueTask InsertChangeAsync(
        long version, long entryId, string op, IdentifierKind kind, string key, EntryState state, CancellationToken cancellationToken)
    {
        batch.Changes.Add(new ChangeRow(
            version, entryId, op, kind.ToWire(), key, WireNames.Of(state.Category), WireNames.Of(state.Risk), WireNames.Of(state.Status)));
        return WriteIfFullAsync(cancellationToken);
    }

    /// <summary>Changes only an entry's status (a retraction): when it was last seen does not move.</summary>
    public async ValueTask SetStatusAsync(long id, EntryStatus status, long version, CancellationToken cancellationToken)
    {
        await BeforeUpdateAsync(id, cancellationToken);
        batch.StatusChanges.Add(new StatusRow(id, WireNames.Of(status), version));
        await WriteIfFullAsync(cancellationToken);
    }

    /// <summary>
    /// Gives an entry the key the identifier rules now make of its old one, with the state a merge left it in. Nothing was
    /// seen now: first and last seen are given, not the transaction's time.
    /// </summary>
    public async ValueTask RekeyEntryAsync(long id, string key, EntryState state, DateTime firstSeen, long version, CancellationToken cancellationToken)
    {
        await BeforeUpdateAsync(id, cancellationToken);
        batch.Rekeys.Add(new EntryRekeyRow(
            id, key, WireNames.Of(state.Category), WireNames.Of(state.Risk), WireNames.Of(state.Status), firstSeen, state.LastSeen, state.ExpiresAt, version));
        await WriteIfFullAsync(cancellationToken);
    }

    /// <summary>The statements that move an entry's sources and history to another entry.</summary>
    internal static readonly string[] MoveStatements =
        [.. ((string[])["entry_sources", "entry_history"]).Select(table => $"UPDATE {table} SET entry_id = @to WHERE entry_id = @from")];

    /// <summary>
    /// Moves every source and history row of entry <paramref name="from"/> to entry <paramref name="to"/>, which one
    /// identifier has become. Written at once, after the rows buffered so far.
    /// </summary>
    public async Task MoveSourcesAndHistoryAsync(long from, long to, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        foreach (var sql in MoveStatements)
        {
            await using var move = connection.CreateCommand(transaction, sql);
            move.AddParameter("@to", to);
            move.AddParameter("@from", from);
            await move.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>A source of an entry (a list, a report), with what it said about it.</summary>
    public ValueTask InsertSourceAsync(SourceRow source, CancellationToken cancellationToken)
    {
        batch.Sources.Add(source);
        return WriteIfFullAsync(cancellationToken);
    }

    /// <summary>A list's rows mostly share a handful of states: serialize each once.</summary>
    private string Json(EntryState state)
    {
        var key = (state.Status, state.Category, state.Risk, state.ExpiresAt);
        if (!stateJson.TryGetValue(key, out var json))
        {
            stateJson[key] = json = state.ToJson();
        }

        return json;
    }

    /// <summary>A batch updates each entry at most once, so that a provider may apply its updates as one set; a second update of an entry starts a new batch.</summary>
    private async ValueTask BeforeUpdateAsync(long id, CancellationToken cancellationToken)
    {
        if (!updatedInBatch.Add(id))
        {
            await FlushAsync(cancellationToken);
            updatedInBatch.Add(id);
        }
    }

    private ValueTask WriteIfFullAsync(CancellationToken cancellationToken) =>
        batch.Count < bulk.BatchRows ? ValueTask.CompletedTask : new ValueTask(FlushAsync(cancellationToken));

    /// <summary>Writes every buffered row.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (batch.Count > 0)
        {
            await bulk.WriteAsync(batch, cancellationToken);
            batch.Clear();
            updatedInBatch.Clear();
        }
    }

    public ValueTask DisposeAsync() => bulk.DisposeAsync();
}
