using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FlagApi.Stats;

public sealed class StatsOptions
{
    public const string Section = "Stats";

    /// <summary>How long one computation of the figures is served to everyone; zero computes them on every call.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(10);
}

public static class StatsEndpoints
{
    public static IHostApplicationBuilder AddStats(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StatsOptions>()
            .BindConfiguration(StatsOptions.Section)
            .Validate(o => o.CacheDuration >= TimeSpan.Zero && o.CacheDuration <= TimeSpan.FromHours(1), "Stats:CacheDuration must be between 00:00:00 and 01:00:00.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<StatsQueries>();
        builder.Services.AddSingleton<StatsCache>();
        return builder;
    }

    public static IEndpointRouteBuilder MapStats(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/stats").WithTags("Stats").WithRateLimitBudget(RateLimitBudget.Lookup);

        group.MapGet("/", GetStats)
            .WithName("GetStats")
            .WithSummary("Transparency figures: entries, lists, reports, appeals and how each list's entries fared on appeal")
            .WithDescription("""
                Open to anyone. Entries by kind, category and status (every known value present, 0 when none; an active entry past
                its expiry counts as expired); lists in all, retracted, per ISO week of publication over the last 26 weeks and per
                agency; community reports received (one per identifier and reporter), distinct reporters and identifiers, and how
                many are pending, accepted and rejected;
                appeals by status, open, overdue (open past dueBy), decided (approved or rejected) and the median hours from filing
                to decision; and per list, how many of its entries were appealed and overturned (approved), most overturned first,
                top 50. The figures are computed at most once per `Stats:CacheDuration` (default 10 seconds) and the same answer is
                served to every caller meanwhile: `generatedAt` says when they were computed.
                """);

        return app;
    }

    public static async Task<Ok<StatsResponse>> GetStats(StatsCache cache, CancellationToken cancellationToken) =>
        TypedResults.Ok(await cache.GetAsync(cancellationToken));
}

/// <summary>
/// Serves one computation of the figures to every caller for <see cref="StatsOptions.CacheDuration"/>, and lets only one
/// caller compute at a time: the endpoint is anonymous, and a flood of calls must not become a flood of table scans.
/// </summary>
public sealed class StatsCache(IServiceScopeFactory scopes, TimeProvider time, IOptions<StatsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim computing = new(1, 1);
    private (StatsResponse Stats, DateTimeOffset FreshUntil)? cached;

    public async Task<StatsResponse> GetAsync(CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } stats)
        {
            return stats;
        }

        await computing.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } computedMeanwhile)
            {
                return computedMeanwhile;
            }

            await using var scope = scopes.CreateAsyncScope();
            var computed = await scope.ServiceProvider.GetRequiredService<StatsQueries>().ComputeAsync(cancellationToken);
            cached = (computed, time.GetUtcNow() + options.Value.CacheDuration);
            return computed;
        }
        finally
        {
            computing.Release();
        }
    }

    public void Dispose() => computing.Dispose();

    private StatsResponse? Fresh() =>
        cached is { } entry && time.GetUtcNow() < entry.FreshUntil ? entry.Stats : null;
}
