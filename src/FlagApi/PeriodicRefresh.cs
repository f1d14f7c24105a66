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
