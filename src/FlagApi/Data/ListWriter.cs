using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using FlagApi.Entries;
using FlagApi.Identifiers;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Data;

/// <summary>Who published a list, and what identifies it (agency and reference are unique together).</summary>
public sealed record ListPublication(
    string Agency,
    string Reference,
    string? Title,
    string Origin,
    string PublishedBy,
    string ContentSha256,
    DateOnly? PublishedOn = null);

/// <summary>One validated, canonicalized row of a list.</summary>
public sealed record ListEntryInput(
    IdentifierKind Kind,
    string Key,
    string Display,
    Category Category,
    Risk Risk,
    string? Note,
    DateTime? ExpiresAt);

public enum PublishStatus
{
    Published,

    /// <summary>The same agency and reference with the same content was published before: nothing changed.</summary>
    AlreadyPublished,

    /// <summary>The same agency and reference exists with different content.</summary>
    ReferenceConflict,
}

public sealed record PublishResult(
    PublishStatus Status,
    long ListId,
    long ListVersion,
    int Added,
    int Updated,
    int Reflagged,
    int SourceAdded)
{
    public DateTime PublishedAt { get; init; }

    /// <summary>For <see cref="PublishStatus.AlreadyPublished"/>: the answer recorded when the list was first published.</summary>
    public string? StoredResult { get; init; }
}

public enum RetractStatus
{
    Retracted,
    NotFound,
    AlreadyRetracted,
}

/// <summary>What a retraction did: entries that left the active list, and entries that keep other sources.</summary>
public sealed record RetractResult(RetractStatus Status, long ListVersion, int Removed, int KeptByOtherSources);

/// <summary>
/// Writes a whole list in one transaction: entries, their sources, history and change log, and
/// the list record. Plain parameterized ADO.NET on the context's connection, because EF change
/// tracking costs seconds per hundred thousand rows and a police list can hold a million.
/// </summary>
public sealed class ListWriter(FlagDbContext db, DatabaseProviderInfo providerInfo, TimeProvider time)
{
    /// <param name="describe">Makes the answer to record with the list (JSON), returned again to a client that re-sends it.</param>
    public async Task<PublishResult> PublishAsync(
        ListPublication list, IReadOnlyList<ListEntryInput> rows, Func<PublishResult, string>? describe = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            if (providerInfo.Dialect.BeforeBulkWrite is { } setup)
            {
                await using var command = connection.CreateCommand(null, setup);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

            var version = await ListVersionRow.LockAsync(connection, transaction, providerInfo.Dialect, cancellationToken);
            var existingList = await FindListAsync(connection, transaction, list, cancellationToken);
            if (existingList is { } found)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new PublishResult(
                    found.Sha256 == list.ContentSha256 ? PublishStatus.AlreadyPublished : PublishStatus.ReferenceConflict,
                    found.Id, found.Version, 0, 0, 0, 0)
                { StoredResult = found.Result };
            }

            var listId = await InsertListAsync(connection, transaction, list, rows.Count, now, cancellationToken);
            var existing = await FindEntriesAsync(connection, transaction, rows, cancellationToken);
            var label = SourceLabel(list);
            var reason = $"Published in list {label}";

            await using var writer = await EntryRowWriter.CreateAsync(connection, transaction, providerInfo.Dialect, list.PublishedBy, now, cancellationToken);
            int added = 0, updated = 0, reflagged = 0, sourceAdded = 0;
            foreach (var row in rows)
            {
                long entryId;
                if (!existing.TryGetValue((row.Kind, row.Key), out var before))
                {
                    version++;
                    var after = new EntryState(row.Display, EntryStatus.Active, row.Category, row.Risk, row.ExpiresAt, now);
                    entryId = await writer.InsertEntryAsync(row.Kind, row.Key, after, version, cancellationToken);
                    await writer.InsertHistoryAsync(entryId, version, "flagged", reason, null, after, cancellationToken);
                    await writer.InsertChangeAsync(version, entryId, ChangeOps.Add, row.Kind, row.Key, after, cancellationToken);
                    added++;
                }
                else
                {
                    entryId = before.Id;
                    var after = Merge(before.State, row, now);
                    // Even when nothing but the sources change it is an update: lookups answer with the sources,
                    // and every instance's index follows the change log.
                    var op = before.State.Status != EntryStatus.Active ? ChangeOps.Add : ChangeOps.Update;
                    var changed = before.State.Category != after.Category || before.State.Risk != after.Risk || before.State.ExpiresAt != after.ExpiresAt;
                    version++;
                    await writer.InsertChangeAsync(version, entryId, op, row.Kind, row.Key, after, cancellationToken);
                    await writer.UpdateEntryAsync(entryId, after, version, cancellationToken);
                    var action = op == ChangeOps.Add ? "reflagged" : changed ? "updated" : "source_added";
                    await writer.InsertHistoryAsync(entryId, version, action, reason, before.State, after, cancellationToken);
                    switch (action)
                    {
                        case "reflagged": reflagged++; break;
                        case "updated": updated++; break;
                        default: sourceAdded++; break;
                    }
                }

                await writer.InsertSourceAsync(entryId, listId, label, row, cancellationToken);
            }

            await writer.FlushAsync(cancellationToken);
            await providerInfo.Dialect.AfterExplicitIdsAsync(connection, transaction, "entries", writer.LastId, cancellationToken);
            var result = new PublishResult(PublishStatus.Published, listId, version, added, updated, reflagged, sourceAdded) { PublishedAt = now };
            var recorded = describe?.Invoke(result);
            await FinishAsync(connection, transaction, listId, version, recorded, cancellationToken);
            await InsertAuditAsync(connection, transaction, now, list.PublishedBy, "list.published", listId,
                new { list.Agency, list.Reference, list.Title, list.Origin, Entries = rows.Count, added, updated, reflagged, alreadyFlagged = sourceAdded, listVersion = version },
                cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result with { StoredResult = recorded };
        }
        finally
        {
            if (providerInfo.Dialect.AfterBulkWrite is { } reset)
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
    }

    /// <summary>
    /// Retracts a list in one transaction: its sources end, entries it alone flagged leave the active
    /// list (a <c>remove</c> in the change log), entries with other sources stay as they are.
    /// </summary>
    public async Task<RetractResult> RetractAsync(long listId, string actor, string reason, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var version = await ListVersionRow.LockAsync(connection, transaction, providerInfo.Dialect, cancellationToken);

            string label;
            await using (var find = connection.CreateCommand(transaction, "SELECT agency, reference, retracted_at FROM lists WHERE id = @id"))
            {
                find.AddParameter("@id", listId);
                await using var reader = await find.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return new RetractResult(RetractStatus.NotFound, version, 0, 0);
                }

                if (!reader.IsDBNull(2))
                {
                    return new RetractResult(RetractStatus.AlreadyRetracted, version, 0, 0);
                }

                label = $"{reader.GetString(0)} {reader.GetString(1)}";
            }

            var at = providerInfo.Dialect.Timestamp(now);
            await using (var end = connection.CreateCommand(transaction, "UPDATE entry_sources SET removed_at = @at WHERE list_id = @id AND removed_at IS NULL"))
            {
                end.AddParameter("@at", at);
                end.AddParameter("@id", listId);
                await end.ExecuteNonQueryAsync(cancellationToken);
            }

            var affected = new List<(long Id, IdentifierKind Kind, string Value, EntryState State, long Others)>();
            await using (var select = connection.CreateCommand(transaction,
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
                    var kind = IdentifierKinds.TryParse(reader.GetString(1), out var k) ? k : throw new FormatException($"Entry {reader.GetInt64(0)} has an unknown kind.");
                    affected.Add((reader.GetInt64(0), kind, reader.GetString(2), EntryState.Read(reader, 3), reader.GetInt64(9)));
                }
            }

            var why = $"List {label} retracted: {reason}";
            int removed = 0, kept = 0;
            await using (var writer = await EntryRowWriter.CreateAsync(connection, transaction, providerInfo.Dialect, actor, now, cancellationToken))
            {
                foreach (var entry in affected)
                {
                    if (entry.Others == 0 && entry.State.Status == EntryStatus.Active)
                    {
                        version++;
                        var after = entry.State with { Status = EntryStatus.Retracted };
                        await writer.SetStatusAsync(entry.Id, EntryStatus.Retracted, version, cancellationToken);
                        await writer.InsertHistoryAsync(entry.Id, version, "retracted", why, entry.State, after, cancellationToken);
                        await writer.InsertChangeAsync(version, entry.Id, ChangeOps.Remove, entry.Kind, entry.Value, after, cancellationToken);
                        removed++;
                    }
                    else
                    {
                        version++;
                        await writer.SetStatusAsync(entry.Id, entry.State.Status, version, cancellationToken);
                        await writer.InsertHistoryAsync(entry.Id, version, "source_removed", why, entry.State, entry.State, cancellationToken);
                        await writer.InsertChangeAsync(version, entry.Id, ChangeOps.Update, entry.Kind, entry.Value, entry.State, cancellationToken);
                        kept++;
                    }
                }

                await writer.FlushAsync(cancellationToken);
            }

            await ListVersionRow.SetAsync(connection, transaction, version, cancellationToken);

            await using (var mark = connection.CreateCommand(transaction,
                "UPDATE lists SET retracted_at = @at, retracted_by = @by, retraction_reason = @reason, retraction_version = @version WHERE id = @id"))
            {
                mark.AddParameter("@at", now);
                mark.AddParameter("@by", actor);
                mark.AddParameter("@reason", reason);
                mark.AddParameter("@version", version);
                mark.AddParameter("@id", listId);
                await mark.ExecuteNonQueryAsync(cancellationToken);
            }

            await InsertAuditAsync(connection, transaction, now, actor, "list.retracted", listId,
                new { reason, removed, keptByOtherSources = kept, listVersion = version }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new RetractResult(RetractStatus.Retracted, version, removed, kept);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public static string SourceLabel(ListPublication list) => $"{list.Agency} {list.Reference}";

    private static Task InsertAuditAsync(
        DbConnection connection, DbTransaction transaction, DateTime at, string actor, string action, long listId, object detail, CancellationToken cancellationToken) =>
        Audit.InsertAsync(connection, transaction, at, actor, action, "list", listId.ToString(CultureInfo.InvariantCulture), detail, cancellationToken);

    /// <summary>A list naming an entry again: it is active; an entry that was not starts afresh with what the list says.</summary>
    private static EntryState Merge(EntryState before, ListEntryInput row, DateTime now) =>
        before.Status != EntryStatus.Active
            ? new EntryState(before.Display, EntryStatus.Active, row.Category, row.Risk, row.ExpiresAt, now)
            : before.Joined(row.Category, row.Risk, row.ExpiresAt, now);

    private static async Task<(long Id, string Sha256, long Version, string? Result)?> FindListAsync(
        DbConnection connection, DbTransaction transaction, ListPublication list, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(transaction,
            "SELECT id, content_sha256, version, result FROM lists WHERE agency = @agency AND reference = @reference");
        command.AddParameter("@agency", list.Agency);
        command.AddParameter("@reference", list.Reference);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3))
            : null;
    }

    private static async Task<long> InsertListAsync(
        DbConnection connection, DbTransaction transaction, ListPublication list, int count, DateTime now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(transaction,
            """
            INSERT INTO lists (agency, reference, title, origin, content_sha256, entry_count, published_at, published_by, published_on, version)
            VALUES (@agency, @reference, @title, @origin, @sha, @count, @at, @by, @on, 0) RETURNING id
            """);
        command.AddParameter("@agency", list.Agency);
        command.AddParameter("@reference", list.Reference);
        command.AddParameter("@title", list.Title);
        command.AddParameter("@origin", list.Origin);
        command.AddParameter("@sha", list.ContentSha256);
        command.AddParameter("@count", count);
        command.AddParameter("@at", now);
        command.AddParameter("@by", list.PublishedBy);
        command.AddParameter("@on", list.PublishedOn);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task FinishAsync(
        DbConnection connection, DbTransaction transaction, long listId, long version, string? result, CancellationToken cancellationToken)
    {
        await ListVersionRow.SetAsync(connection, transaction, version, cancellationToken);
        await using var list = connection.CreateCommand(transaction, "UPDATE lists SET version = @version, result = @result WHERE id = @id");
        list.AddParameter("@version", version);
        list.AddParameter("@result", result);
        list.AddParameter("@id", listId);
        await list.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<Dictionary<(IdentifierKind, string), StoredEntry>> FindEntriesAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<ListEntryInput> rows, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(IdentifierKind, string), StoredEntry>();
        foreach (var group in rows.GroupBy(r => r.Kind))
        {
            await StoredEntry.FindAsync(connection, transaction, providerInfo.Dialect, group.Key, group.Select(r => r.Key),
                entry => found[(group.Key, entry.Key)] = entry, cancellationToken);
        }

        return found;
    }
}

/// <summary>An entry's state as history records it before and after a change.</summary>
internal sealed record EntryState(
    string Display,
    EntryStatus Status,
    Category Category,
    Risk Risk,
    DateTime? ExpiresAt,
    DateTime LastSeen)
{
    public static EntryState Of(Entry entry) =>
        new(entry.Display, entry.Status, entry.Category, entry.Risk, entry.ExpiresAt, entry.LastSeen);

    /// <summary>Reads <c>display, status, category, risk, expires_at, last_seen</c>, in that order from column <paramref name="first"/>.</summary>
    public static EntryState Read(DbDataReader reader, int first) => new(
        reader.GetString(first),
        WireNames.Parse<EntryStatus>(reader.GetString(first + 1)),
        WireNames.Parse<Category>(reader.GetString(first + 2)),
        WireNames.Parse<Risk>(reader.GetString(first + 3)),
        reader.IsDBNull(first + 4) ? null : AsUtc(reader.GetDateTime(first + 4)),
        AsUtc(reader.GetDateTime(first + 5)));

    public static DateTime AsUtc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    /// <summary>
    /// What a source seen at <paramref name="seen"/> says, joined to this state: its category stands (it is the newer
    /// word), the risk never drops because one source rated it lower, and an expiry only ever moves later (no expiry wins).
    /// </summary>
    public EntryState Joined(Category category, Risk risk, DateTime? expiresAt, DateTime seen) => this with
    {
        Category = category,
        Risk = risk > Risk ? risk : Risk,
        ExpiresAt = ExpiresAt is null || expiresAt is null ? null : ExpiresAt > expiresAt ? ExpiresAt : expiresAt,
        LastSeen = seen,
    };

    public string ToJson() => JsonSerializer.Serialize(
        new HistoryState(WireNames.Of(Status), WireNames.Of(Category), WireNames.Of(Risk), ExpiresAt),
        HistoryJson.Options);

    private sealed record HistoryState(string Status, string Category, string Risk, DateTime? ExpiresAt);
}

internal static class HistoryJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

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

    /// <summary>
    /// Moves every source and history row of entry <paramref name="from"/> to entry <paramref name="to"/>, which one
    /// identifier has become. Written at once, after the rows buffered so far.
    /// </summary>
    public async Task MoveSourcesAndHistoryAsync(long from, long to, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        foreach (var table in (string[])["entry_sources", "entry_history"])
        {
            await using var move = connection.CreateCommand(transaction, $"UPDATE {table} SET entry_id = @to WHERE entry_id = @from");
            move.AddParameter("@to", to);
            move.AddParameter("@from", from);
            await move.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The list as a source of the entry, with what this list said about it.</summary>
    public ValueTask InsertSourceAsync(long entryId, long listId, string label, ListEntryInput row, CancellationToken cancellationToken)
    {
        batch.Sources.Add(new SourceRow(
            entryId, listId, "list", label, row.Note, row.Display, WireNames.Of(row.Category), WireNames.Of(row.Risk), row.ExpiresAt));
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
