using FlagApi.Data;

namespace FlagApi;

/// <summary>
/// The loop behind every in-memory copy of database state (the list index, the keys, the protected
/// identifiers, the report signal): refresh when another instance's change is heard of (<see cref="RefreshSignal"/>)
/// and on a timer in case a notice was missed, and keep serving the previous copy when a refresh fails.
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

    /// <summary>
    /// Refreshes every <paramref name="interval"/> and whenever <paramref name="signal"/> is raised. One refresh at a time:
    /// the signal raised any number of times during a refresh causes one more after it. Begins once <paramref name="after"/>
    /// completes (the first load, which waits when the service started without its database).
    /// </summary>
    public static async Task RunAsync(
        TimeSpan interval, Func<CancellationToken, Task> refresh, Action<Exception> failed, CancellationToken stoppingToken, RefreshSignal? signal = null,
        Task? after = null)
    {
        if (after is not null)
        {
            await after.WaitAsync(stoppingToken);
        }

        using var timer = new PeriodicTimer(interval);
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        long? outageReportedAt = null;
        while (true)
        {
            if (signal is not null)
            {
                await Task.WhenAny(tick, signal.Raised);
            }

            if (tick.IsCompleted || signal is null)
            {
                if (!await tick)
                {
                    return;
                }

                tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            }

            signal?.Consume();
            try
            {
                await refresh(stoppingToken);
                outageReportedAt = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                var outage = DatabaseFailures.IsUnavailable(ex);
                DatabaseFailures.ReleaseConnectionsAfter(ex);
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

/// <summary>Wakes a <see cref="PeriodicRefresh"/> loop before its next tick. Raised many times before the loop looks, it wakes it once.</summary>
public sealed class RefreshSignal
{
    private readonly Lock gate = new();
    private TaskCompletionSource raised = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Raise()
    {
        lock (gate)
        {
            raised.TrySetResult();
        }
    }

    internal Task Raised
    {
        get
        {
            lock (gate)
            {
                return raised.Task;
            }
        }
    }

    /// <summary>Called as a refresh starts: a raise from now on is for a change that refresh may not see, and wakes the loop again.</summary>
    internal void Consume()
    {
        lock (gate)
        {
            if (raised.Task.IsCompleted)
            {
                raised = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
