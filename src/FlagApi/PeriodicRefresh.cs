using FlagApi.Data;

namespace FlagApi;

/// <summary>
/// The loop behind every in-memory copy of database state (the list index, the keys, the protected
/// identifiers): refresh on a timer so that other instances' writes arrive, and keep serving the
/// previous copy when a refresh fails.
/// </summary>
internal static class PeriodicRefresh
{
    // A database outage fails every tick; the first failure is reported, then one a minute until a tick succeeds again.
    private static readonly TimeSpan RepeatedOutageReport = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Refreshes this process's copy right after it committed a change, so its next answer shows the change. When the
    /// database goes away between the commit and the refresh, the change stands: the client must not be told it failed
    /// (a retry would write it twice), and the periodic loop brings the copy up to date once the database is back.
    /// </summary>
    public static async Task AfterWriteAsync(Func<CancellationToken, Task> refresh, ILogger logger)
    {
        try
        {
            await refresh(CancellationToken.None);
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
        {
            logger.LogWarning("A change is committed but this instance could not refresh its copy ({Reason}); the next refresh brings it",
                DatabaseFailures.Describe(ex));
        }
    }

    public static async Task RunAsync(TimeSpan interval, Func<CancellationToken, Task> refresh, Action<Exception> failed, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        long? outageReportedAt = null;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await refresh(stoppingToken);
                outageReportedAt = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                var outage = DatabaseFailures.IsUnavailable(ex);
                var now = Environment.TickCount64;
                if (outage && outageReportedAt is { } reported && now - reported < (long)RepeatedOutageReport.TotalMilliseconds)
                {
                    continue;
                }

                outageReportedAt = outage ? now : null;
                failed(ex);
            }
        }
    }
}
