namespace FlagApi;

/// <summary>
/// The loop behind every in-memory copy of database state (the list index, the keys, the protected
/// identifiers): refresh on a timer so that other instances' writes arrive, and keep serving the
/// previous copy when a refresh fails.
/// </summary>
internal static class PeriodicRefresh
{
    public static async Task RunAsync(TimeSpan interval, Func<CancellationToken, Task> refresh, Action<Exception> failed, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await refresh(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed(ex);
            }
        }
    }
}
