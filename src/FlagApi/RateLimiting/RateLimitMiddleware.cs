using System.Globalization;
using FlagApi.Observability;
using FlagApi.Problems;
using Microsoft.AspNetCore.Mvc;

namespace FlagApi.RateLimiting;

/// <summary>
/// Spends one permit of the endpoint's budget before the body is read or the handler runs. Built on
/// System.Threading.RateLimiting directly rather than the framework's rate-limiting middleware because
/// that middleware keeps the lease and the partition to itself, and every limited response here says
/// what is left (draft-ietf-httpapi-ratelimit-headers: <c>RateLimit-Policy</c> and <c>RateLimit</c>). The headers and the
/// 429 are the same whether the budget is counted here or in Redis.
/// </summary>
internal sealed class RateLimitMiddleware(
    RequestDelegate next, CallerRateLimiter limiter, IProblemDetailsService problems, FlagApiMetrics metrics, ILogger<RateLimitMiddleware> logger)
{
    internal const string HeaderPolicy = "RateLimit-Policy";
    internal const string HeaderLimit = "RateLimit";

    /// <summary>The policy header of each budget, limit and window (a handful in any configuration), written once.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Budget, int Limit, TimeSpan Window), string> Policies = new();

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RateLimitBudget>() is not { } budget)
        {
            await next(context);
            return;
        }

        var partition = limiter.PartitionFor(context, budget);
        var decision = await limiter.AcquireAsync(partition);
        if (!decision.IsAcquired)
        {
            await RefuseAsync(context, partition, decision.RetryAfter);
            return;
        }

        // On starting rather than now: the exception handler clears the headers of a response it rewrites.
        var (policy, remaining) = Granted(partition, decision);
        context.Response.OnStarting(static state => ((GrantedHeaders)state).ApplyAsync(), new GrantedHeaders(context, policy, remaining));
        await next(context);
    }

    /// <summary>The values of the two headers on a granted request's response: the budget's policy, and what is left of it.</summary>
    internal static (string Policy, string Remaining) Granted(RateLimitPartitionKey partition, RateLimitDecision decision) =>
        (Policy(partition), Limit(partition, decision.Remaining, Seconds(partition.ReplenishmentPeriod)));

    /// <summary>Puts a granted request's headers on its response.</summary>
    internal static void SetGrantedHeaders(HttpResponse response, (string Policy, string Remaining) granted)
    {
        response.Headers[HeaderPolicy] = granted.Policy;
        response.Headers[HeaderLimit] = granted.Remaining;
    }

    /// <summary>What a granted request's response says of its budget: one object per request, the policy text shared.</summary>
    private sealed class GrantedHeaders(HttpContext context, string policy, string remaining)
    {
        public Task ApplyAsync()
        {
            SetGrantedHeaders(context.Response, (policy, remaining));
            return Task.CompletedTask;
        }
    }

    private async Task RefuseAsync(HttpContext context, RateLimitPartitionKey partition, TimeSpan wait)
    {
        var retryAfter = Seconds(wait);
        metrics.RecordRateLimitRefusal(partition.Budget.Name, partition.Tier);

        // The key's id, never an anonymous caller's address: logs hold no personal data.
        logger.LogDebug("Rate limit: {Caller} spent its {Budget} budget (tier {Tier})",
            partition.IsKey ? partition.Subject : "an anonymous address", partition.Budget, partition.Tier);

        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        response.Headers[HeaderPolicy] = Policy(partition);
        response.Headers[HeaderLimit] = Limit(partition, 0, retryAfter);

        var rate = string.Create(CultureInfo.InvariantCulture,
            $"{partition.PermitLimit} requests per {Seconds(partition.Window)} seconds");
        var who = partition.IsKey
            ? $"This key has used its {partition.Budget} budget (tier '{partition.Tier}': {rate})."
            : $"Anonymous callers from this address have used their {partition.Budget} budget ({rate}); an API key has its own, higher limits.";
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests",
            Detail = string.Create(CultureInfo.InvariantCulture, $"{who} Retry after {retryAfter} seconds."),
        };
        problem.Extensions["code"] = ProblemCodes.RateLimited;

        // A client that accepts no JSON still gets the status and the headers, not an exception.
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static string Policy(RateLimitPartitionKey partition) =>
        Policies.GetOrAdd((partition.Budget.Name, partition.PermitLimit, partition.Window), static p =>
            string.Create(CultureInfo.InvariantCulture, $"\"{p.Budget}\";q={p.Limit};w={Seconds(p.Window)}"));

    /// <summary><c>t</c> is when the next permit is back at the latest: the limiter does not say how far into its period it is.</summary>
    private static string Limit(RateLimitPartitionKey partition, long remaining, long seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{partition.Budget.Name}\";r={remaining};t={seconds}");

    /// <summary>Whole seconds, rounded up so a client that waits that long is never early.</summary>
    private static long Seconds(TimeSpan time) => Math.Max(1, (long)Math.Ceiling(time.TotalSeconds));
}
