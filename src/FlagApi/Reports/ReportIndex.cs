using System.Collections.Concurrent;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Reports;

/// <summary>
/// The community-report signal per identifier (distinct reporters, the latest report, the most reported category), in
/// memory so that lookups never wait on the database. Pending and accepted reports count; rejected ones do not. This
/// process's own reports apply at once; other processes' reports and reviewers' decisions when their change notice is
/// heard, and within <see cref="ReportsOptions.PollInterval"/> when it is not.
/// </summary>
public sealed class ReportIndex(IServiceScopeFactory scopes, IOptions<ReportsOptions> options, DatabaseStartup startup, ILogger<ReportIndex> logger)
    : BackgroundService, IReportSignals, IChangeFollower
{
    // Completes when the first load has run; the refresh loop starts after it (at once, unless the start waits for the database).
    private Task loaded = Task.CompletedTask;

    /// <summary>The topic of the change notice a report received or decided sends.</summary>
    public const string Topic = "reports";

    /// <summary>
    /// Each poll reads again the rows changed this long before the newest change it has seen: a report written with an
    /// earlier time but committed after that newest one (a slow transaction, another instance's clock) is still read.
    /// Reading a row twice is harmless: rows replace themselves.
    /// </summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(30);

    private static readonly ReportSignal None = new(0, null, null);

    private readonly Lock gate = new();
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private readonly RefreshSignal changed = new();
    private readonly Dictionary<(IdentifierKind Kind, string Key), Dictionary<long, Row>> rows = [];
    private readonly ConcurrentDictionary<(IdentifierKind Kind, string Key), ReportSignal> signals = new();
    private DateTime? seenUntil;

    public string ChangeTopic => Topic;

    public void Heard(string? detail) => changed.Raise();

    /// <summary>The signal of one identifier, by its match key (<see cref="Matching.EntryKey"/>).</summary>
    public ReportSignal Signal(IdentifierKind kind, string key) => signals.TryGetValue((kind, key), out var signal) ? signal : None;

    /// <summary>Applies a report this process has just written, before the next poll would.</summary>
    internal void Apply(long id, IdentifierKind kind, string key, Category? category, DateTime lastAt, string status) =>
        Apply([new Row(id, kind, key, category, lastAt, status, lastAt)]);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        loaded = await startup.StartOrDeferAsync("community report signal", RefreshAsync, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        refreshing.Dispose();
        base.Dispose();
    }

    /// <summary>Refreshes the report signal after this process committed a change; see <see cref="PeriodicRefresh.AfterWriteAsync"/>.</summary>
    public Task RefreshAfterWriteAsync() => PeriodicRefresh.AfterWriteAsync(RefreshAsync, logger);

    /// <summary>Reads the reports written or decided since the last read (all of them the first time).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await refreshing.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var query = db.Reports.AsNoTracking();
            if (seenUntil is { } seen)
            {
                var since = seen - Overlap;
                query = query.Where(r => r.LastAt >= since || (r.DecidedAt != null && r.DecidedAt >= since));
            }

            var read = await query
                .Select(r => new { r.Id, r.Kind, r.Value, r.Category, r.LastAt, r.Status, r.DecidedAt })
                .ToListAsync(cancellationToken);
            var changed = read
                .Select(r => new Row(r.Id, r.Kind, r.Value, r.Category, r.LastAt, r.Status, r.DecidedAt > r.LastAt ? r.DecidedAt.Value : r.LastAt))
                .ToList();
            var first = seenUntil is null;
            Apply(changed);
            if (first)
            {
                logger.LogInformation("Loaded {Count} community reports on {Identifiers} identifiers", changed.Count, signals.Count);
            }
        }
        finally
        {
            refreshing.Release();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PeriodicRefresh.RunAsync(
        options.Value.PollInterval,
        RefreshAsync,
        ex => logger.LogWarning(ex, "Could not refresh the community report signal; lookups keep showing the previous one"),
        stoppingToken,
        changed,
        after: loaded);

    private void Apply(IReadOnlyList<Row> changed)
    {
        lock (gate)
        {
            var newest = seenUntil ?? DateTime.MinValue;
            HashSet<(IdentifierKind, string)> touched = [];
            foreach (var row in changed)
            {
                var identifier = (row.Kind, row.Key);
                if (!rows.TryGetValue(identifier, out var reporters))
                {
                    rows[identifier] = reporters = [];
                }

                // A poll that started before this process's own write may bring an older state of the row: keep the newer.
                if (!reporters.TryGetValue(row.Id, out var held) || held.ChangedAt <= row.ChangedAt)
                {
                    reporters[row.Id] = row;
                    touched.Add(identifier);
                }

                if (row.ChangedAt > newest)
                {
                    newest = row.ChangedAt;
                }
            }

            foreach (var identifier in touched)
            {
                var counted = rows[identifier].Values.Where(r => r.Status is ReportStatuses.Pending or ReportStatuses.Accepted).ToList();
                if (counted.Count == 0)
                {
                    signals.TryRemove(identifier, out _);
                    continue;
                }

                // Ties go to the category reported most recently, so the answer does not depend on dictionary order.
                var top = counted
                    .Where(r => r.Category is not null)
                    .GroupBy(r => r.Category!.Value)
                    .OrderByDescending(g => g.Count())
                    .ThenByDescending(g => g.Max(r => r.LastAt))
                    .Select(g => (Category?)g.Key)
                    .FirstOrDefault();
                signals[identifier] = new ReportSignal(counted.Count, counted.Max(r => r.LastAt), top);
            }

            seenUntil = changed.Count == 0 && seenUntil is null ? DateTime.MinValue.Add(Overlap) : newest;
        }
    }

    private sealed record Row(long Id, IdentifierKind Kind, string Key, Category? Category, DateTime LastAt, string Status, DateTime ChangedAt);
}
