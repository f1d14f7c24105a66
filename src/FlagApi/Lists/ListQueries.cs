using FlagApi.Data;
using FlagApi.Identifiers;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Lists;

/// <summary>Reads the public record of lists.</summary>
public sealed class ListQueries(FlagDbContext db)
{
    /// <summary>The same reads on another context: the read replica's snapshot (<see cref="ReadReplica"/>).</summary>
    public ListQueries On(FlagDbContext other) => ReferenceEquals(other, db) ? this : new ListQueries(other);

    /// <summary>The list and a page of its entries, read together (on the replica, in one snapshot).</summary>
    public async Task<(ListSummary List, ListEntryPage Entries)?> DetailAsync(long id, int page, int pageSize, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken) is { } list ? (list, await EntriesAsync(id, page, pageSize, cancellationToken)) : null;

    public async Task<ListPage> ListAsync(string? agency, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = db.Lists.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(agency))
        {
            query = query.Where(l => l.Agency == agency.Trim());
        }

        var total = await query.CountAsync(cancellationToken);
        var lists = await query.OrderByDescending(l => l.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new ListPage([.. lists.Select(Summary)], page, pageSize, total);
    }

    public async Task<ListSummary?> FindAsync(long id, CancellationToken cancellationToken) =>
        await db.Lists.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken) is { } list ? Summary(list) : null;

    public async Task<ListEntryPage> EntriesAsync(long id, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = Rows(id);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new ListEntryPage([.. items.Select(r => Row(r) with { Phone = r.Kind == IdentifierKind.Phone ? Lookup.PhoneDetails.Of(r.Value) : null })], page, pageSize, total);
    }

    /// <summary>Every entry of the list in its order, read as it is written out (a list may hold 100,000 rows).</summary>
    public async IAsyncEnumerable<ListEntryRow> AllEntriesAsync(long id, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in Rows(id).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return Row(row);
        }
    }

    internal static ListSummary Summary(PublishedList l) => new(
        l.Id,
        l.Agency,
        l.Reference,
        l.Title,
        l.PublishedOn,
        l.PublishedAt,
        l.EntryCount,
        l.RetractedAt is null ? ListStatus.Published : ListStatus.Retracted,
        l.Version,
        l.RetractedAt is { } at ? new ListRetraction(at, l.RetractionReason ?? string.Empty, l.RetractionVersion ?? l.Version) : null,
        l.NoticeReason,
        l.NoticeContact);

    private IQueryable<SourceRow> Rows(long id) =>
        from s in db.EntrySources.AsNoTracking()
        join e in db.Entries.AsNoTracking() on s.EntryId equals e.Id
        where s.ListId == id
        orderby s.Id
        select new SourceRow(e.Id, e.Kind, e.Value, s.Display ?? e.Display, s.Category, s.Risk, s.Note, s.ExpiresAt, e.Status);

    private static ListEntryRow Row(SourceRow r) =>
        new(r.EntryId, r.Kind.ToWire(), r.Value, r.Display, r.Category, r.Risk, r.Note, r.ExpiresAt, r.Status);

    private sealed record SourceRow(
        long EntryId, IdentifierKind Kind, string Value, string Display, Category? Category, Risk? Risk, string? Note, DateTime? ExpiresAt, EntryStatus Status);
}
