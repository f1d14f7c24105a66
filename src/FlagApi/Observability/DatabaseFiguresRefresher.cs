using FlagApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Observability;

/// <summary>
/// Reads the figures behind the appeal and lag gauges on a timer, never on a scrape: a scraper polling
/// every few seconds, or several of them, costs the database nothing. Skipped while nobody listens.
/// </summary>
public sealed class DatabaseFiguresRefresher(
    FlagApiMetrics metrics,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<MetricsOptions> options,
    ILogger<DatabaseFiguresRefresher> logger) : BackgroundService
{
    // One refresh at a time, so the figures are always those of the refresh that started last.
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Reads the figures now (the timer calls this; tests call it after moving the clock).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await ReadAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public override void Dispose()
    {
        gate.Dispose();
        base.Dispose();
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var now = time.GetUtcNow();
        var at = now.UtcDateTime;

        var version = await db.ListState.AsNoTracking().Select(s => s.Version).SingleAsync(cancellationToken);
        var open = await db.Appeals.AsNoTracking()
            .Where(a => a.Status == AppealStatus.Submitted || a.Status == AppealStatus.InReview || a.Status == AppealStatus.NeedsInfo)
            .GroupBy(a => a.Status)
            .Select(g => new { Status = g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
        var overdue = await db.Appeals.AsNoTracking()
            .Where(a => (a.Status == AppealStatus.Submitted || a.Status == AppealStatus.InReview || a.Status == AppealStatus.NeedsInfo) && a.DueBy < at)
            .LongCountAsync(cancellationToken);
        metrics.Update(new DatabaseFigures(version, open, overdue, now));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RefreshIfObservedAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(ex);
        }

        // The shared loop reports a database outage once and then once a minute, like every other refresh.
        await PeriodicRefresh.RunAsync(options.Value.RefreshInterval, RefreshIfObservedAsync, Failed, stoppingToken);
    }

    private Task RefreshIfObservedAsync(CancellationToken cancellationToken) =>
        metrics.DatabaseFiguresObserved ? RefreshAsync(cancellationToken) : Task.CompletedTask;

    private void Failed(Exception ex) =>
        logger.LogWarning(ex, "Could not read the appeal counts and list version for the metrics; the gauges keep their previous values");
}
