using FlagApi.Data;
using FlagApi.Identifiers;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Feed;

/// <summary>A page of the change log after a version, and the database's version when it was read.</summary>
public sealed record ChangePage(long DatabaseVersion, IReadOnlyList<FeedChange> Changes, bool More);

public sealed class FeedQueries(FlagDbContext db, ReadReplica replica)
{
    /// <summary>
    /// The page from the read replica when it is at least at this instance's list version and at <paramref name="since"/>
    /// (so a <c>since</c> ahead of the replica is judged by the primary), else from the primary.
    /// </summary>
    public Task<ChangePage> ReadChangesAsync(long since, int limit, CancellationToken cancellationToken) =>
        replica.ReadAsync(ReadReplica.Reads.FeedChanges, since, db, on => ReadChangesAsync(on, since, limit, cancellationToken), cancellationToken);

    private static async Task<ChangePage> ReadChangesAsync(FlagDbContext db, long since, int limit, CancellationToken cancellationToken)
    {
        // The version first: rows committed in between only make the page newer, never inconsistent,
        // because list versions are given out under a lock held until commit.
        var current = await db.ListState.AsNoTracking().Select(s => s.Version).SingleAsync(cancellationToken);
        var rows = await db.ChangeLog.AsNoTracking()
            .Where(c => c.Version > since)
            .OrderBy(c => c.Version)
            .Take(limit + 1)
            .Select(c => new { c.Version, c.Op, c.Kind, c.Value, c.Category, c.Risk, c.Status })
            .ToListAsync(cancellationToken);
        var changes = rows.Take(limit)
            .Select(c => new FeedChange(c.Version, OpOf(c.Op, c.Status), c.Kind.ToWire(), c.Value, WireNames.Of(c.Category), WireNames.Of(c.Risk)))
            .ToList();
        return new ChangePage(current, changes, rows.Count > limit);
    }

    /// <summary>
    /// What the change means to a copy of the active list. The log also records changes to entries that
    /// are not active (a retraction that leaves a cleared entry with other sources): they are removals. So is
    /// an active entry's old key when the identifier rules give it a new one, which the next change adds.
    /// </summary>
    private static string OpOf(string op, EntryStatus status) =>
        op == ChangeOps.Remove || status != EntryStatus.Active ? ChangeOps.Remove : op == ChangeOps.Add ? ChangeOps.Add : ChangeOps.Update;
}

/// <summary>The count and checksum of the last snapshot served, so a CSV of the same version needs no first pass.</summary>
public sealed class FeedChecksumCache
{
    private Summary? last;

    public Summary? Find(long version) => Volatile.Read(ref last) is { } known && known.Version == version ? known : null;

    public void Remember(Summary summary) => Volatile.Write(ref last, summary);

    public sealed record Summary(long Version, long Count, string Sha256);
}
