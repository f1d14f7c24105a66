using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using FlagApi.Observability;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace FlagApi.RateLimiting;

/// <summary>
/// The budgets counted in Redis (<c>ConnectionStrings:Redis</c>), so that every instance behind a balancer spends from
/// one budget per caller. RedisRateLimiting's token bucket runs as one Lua script per request with the same semantics as
/// the local bucket (a burst of the whole limit, one permit back every <c>Window / PermitLimit</c>, state kept only for a
/// window after the last permit), and its lease says both what is left and when the next permit is back.
/// </summary>
/// <remarks>
/// Redis is an optimisation of fairness, never a dependency of a lookup: when it fails, times out or is not connected,
/// <see cref="TryAcquireAsync"/> answers null and the caller counts locally (see <see cref="RedisFallback"/>).
/// </remarks>
internal sealed class SharedRateLimiter : IAsyncDisposable
{
    /// <summary>Every key this service writes starts with this; the library wraps it as <c>rl:tb:{flagapi:rl:…}</c>.</summary>
    internal const string KeyPrefix = "flagapi:rl:";

    private readonly PartitionedRateLimiter<RateLimitPartitionKey> limiter;
    private readonly RedisFallback fallback;
    private readonly TimeSpan timeout;
    private readonly FlagApiMetrics metrics;
    private readonly ILogger<SharedRateLimiter> logger;
    private readonly Task<ConnectionMultiplexer?> connecting;
    private volatile ConnectionMultiplexer? redis;

    public SharedRateLimiter(
        string connectionString, IOptions<RateLimitingOptions> options, TimeProvider time, FlagApiMetrics metrics, ILogger<SharedRateLimiter> logger)
    {
        timeout = options.Value.RedisTimeout;
        fallback = new RedisFallback(time, options.Value.RedisRetryInterval);
        this.metrics = metrics;
        this.logger = logger;
        limiter = PartitionedRateLimiter.Create<RateLimitPartitionKey, RateLimitPartitionKey>(key =>
            RateLimitPartition.Get(key, k => new RedisTokenBucketRateLimiter<string>(KeyOf(k), new RedisTokenBucketRateLimiterOptions
            {
                ConnectionMultiplexerFactory = () => redis!,
                TokenLimit = k.PermitLimit,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = k.ReplenishmentPeriod,
            })));

        // In the background: an unreachable Redis must not delay the start, and until it answers the limits are local.
        connecting = ConnectAsync(Configuration(connectionString, timeout));
    }

    /// <summary>Redis's decision for this request, or null when this instance must decide alone.</summary>
    public async ValueTask<RateLimitDecision?> TryAcquireAsync(RateLimitPartitionKey partition)
    {
        var client = redis;
        if (!fallback.ShouldAsk(client?.IsConnected == true))
        {
            // Still connecting at start is not an outage; a client that says it lost its connection is.
            if (client is not null && !fallback.IsDown && fallback.Failed())
            {
                logger.LogWarning("Rate limits: Redis is not connected; each instance counts its own budgets until it is back.");
            }

            metrics.RecordRateLimitFallback();
            return null;
        }

        var askedAt = fallback.Asking();
        try
        {
            // The library takes no cancellation and the client checks its own timeouts only once a second: bound the wait here.
            using var lease = await limiter.AcquireAsync(partition).AsTask().WaitAsync(timeout);
            if (fallback.Succeeded(askedAt))
            {
                logger.LogInformation("Rate limits: Redis answers again; budgets are shared by every instance again.");
            }

            return lease.IsAcquired
                ? RateLimitDecision.Allowed(lease.TryGetMetadata(RateLimitMetadataName.Remaining, out var remaining) ? remaining : 0)
                : RateLimitDecision.Refused(lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) && seconds > 0
                    ? TimeSpan.FromSeconds(seconds)
                    : partition.ReplenishmentPeriod);
        }
        catch (Exception e)
        {
            // Any failure, not only a lost connection (a timeout, a READONLY replica, a script error): a request is never
            // refused or failed because the shared counter could not be reached.
            if (fallback.Failed())
            {
                logger.LogWarning(e, "Rate limits: Redis failed ({Error}); each instance counts its own budgets until it answers again.", e.GetType().Name);
            }

            metrics.RecordRateLimitFallback();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        limiter.Dispose();
        if (await connecting is { } client)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>
    /// <c>flagapi:rl:{budget}:{tier}:{subject}</c>. A key's id is kept as it is (it is no personal data and tells an operator
    /// whose bucket it is); an anonymous caller's address, or IPv6 /64, only as a SHA-256 digest, so a look into Redis
    /// shows no addresses. That is a pseudonym, not anonymity: the IPv4 space can be hashed whole. Buckets expire a window
    /// after their last permit.
    /// </summary>
    internal static string KeyOf(RateLimitPartitionKey partition)
    {
        var subject = partition.IsKey
            ? partition.Subject
            : "ip:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(partition.Subject)).AsSpan(0, 16));
        return $"{KeyPrefix}{partition.Budget.Name}:{partition.Tier}:{subject}";
    }

    internal static ConfigurationOptions Configuration(string connectionString, TimeSpan timeout)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);

        // The service starts and answers without Redis; requests never queue behind a lost connection, they count locally.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.AsyncTimeout = configuration.SyncTimeout = (int)timeout.TotalMilliseconds;
        configuration.ReconnectRetryPolicy = new LinearRetry(1000);
        configuration.ClientName ??= "flagapi";
        return configuration;
    }

    private async Task<ConnectionMultiplexer?> ConnectAsync(ConfigurationOptions configuration)
    {
        ConnectionMultiplexer client;
        try
        {
            client = await ConnectionMultiplexer.ConnectAsync(configuration);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Rate limits: no Redis client could be made ({Error}); each instance counts its own budgets.", e.GetType().Name);
            return null;
        }

        redis = client;
        if (client.IsConnected)
        {
            logger.LogInformation("Rate limits: counted in Redis, shared by every instance that uses it.");
        }

        return client;
    }
}
