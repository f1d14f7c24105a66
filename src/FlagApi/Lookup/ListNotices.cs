using FlagApi.Data;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Lookup;

/// <summary>What a notice says of one published (not retracted) list.</summary>
public sealed record ListNoticeFacts(
    long Id, string Agency, string Reference, string? Title, DateOnly? PublishedOn, string? NoticeReason, string? NoticeContact);

/// <summary>
/// The published lists' facts a notice names, held in memory so a flagged lookup never waits on the database. The
/// list index's follower brings it up to date from the lists the change log's new versions published or retracted,
/// before the entries they flag reach the index (<see cref="ListIndexFollower"/>); a retracted list leaves it.
/// </summary>
public sealed class ListNotices
{
    private IReadOnlyDictionary<long, ListNoticeFacts> lists = new Dictionary<long, ListNoticeFacts>();

    public ListNoticeFacts? Find(long listId) => Volatile.Read(ref lists).GetValueOrDefault(listId);

    /// <summary>Replaces the facts with every published list's. Run by the follower, one caller at a time.</summary>
    public async Task LoadAsync(FlagDbContext db, CancellationToken cancellationToken)
    {
        var published = await Facts(db.Lists.Where(l => l.RetractedAt == null)).ToDictionaryAsync(l => l.Id, cancellationToken);
        Volatile.Write(ref lists, published);
    }

    /// <summary>Adds the lists published after <paramref name="version"/> and drops those retracted after it. Run by the follower, one caller at a time.</summary>
    public async Task CatchUpAsync(FlagDbContext db, long version, CancellationToken cancellationToken)
    {
        var changed = await db.Lists.AsNoTracking()
            .Where(l => l.Version > version || l.RetractionVersion > version)
            .Select(l => new { l.Id, Retracted = l.RetractedAt != null })
            .ToListAsync(cancellationToken);
        if (changed.Count == 0)
        {
            return;
        }

        var ids = changed.Where(l => !l.Retracted).Select(l => l.Id).ToList();
        var added = await Facts(db.Lists.Where(l => ids.Contains(l.Id))).ToListAsync(cancellationToken);
        var next = new Dictionary<long, ListNoticeFacts>(Volatile.Read(ref lists));
        foreach (var retracted in changed.Where(l => l.Retracted))
        {
            next.Remove(retracted.Id);
        }

        foreach (var list in added)
        {
            next[list.Id] = list;
        }

        Volatile.Write(ref lists, next);
    }

    private static IQueryable<ListNoticeFacts> Facts(IQueryable<PublishedList> lists) =>
        lists.AsNoTracking().Select(l => new ListNoticeFacts(l.Id, l.Agency, l.Reference, l.Title, l.PublishedOn, l.NoticeReason, l.NoticeContact));
}
