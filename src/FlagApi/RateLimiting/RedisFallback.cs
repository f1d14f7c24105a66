namespace FlagApi.RateLimiting;

/// <summary>
/// Whether a request is counted in Redis or by this instance alone. After one failure every request is counted here at
/// once, and Redis is asked again only after <c>RateLimiting:RedisRetryInterval</c> and only while the client says it is
/// connected, so no request waits on a Redis known to be down. An outage begins and ends once, for one log line each.
/// </summary>
internal sealed class RedisFallback(TimeProvider time, TimeSpan retryInterval)
{
    private long failedAt;
    private int down;

    public bool IsDown => Volatile.Read(ref down) == 1;

    /// <summary>Whether this request should ask Redis: it is connected, and it has not failed within the retry interval.</summary>
    public bool ShouldAsk(bool connected) =>
        connected && (!IsDown || time.GetElapsedTime(Volatile.Read(ref failedAt)) >= retryInterval);

    /// <summary>When a request asks Redis, for <see cref="Succeeded"/>.</summary>
    public long Asking() => time.GetTimestamp();

    /// <summary>
    /// Redis counted a request asked at <paramref name="askedAt"/>; true when that ends an outage. An answer to a request
    /// asked before the last failure says nothing about Redis now (a slow answer that came just after another timed out)
    /// and ends none: the retry interval still holds.
    /// </summary>
    public bool Succeeded(long askedAt) =>
        IsDown && askedAt >= Volatile.Read(ref failedAt) && Interlocked.Exchange(ref down, 0) == 1;

    /// <summary>Redis failed, timed out or is not connected; true when that begins an outage.</summary>
    public bool Failed()
    {
        Volatile.Write(ref failedAt, time.GetTimestamp());
        return Interlocked.Exchange(ref down, 1) == 0;
    }
}
