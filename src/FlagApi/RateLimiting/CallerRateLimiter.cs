using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Threading.RateLimiting;
using FlagApi.Keys;
using Microsoft.Extensions.Options;

namespace FlagApi.RateLimiting;

/// <summary>Whose budget a request spends, and how large that budget is.</summary>
/// <param name="Subject">The key (<c>key:7</c>) or, for anonymous callers, the client address (<c>ip:203.0.113.9</c>).</param>
internal readonly record struct RateLimitPartitionKey(RateLimitBudget Budget, string Tier, string Subject, int PermitLimit, TimeSpan Window)
{
    /// <summary>One token comes back every <c>Window / PermitLimit</c>.</summary>
    public TimeSpan ReplenishmentPeriod => Window / PermitLimit;

    public bool IsKey => Subject.StartsWith("key:", StringComparison.Ordinal);
}

/// <summary>What the limiter decided for one request: what is left after it, or how long to wait.</summary>
internal readonly record struct RateLimitDecision(bool IsAcquired, long Remaining, TimeSpan RetryAfter)
{
    public static RateLimitDecision Allowed(long remaining) => new(true, remaining, TimeSpan.Zero);

    public static RateLimitDecision Refused(TimeSpan retryAfter) => new(false, 0, retryAfter);
}

/// <summary>
/// One token bucket per caller and budget, from System.Threading.RateLimiting. The token bucket is
/// chosen over the fixed and sliding windows because it is the only one of the three whose refusal
/// says truthfully when to come back (one replenishment period; the fixed window always answers its
/// whole window, the sliding window zero), it allows the short bursts an app makes when a user opens
/// a screen, and it has no window edge at which a caller can spend two windows' permits at once.
/// With <c>ConnectionStrings:Redis</c> set the buckets are counted in Redis (<see cref="SharedRateLimiter"/>) and these
/// local ones are the fallback.
/// </summary>
internal sealed class CallerRateLimiter : IDisposable
{
    private readonly RateLimitingOptions options;
    private readonly PartitionedRateLimiter<RateLimitPartitionKey> limiter;
    private readonly SharedRateLimiter? shared;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClaimsPrincipal, RateLimitPartitionKey[]> keyPartitions = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClaimsPrincipal, RateLimitPartitionKey[]>.CreateValueCallback keyPartitionsOf;

    public CallerRateLimiter(IOptions<RateLimitingOptions> options, SharedRateLimiter? shared = null)
    {
        this.options = options.Value;
        this.shared = shared;
        keyPartitionsOf = KeyPartitionsOf;
        limiter = PartitionedRateLimiter.Create<RateLimitPartitionKey, RateLimitPartitionKey>(static key => new(key, NewBucket));
    }

    /// <summary>
    /// A caller's bucket, made on its first request. The partitioner runs on every acquire, so it hands this one delegate
    /// to each partition rather than a new closure per request, which <c>RateLimitPartition.GetTokenBucketLimiter</c>
    /// would allocate; the partitioned limiter replenishes the buckets itself, as it does for that helper's.
    /// </summary>
    private static readonly Func<RateLimitPartitionKey, RateLimiter> NewBucket = static key => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
    {
        TokenLimit = key.PermitLimit,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = key.ReplenishmentPeriod,
        QueueLimit = 0,
        AutoReplenishment = false,
    });

    public RateLimitPartitionKey PartitionFor(HttpContext context, RateLimitBudget budget)
    {
        // A key's caller is one principal shared by all its requests (ApiKeyAuthenticationHandler): its partitions, one
        // per budget, are worked out on its first request.
        var user = context.User;
        if (keyPartitions.TryGetValue(user, out var partitions) || user.KeyId() is not null)
        {
            partitions ??= keyPartitions.GetValue(user, keyPartitionsOf);
            return partitions[IndexOf(budget)];
        }

        return PartitionFor(user, budget, "ip:" + AddressPartition(context.Connection.RemoteIpAddress));
    }

    private RateLimitPartitionKey[] KeyPartitionsOf(ClaimsPrincipal user)
    {
        var subject = "key:" + user.KeyId()!.Value.ToString(CultureInfo.InvariantCulture);
        return [.. RateLimitBudget.All.Select(budget => PartitionFor(user, budget, subject))];
    }

    private RateLimitPartitionKey PartitionFor(ClaimsPrincipal user, RateLimitBudget budget, string subject)
    {
        var (tier, limit) = LimitFor(user, budget);
        return new RateLimitPartitionKey(budget, tier, subject, limit.PermitLimit, limit.Window);
    }

    private static int IndexOf(RateLimitBudget budget)
    {
        for (var i = 0; i < RateLimitBudget.All.Count; i++)
        {
            if (ReferenceEquals(RateLimitBudget.All[i], budget))
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(budget), budget, "Not one of RateLimitBudget.All.");
    }

    /// <summary>Spends a permit: synchronously here without Redis, the way every lookup of a default deployment is limited.</summary>
    public ValueTask<RateLimitDecision> AcquireAsync(RateLimitPartitionKey partition) =>
        shared is null ? ValueTask.FromResult(AcquireLocally(partition)) : AcquireSharedAsync(partition);

    private async ValueTask<RateLimitDecision> AcquireSharedAsync(RateLimitPartitionKey partition)
    {
        if (await shared!.TryAcquireAsync(partition) is not { } decision)
        {
            return AcquireLocally(partition);
        }

        // What Redis granted is spent here too, whatever the local bucket says: this instance's share never exceeds the
        // whole budget, and when Redis goes away a caller who just spent its budget does not find it full on every instance.
        if (decision.IsAcquired)
        {
            using var _ = limiter.AttemptAcquire(partition);
        }

        return decision;
    }

    private RateLimitDecision AcquireLocally(RateLimitPartitionKey partition)
    {
        using (var lease = limiter.AttemptAcquire(partition))
        {
            if (!lease.IsAcquired)
            {
                return RateLimitDecision.Refused(lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : partition.ReplenishmentPeriod);
            }
        }

        return RateLimitDecision.Allowed(limiter.GetStatistics(partition)?.CurrentAvailablePermits ?? 0);
    }

    public void Dispose() => limiter.Dispose();

    /// <summary>
    /// A key's own tier when it is configured and has this budget, else the tier of its role.
    /// A key whose tier was removed from the configuration keeps working at its role's limits.
    /// </summary>
    private (string Tier, BudgetLimit Limit) LimitFor(ClaimsPrincipal user, RateLimitBudget budget)
    {
        if (user.Tier() is { } own && options.Tiers.TryGetValue(own, out var ownTier) && ownTier?.For(budget) is { } ownLimit)
        {
            return (own, ownLimit);
        }

        // The validator has checked every role tier has every budget.
        var role = user.Role();
        return (role, options.Tiers[role].For(budget)!);
    }

    /// <summary>
    /// An IPv4 address is one partition; an IPv6 client is its /64, because a single subscriber is
    /// routinely given a whole /64 and could otherwise take a fresh budget with every address in it.
    /// </summary>
    internal static string AddressPartition(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
