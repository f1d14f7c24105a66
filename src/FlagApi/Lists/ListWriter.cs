using System.Data.Common;
using System.Globalization;
using FlagApi.Data;
using FlagApi.Entries;

namespace FlagApi.Lists;

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
/// Publishes and retracts lists: the list's own record here, its entries through the <see cref="EntryLedger"/>, in one
/// transaction. The list record is written with plain parameterized ADO.NET on the ledger's connection, as its entries are.
/// </summary>
public sealed class ListWriter(EntryLedger ledger)
{
    /// <param name="list">Who publishes the list.</param>
    /// <param name="reference">The list's reference: the submission's, or one derived from the content.</param>
    /// <param name="contentSha256">What the list says, hashed: tells a list sent again from different content under the same reference.</param>
    /// <param name="rows">The validated rows.</param>
    /// <param name="describe">Makes the answer to record with the list (JSON), returned again to a client that re-sends it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public Task<PublishResult> PublishAsync(
        ListSubmission list, string reference, string contentSha256, IReadOnlyList<ListEntryInput> rows, Func<PublishResult, string>? describe = null,
        CancellationToken cancellationToken = default) =>
        ledger.WriteAsync(list.PublishedBy, async entries =>
        {
            if (await FindAsync(entries, list.Agency, reference, cancellationToken) is { } found)
            {
                return LedgerOutcome.Refuse(new PublishResult(
                    found.Sha256 == contentSha256 ? PublishStatus.AlreadyPublished : PublishStatus.ReferenceConflict,
                    found.Id, found.Version, 0, 0, 0, 0)
                { StoredResult = found.Result });
            }

            var listId = await InsertAsync(entries, list, reference, contentSha256, rows.Count, cancellationToken);
            var named = await entries.NameByListAsync(listId, SourceLabel(list.Agency, reference), rows, cancellationToken);
            var result = new PublishResult(PublishStatus.Published, listId, entries.Version, named.Added, named.Updated, named.Reflagged, named.SourceAdded)
            {
                PublishedAt = entries.Now,
            };
            var recorded = describe?.Invoke(result);
            await using (var command = entries.Connection.CreateCommand(entries.Transaction, "UPDATE lists SET version = @version, result = @result WHERE id = @id"))
            {
                command.AddParameter("@version", entries.Version);
                command.AddParameter("@result", recorded);
                command.AddParameter("@id", listId);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            entries.Audit("list.published", "list", listId, new
            {
                list.Agency,
                Reference = reference,
                list.Title,
                list.Origin,
                list.NoticeReason,
                list.NoticeContact,
                Entries = rows.Count,
                added = named.Added,
                updated = named.Updated,
                reflagged = named.Reflagged,
                alreadyFlagged = named.SourceAdded,
                listVersion = entries.Version,
            });
            return LedgerOutcome.Commit(result with { StoredResult = recorded });
        }, cancellationToken, bulk: true);

    /// <summary>
    /// Retracts a list in one transaction: its sources end, entries it alone flagged leave the active list (a <c>remove</c> in
    /// the change log), entries with other sources stay as they are.
    /// </summary>
    public Task<RetractResult> RetractAsync(long listId, string actor, string reason, CancellationToken cancellationToken = default) =>
        ledger.WriteAsync(actor, async entries =>
        {
            string label;
            await using (var find = entries.Connection.CreateCommand(entries.Transaction, "SELECT agency, reference, retracted_at FROM lists WHERE id = @id"))
            {
                find.AddParameter("@id", listId);
                await using var reader = await find.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return LedgerOutcome.Refuse(new RetractResult(RetractStatus.NotFound, entries.Version, 0, 0));
                }

                if (!reader.IsDBNull(2))
                {
                    return LedgerOutcome.Refuse(new RetractResult(RetractStatus.AlreadyRetracted, entries.Version, 0, 0));
                }

                label = SourceLabel(reader.GetString(0), reader.GetString(1));
            }

            var unnamed = await entries.UnnameByListAsync(listId, $"List {label} retracted: {reason}", cancellationToken);
            await using (var mark = entries.Connection.CreateCommand(entries.Transaction,
                "UPDATE lists SET retracted_at = @at, retracted_by = @by, retraction_reason = @reason, retraction_version = @version WHERE id = @id"))
            {
                mark.AddParameter("@at", entries.Now);
                mark.AddParameter("@by", actor);
                mark.AddParameter("@reason", reason);
                mark.AddParameter("@version", entries.Version);
                mark.AddParameter("@id", listId);
                await mark.ExecuteNonQueryAsync(cancellationToken);
            }

            entries.Audit("list.retracted", "list", listId,
                new { reason, removed = unnamed.Removed, keptByOtherSources = unnamed.KeptByOtherSources, listVersion = entries.Version });
            return LedgerOutcome.Commit(new RetractResult(RetractStatus.Retracted, entries.Version, unnamed.Removed, unnamed.KeptByOtherSources));
        }, cancellationToken);

    /// <summary>How an entry names the list among its sources.</summary>
    public static string SourceLabel(string agency, string reference) => $"{agency} {reference}";

    private static async Task<(long Id, string Sha256, long Version, string? Result)?> FindAsync(
        LedgerTransaction entries, string agency, string reference, CancellationToken cancellationToken)
    {
        await using var command = entries.Connection.CreateCommand(entries.Transaction,
            "SELECT id, content_sha256, version, result FROM lists WHERE agency = @agency AND reference = @reference");
        command.AddParameter("@agency", agency);
        command.AddParameter("@reference", reference);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3))
            : null;
    }

    private static async Task<long> InsertAsync(
        LedgerTransaction entries, ListSubmission list, string reference, string contentSha256, int count, CancellationToken cancellationToken)
    {
        await using var command = entries.Connection.CreateCommand(entries.Transaction, entries.Dialect.InsertReturningId(
            """
            INSERT INTO lists (agency, reference, title, origin, content_sha256, entry_count, published_at, published_by, published_on, version, notice_reason, notice_contact)
            VALUES (@agency, @reference, @title, @origin, @sha, @count, @at, @by, @on, 0, @reason, @contact)
            """));
        command.AddParameter("@agency", list.Agency);
        command.AddParameter("@reference", reference);
        command.AddParameter("@title", list.Title);
        command.AddParameter("@origin", list.Origin);
        command.AddParameter("@sha", contentSha256);
        command.AddParameter("@count", count);
        command.AddParameter("@at", entries.Now);
        command.AddParameter("@by", list.PublishedBy);
        command.AddParameter("@on", list.PublishedOn);
        command.AddParameter("@reason", list.NoticeReason);
        command.AddParameter("@contact", list.NoticeContact);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
