using FlagApi.Data;
using FlagApi.Lookup;
using Microsoft.Extensions.Options;

namespace FlagApi.Feed;

/// <summary>Runs the <see cref="ExpirySweeper"/> on a timer; every instance may, as the sweep takes the list version lock.</summary>
public sealed class ExpirySweepService(
    IServiceScopeFactory scopes,
    ListIndexFollower follower,
    IOptions<FeedOptions> options,
    ILogger<ExpirySweepService> logger) : BackgroundService
{
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var expired = await scope.ServiceProvider.GetRequiredService<ExpirySweeper>().SweepAsync(cancellationToken);
        if (expired > 0)
        {
            logger.LogInformation("Expired {Count} entries whose expiry passed", expired);
            await follower.CatchUpAsync(cancellationToken);
        }

        return expired;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PeriodicRefresh.RunAsync(
        options.Value.ExpirySweepInterval,
        async ct => await SweepAsync(ct),
        ex => logger.LogWarning(ex, "Could not expire entries; the next sweep tries again"),
        stoppingToken);
}
