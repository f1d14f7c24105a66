using FlagApi.Entries;
using Microsoft.Extensions.Options;

namespace FlagApi.Feed;

/// <summary>Asks the <see cref="EntryLedger"/> to expire what is due, on a timer; every instance may, as the expiry takes the list version lock.</summary>
public sealed class ExpirySweepService(
    IServiceScopeFactory scopes,
    IOptions<FeedOptions> options,
    ILogger<ExpirySweepService> logger) : BackgroundService
{
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var expired = await scope.ServiceProvider.GetRequiredService<EntryLedger>().ExpireDueAsync(cancellationToken);
        if (expired > 0)
        {
            logger.LogInformation("Expired {Count} entries whose expiry passed", expired);
        }

        return expired;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PeriodicRefresh.RunAsync(
        options.Value.ExpirySweepInterval,
        async ct => await SweepAsync(ct),
        ex => logger.LogWarning(ex, "Could not expire entries; the next sweep tries again"),
        stoppingToken);
}
