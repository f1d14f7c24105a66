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
    string ContentSha256);

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
    int SourceAdded);

/// <summary>
/// Writes a whole list in one transaction: entries, their sources, history and change log, and
/// the list record. Plain parameterized ADO.NET on the context's connection, because EF change
/// tracking costs seconds per hundred thousand rows and a police list can hold a million.
/// </summary>
public sealed class ListWriter(FlagDbContext db, DatabaseProviderInfo providerInfo)
{
    private const int LookupChunk = 500;

    public async Task<PublishResult> PublishAsync(ListPublication list, IReadOnlyList<ListEntryInput> rows, CancellationToken cancellationToken = default)
    {
        var now = DateTime.UtcNow;
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

            var version = await ReadListVersionAsync(connection, transaction, cancellationToken);
            var existingList = await FindListAsync(connection, transaction, list, cancellationToken);
            if (existingList is { } found)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new PublishResult(
                    found.Sha256 == list.ContentSha256 ? PublishStatus.AlreadyPublished : PublishStatus.ReferenceConflict,
                    found.Id, found.Version, 0, 0, 0, 0);
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
                    string? op = before.State.Status != EntryStatus.Active
                        ? ChangeOps.Add
                        : before.State.Category != after.Category || before.State.Risk != after.Risk || before.State.ExpiresAt != after.ExpiresAt
                            ? ChangeOps.Update
                            : null;
                    var entryVersion = before.Version;
                    if (op is not null)
                    {
                        version++;
                        entryVersion = version;
                        await writer.InsertChangeAsync(version, entryId, op, row.Kind, row.Key, after, cancellationToken);
                    }

                    await writer.UpdateEntryAsync(entryId, after, entryVersion, cancellationToken);
                    var action = op == ChangeOps.Add ? "reflagged" : op == ChangeOps.Update ? "updated" : "source_added";
                    await writer.InsertHistoryAsync(entryId, version, action, reason, before.State, after, cancellationToken);
                    switch (action)
                    {
                        case "reflagged": reflagged++; break;
                        case "updated": updated++; break;
                        default: sourceAdded++; break;
                    }
                }

                await writer.InsertSourceAsync(entryId, listId, label, row.Note, cancellationToken);
            }

            await writer.FlushAsync(cancellationToken);
            await providerInfo.Dialect.AfterExplicitIdsAsync(connection, transaction, "entries", writer.LastId, cancellationToken);
            await FinishAsync(connection, transaction, listId, version, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new PublishResult(PublishStatus.Published, listId, version, added, updated, reflagged, sourceAdded);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public static string SourceLabel(ListPublication list) => $"{list.Agency} {list.Reference}";

    /// <summary>
    /// A list naming an entry again: it is active, the newest list's category stands, the risk never
    /// drops because one list rated it lower, and an expiry only ever moves later (no expiry wins).
    /// </summary>
    private static EntryState Merge(EntryState before, ListEntryInput row, DateTime now)
    {
        var reactivated = before.Status != EntryStatus.Active;
        DateTime? expires = reactivated ? row.ExpiresAt
            : before.ExpiresAt is null || row.ExpiresAt is null ? null
            : before.ExpiresAt > row.ExpiresAt ? before.ExpiresAt : row.ExpiresAt;
        var risk = reactivated || row.Risk > before.Risk ? row.Risk : before.Risk;
        return new EntryState(before.Display, EntryStatus.Active, row.Category, risk, expires, now);
    }

    private async Task<long> ReadListVersionAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(transaction, providerInfo.Dialect.SelectListVersionForUpdate);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task<(long Id, string Sha256, long Version)?> FindListAsync(
        DbConnection connection, DbTransaction transaction, ListPublication list, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(transaction,
            "SELECT id, content_sha256, version FROM lists WHERE agency = @agency AND reference = @reference");
        command.AddParameter("@agency", list.Agency);
        command.AddParameter("@reference", list.Reference);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)) : null;
    }

    private static async Task<long> InsertListAsync(
        DbConnection connection, DbTransaction transaction, ListPublication list, int count, DateTime now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(transaction,
            """
            INSERT INTO lists (agency, reference, title, origin, content_sha256, entry_count, published_at, published_by, version)
            VALUES (@agency, @reference, @title, @origin, @sha, @count, @at, @by, 0) RETURNING id
            """);
        command.AddParameter("@agency", list.Agency);
        command.AddParameter("@reference", list.Reference);
        command.AddParameter("@title", list.Title);
        command.AddParameter("@origin", list.Origin);
        command.AddParameter("@sha", list.ContentSha256);
        command.AddParameter("@count", count);
        command.AddParameter("@at", now);
        command.AddParameter("@by", list.PublishedBy);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task FinishAsync(DbConnection connection, DbTransaction transaction, long listId, long version, CancellationToken cancellationToken)
    {
        await using var state = connection.CreateCommand(transaction, "UPDATE list_state SET version = @version WHERE id = 1");
        state.AddParameter("@version", version);
        await state.ExecuteNonQueryAsync(cancellationToken);
        await using var list = connection.CreateCommand(transaction, "UPDATE lists SET version = @version WHERE id = @id");
        list.AddParameter("@version", version);
        list.AddParameter("@id", listId);
        await list.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<Dictionary<(IdentifierKind, string), ExistingEntry>> FindEntriesAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<ListEntryInput> rows, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(IdentifierKind, string), ExistingEntry>();
        foreach (var group in rows.GroupBy(r => r.Kind))
        {
            foreach (var chunk in group.Select(r => r.Key).Chunk(LookupChunk))
            {
                await using var command = connection.CreateCommand(transaction, string.Empty);
                var names = new string[chunk.Length];
                for (var i = 0; i < chunk.Length; i++)
                {
                    names[i] = "@v" + i.ToString(CultureInfo.InvariantCulture);
                    command.AddParameter(names[i], chunk[i]);
                }

                command.AddParameter("@kind", group.Key.ToWire());
                command.CommandText =
                    $"SELECT id, value, display, status, category, risk, expires_at, first_seen, version FROM entries WHERE kind = @kind AND value IN ({string.Join(',', names)})";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var state = new EntryState(
                        reader.GetString(2),
                        WireNames.Parse<EntryStatus>(reader.GetString(3)),
                        WireNames.Parse<Category>(reader.GetString(4)),
                        WireNames.Parse<Risk>(reader.GetString(5)),
                        reader.IsDBNull(6) ? null : AsUtc(reader.GetDateTime(6)),
                        AsUtc(reader.GetDateTime(7)));
                    found[(group.Key, reader.GetString(1))] = new ExistingEntry(reader.GetInt64(0), reader.GetInt64(8), state);
                }
            }
        }

        return found;
    }

    private static DateTime AsUtc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private sealed record ExistingEntry(long Id, long Version, EntryState State);
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
/// history, change and source rows, which reference them.
/// </summary>
internal sealed class EntryRowWriter : IAsyncDisposable
{
    private readonly string actor;
    private readonly DbCommand updateEntry;
    private readonly BatchInsert entries;
    private readonly BatchInsert history;
    private readonly BatchInsert changes;
    private readonly BatchInsert sources;
    private long nextId;

    private readonly Dictionary<(EntryStatus, Category, Risk, DateTime?), string> stateJson = [];
    private readonly object at;

    private EntryRowWriter(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string actor, DateTime at, long maxId)
    {
        this.actor = actor;
        this.at = dialect.Timestamp(at);
        nextId = maxId;
        var batch = dialect.InsertParametersPerStatement;
        entries = new BatchInsert(connection, transaction, batch, "entries",
            ["id", "kind", "value", "display", "category", "risk", "status", "first_seen", "last_seen", "expires_at", "version"]);
        history = new BatchInsert(connection, transaction, batch, "entry_history",
            ["entry_id", "version", "at", "actor", "action", "reason", "before", "after"], entries.FlushAsync);
        changes = new BatchInsert(connection, transaction, batch, "change_log",
            ["version", "entry_id", "op", "kind", "value", "category", "risk", "status", "at"], entries.FlushAsync);
        sources = new BatchInsert(connection, transaction, batch, "entry_sources",
            ["entry_id", "list_id", "source_type", "label", "note", "added_at"], entries.FlushAsync);
        updateEntry = connection.CreateCommand(transaction,
            """
            UPDATE entries SET category = @category, risk = @risk, status = @status, last_seen = @seen, expires_at = @expires, version = @version
            WHERE id = @id
            """);
        foreach (var name in (string[])["@category", "@risk", "@status", "@seen", "@expires", "@version", "@id"])
        {
            updateEntry.AddParameter(name, DBNull.Value);
        }
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
        await entries.AddAsync(
            [id, kind.ToWire(), key, state.Display, WireNames.Of(state.Category), WireNames.Of(state.Risk), WireNames.Of(state.Status),
             at, at, state.ExpiresAt, version],
            cancellationToken);
        return id;
    }

    public Task UpdateEntryAsync(long id, EntryState state, long version, CancellationToken cancellationToken)
    {
        var p = updateEntry.Parameters;
        p[0].Value = WireNames.Of(state.Category);
        p[1].Value = WireNames.Of(state.Risk);
        p[2].Value = WireNames.Of(state.Status);
        p[3].Value = at;
        p[4].Value = (object?)state.ExpiresAt ?? DBNull.Value;
        p[5].Value = version;
        p[6].Value = id;
        return updateEntry.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask InsertHistoryAsync(
        long entryId, long version, string action, string? reason, EntryState? before, EntryState after, CancellationToken cancellationToken) =>
        history.AddAsync([entryId, version, at, actor, action, reason, before is null ? null : Json(before), Json(after)], cancellationToken);

    public ValueTask InsertChangeAsync(
        long version, long entryId, string op, IdentifierKind kind, string key, EntryState state, CancellationToken cancellationToken) =>
        changes.AddAsync(
            [version, entryId, op, kind.ToWire(), key, WireNames.Of(state.Category), WireNames.Of(state.Risk), WireNames.Of(state.Status), at],
            cancellationToken);

    public ValueTask InsertSourceAsync(long entryId, long listId, string label, string? note, CancellationToken cancellationToken) =>
        sources.AddAsync([entryId, listId, "list", label, note, at], cancellationToken);

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

    /// <summary>Writes every buffered row; entries first, as the other rows reference them.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await entries.FlushAsync(cancellationToken);
        await history.FlushAsync(cancellationToken);
        await changes.FlushAsync(cancellationToken);
        await sources.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await updateEntry.DisposeAsync();
        await entries.DisposeAsync();
        await history.DisposeAsync();
        await changes.DisposeAsync();
        await sources.DisposeAsync();
    }
}
