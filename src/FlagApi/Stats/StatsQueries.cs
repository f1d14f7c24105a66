using System.Globalization;
using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Identifiers;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Stats;

/// <summary>
/// Computes the transparency figures. Every count is a GROUP BY or COUNT in the database, so the cost grows with the
/// number of distinct kinds, statuses and days, not with the number of entries; only the times of decided appeals are
/// read row by row (three timestamps each), for the median and the weekly percentiles.
/// </summary>
public sealed class StatsQueries(FlagDbContext db, TimeProvider time, ReadReplica replica)
{
    public const int Weeks = 26;
    public const int MaxListAppeals = 50;

    private static readonly AppealStatus[] OpenStatuses = [.. Enum.GetValues<AppealStatus>().Where(AppealStates.IsOpen)];

    /// <summary>
    /// The figures, from the read replica when it is at least at this instance's list version and within
    /// Database:ReadOnlyMaxLag (in the replica's read-only snapshot), else from the primary.
    /// </summary>
    public Task<StatsResponse> ComputeAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return replica.ReadAsync(
            ReadReplica.Reads.Stats, 0, db,
            on => ReferenceEquals(on, db) ? ComputeOnPrimaryAsync(now, cancellationToken) : new StatsQueries(on, time, replica).FiguresAsync(now, cancellationToken),
            cancellationToken);
    }

    private async Task<StatsResponse> ComputeOnPrimaryAsync(DateTime now, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var snapshot = await BeginSnapshotAsync(cancellationToken);
            await db.Database.UseTransactionAsync(snapshot, cancellationToken);
            return await FiguresAsync(now, cancellationToken);
        }
        finally
        {
            // The snapshot is only read from: it ends with its disposal (a rollback), before the connection is let go.
            await db.Database.UseTransactionAsync(null, CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Every figure, read in the transaction the context already uses.</summary>
    private async Task<StatsResponse> FiguresAsync(DateTime now, CancellationToken cancellationToken)
    {
        var version = await db.ListState.AsNoTracking().Select(s => s.Version).SingleAsync(cancellationToken);
        var entries = await EntriesAsync(now, cancellationToken);
        var lists = await ListsAsync(now, cancellationToken);
        var appeals = await AppealsAsync(now, cancellationToken);
        var reports = await ReportsAsync(cancellationToken);
        var listAppeals = await ListAppealsAsync(cancellationToken);
        return new StatsResponse(version, now, entries, lists, appeals, reports, listAppeals);
    }

    /// <summary>
    /// One read snapshot for all the queries, so the figures agree with each other and with <c>listVersion</c> while a list
    /// is being published. On SQLite a deferred transaction: under WAL it reads a snapshot without taking the write lock
    /// (the default BEGIN IMMEDIATE would hold list uploads back for the whole computation).
    /// </summary>
    private Task<System.Data.Common.DbTransaction> BeginSnapshotAsync(CancellationToken cancellationToken) =>
        SqlDialect.Of(db.Database.GetDbConnection()).BeginReadSnapshotAsync(db.Database.GetDbConnection(), cancellationToken);

    private async Task<EntryStats> EntriesAsync(DateTime now, CancellationToken cancellationToken)
    {
        // Three narrow GROUP BYs rather than one over all three columns: kind and status are answered from their indexes
        // without reading the rows (SQLite: 1M entries in about 0.4 s this way, 1 s as one grouping).
        var kinds = await db.Entries.AsNoTracking()
            .GroupBy(e => e.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var categories = await db.Entries.AsNoTracking()
            .GroupBy(e => e.Category).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var statuses = await db.Entries.AsNoTracking()
            .GroupBy(e => e.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);

        // Lookups treat an active entry past its expiry as expired (IndexedEntry.EffectiveStatus); so do the figures.
        var lapsed = await db.Entries.AsNoTracking()
            .CountAsync(e => e.Status == EntryStatus.Active && e.ExpiresAt != null && e.ExpiresAt <= now, cancellationToken);

        var byKind = IdentifierKinds.All.ToDictionary(k => k.ToWire(), _ => 0);
        foreach (var kind in kinds)
        {
            byKind[kind.Key.ToWire()] = kind.Count;
        }

        var byCategory = Zeros<Category>();
        foreach (var category in categories)
        {
            byCategory[WireNames.Of(category.Key)] = category.Count;
        }

        var byStatus = Zeros<EntryStatus>();
        foreach (var status in statuses)
        {
            byStatus[WireNames.Of(status.Key)] = status.Count;
        }

        byStatus[WireNames.Of(EntryStatus.Active)] -= lapsed;
        byStatus[WireNames.Of(EntryStatus.Expired)] += lapsed;
        return new EntryStats(kinds.Sum(k => k.Count), byKind, byCategory, byStatus);
    }

    private async Task<ListStats> ListsAsync(DateTime now, CancellationToken cancellationToken)
    {
        var total = await db.Lists.AsNoTracking().CountAsync(cancellationToken);
        var retracted = await db.Lists.AsNoTracking().CountAsync(l => l.RetractedAt != null, cancellationToken);

        var thisWeek = MondayOf(now);
        var from = thisWeek.AddDays(-7 * (Weeks - 1));

        // Grouped by day in the database (both providers translate DateTime.Date); days fold into ISO weeks here.
        var days = await db.Lists.AsNoTracking()
            .Where(l => l.PublishedAt >= from)
            .GroupBy(l => l.PublishedAt.Date)
            .Select(g => new { Day = g.Key, Lists = g.Count(), Entries = g.Sum(l => l.EntryCount) })
            .ToListAsync(cancellationToken);

        var perWeek = new List<WeekStats>(Weeks);
        for (var monday = from; monday <= thisWeek; monday = monday.AddDays(7))
        {
            var sunday = monday.AddDays(7);
            var inWeek = days.Where(d => d.Day >= monday && d.Day < sunday).ToList();
            perWeek.Add(new WeekStats(IsoWeekName(monday), inWeek.Sum(d => d.Lists), inWeek.Sum(d => d.Entries)));
        }

        var perAgency = await db.Lists.AsNoTracking()
            .GroupBy(l => l.Agency)
            .Select(g => new AgencyStats(g.Key, g.Count(), g.Sum(l => l.EntryCount)))
            .ToListAsync(cancellationToken);
        return new ListStats(total, retracted, perWeek, [.. perAgency.OrderBy(a => a.Agency, StringComparer.Ordinal)]);
    }

    private async Task<ReportStats> ReportsAsync(CancellationToken cancellationToken)
    {
        var statuses = await db.Reports.AsNoTracking()
            .GroupBy(r => r.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
        var reporters = await db.Reports.AsNoTracking().Select(r => r.ReporterHash).Distinct().CountAsync(cancellationToken);
        var identifiers = await db.Reports.AsNoTracking().Select(r => new { r.Kind, r.Value }).Distinct().CountAsync(cancellationToken);
        return new ReportStats(
            Received: statuses.Values.Sum(),
            Reporters: reporters,
            Pending: statuses.GetValueOrDefault(FlagApi.Reports.ReportStatuses.Pending),
            Accepted: statuses.GetValueOrDefault(FlagApi.Reports.ReportStatuses.Accepted),
            Rejected: statuses.GetValueOrDefault(FlagApi.Reports.ReportStatuses.Rejected),
            Identifiers: identifiers);
    }

    private async Task<AppealStats> AppealsAsync(DateTime now, CancellationToken cancellationToken)
    {
        var groups = await db.Appeals.AsNoTracking()
            .GroupBy(a => a.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var byStatus = Zeros<AppealStatus>();
        foreach (var group in groups)
        {
            byStatus[WireNames.Of(group.Status)] = group.Count;
        }

        var overdue = await db.Appeals.AsNoTracking()
            .CountAsync(a => OpenStatuses.Contains(a.Status) && a.DueBy < now, cancellationToken);

        // Only decided appeals, and only their times: the median and percentiles are computed the same way on every
        // provider, in memory, without date arithmetic or percentile functions that SQLite (times stored as text, no
        // percentile_cont) and PostgreSQL spell differently. One row is three timestamps, so even a sweep's hundred
        // thousand decisions are a few megabytes.
        var decisions = await db.Appeals.AsNoTracking()
            .Where(a => (a.Status == AppealStatus.Approved || a.Status == AppealStatus.Rejected) && a.DecidedAt != null)
            .Select(a => new { a.CreatedAt, DecidedAt = a.DecidedAt!.Value, a.DueBy })
            .ToListAsync(cancellationToken);
        var hours = decisions.Select(d => (d.DecidedAt - d.CreatedAt).TotalHours).ToList();

        // The weeks of the lists' figures (ListsAsync): the last 26 ISO weeks, by the week the decision was made in.
        var thisWeek = MondayOf(now);
        var from = thisWeek.AddDays(-7 * (Weeks - 1));
        var perWeek = new List<DecisionWeekStats>(Weeks);
        for (var monday = from; monday <= thisWeek; monday = monday.AddDays(7))
        {
            var sunday = monday.AddDays(7);
            var inWeek = decisions.Where(d => d.DecidedAt >= monday && d.DecidedAt < sunday).ToList();
            var weekHours = inWeek.Select(d => (d.DecidedAt - d.CreatedAt).TotalHours).ToList();
            var within = inWeek.Count(d => d.DecidedAt <= d.DueBy);
            perWeek.Add(new DecisionWeekStats(
                IsoWeekName(monday),
                inWeek.Count,
                Percentile(weekHours, 0.5) is { } weekMedian ? Math.Round(weekMedian, 2) : null,
                Percentile(weekHours, 0.9) is { } p90 ? Math.Round(p90, 2) : null,
                within,
                inWeek.Count == 0 ? null : Math.Round((double)within / inWeek.Count, 4)));
        }

        var approved = byStatus[WireNames.Of(AppealStatus.Approved)];
        var rejected = byStatus[WireNames.Of(AppealStatus.Rejected)];
        return new AppealStats(
            Total: groups.Sum(g => g.Count),
            Open: OpenStatuses.Sum(s => byStatus[WireNames.Of(s)]),
            Overdue: overdue,
            ByStatus: byStatus,
            Decided: approved + rejected,
            Approved: approved,
            Rejected: rejected,
            MedianDecisionHours: Median(hours) is { } median ? Math.Round(median, 2) : null,
            DecisionsPerWeek: perWeek);
    }

    private async Task<IReadOnlyList<ListAppealStats>> ListAppealsAsync(CancellationToken cancellationToken)
    {
        // Appealed entries first (one row per entry, from the appeals table, far smaller than the entries), then the lists
        // that named them: starting from entry_sources instead would walk every source of every list.
        var appealedEntries = db.Appeals
            .GroupBy(a => a.EntryId)
            .Select(g => new { EntryId = g.Key, Overturned = g.Max(a => a.Status == AppealStatus.Approved ? 1 : 0) });
        var top = await (
                from appealed in appealedEntries
                join source in db.EntrySources on appealed.EntryId equals source.EntryId
                where source.ListId != null
                select new { ListId = source.ListId!.Value, source.EntryId, appealed.Overturned })
            .GroupBy(x => x.ListId)
            .Select(g => new
            {
                ListId = g.Key,
                Appealed = g.Select(x => x.EntryId).Distinct().Count(),
                Overturned = g.Where(x => x.Overturned == 1).Select(x => x.EntryId).Distinct().Count(),
            })
            .OrderByDescending(x => x.Overturned).ThenByDescending(x => x.Appealed).ThenBy(x => x.ListId)
            .Take(MaxListAppeals)
            .ToListAsync(cancellationToken);

        var ids = top.Select(t => t.ListId).ToList();
        var lists = await db.Lists.AsNoTracking()
            .Where(l => ids.Contains(l.Id))
            .Select(l => new { l.Id, l.Agency, l.Reference, l.EntryCount })
            .ToDictionaryAsync(l => l.Id, cancellationToken);

        return [.. top.Select(t =>
        {
            var list = lists[t.ListId];
            var share = list.EntryCount == 0 ? 0 : Math.Round((double)t.Overturned / list.EntryCount, 4);
            return new ListAppealStats(t.ListId, list.Agency, list.Reference, list.EntryCount, t.Appealed, t.Overturned, share);
        })];
    }

    internal static double? Median(List<double> values) => Percentile(values, 0.5);

    /// <summary>
    /// The <paramref name="p"/>-th quantile, linear between the closest ranks (Hyndman and Fan's type 7: Excel's
    /// PERCENTILE.INC, NumPy's default); the median is its 0.5, the mean of the two middle values of an even count.
    /// </summary>
    internal static double? Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var rank = p * (values.Count - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, values.Count - 1);
        return values[below] + ((rank - below) * (values[above] - values[below]));
    }

    internal static DateTime MondayOf(DateTime utc)
    {
        var daysSinceMonday = ((int)utc.DayOfWeek + 6) % 7;
        return DateTime.SpecifyKind(utc.Date.AddDays(-daysSinceMonday), DateTimeKind.Utc);
    }

    internal static string IsoWeekName(DateTime day) =>
        string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(day)}-W{ISOWeek.GetWeekOfYear(day):00}");

    private static Dictionary<string, int> Zeros<T>()
        where T : struct, Enum => WireNames.All<T>().ToDictionary(n => n, _ => 0);
}
