using FlagApi.RateLimiting;

namespace FlagApi.Tests;

/// <summary>When a request asks Redis and when it is counted by its own instance: <see cref="RedisFallback"/>.</summary>
public sealed class RedisFallbackTests
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    private readonly SteppedClock clock = new();

    [Fact]
    public void AConnectedRedisThatHasNotFailedIsAsked()
    {
        var fallback = new RedisFallback(clock, RetryInterval);

        Assert.True(fallback.ShouldAsk(connected: true));
        Assert.False(fallback.ShouldAsk(connected: false));
    }

    [Fact]
    public void AfterAFailureRedisIsNotAskedUntilTheRetryIntervalHasPassed()
    {
        var fallback = new RedisFallback(clock, RetryInterval);

        fallback.Failed();
        clock.Advance(RetryInterval - TimeSpan.FromMilliseconds(1));
        var early = fallback.ShouldAsk(connected: true);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(early);
        Assert.True(fallback.ShouldAsk(connected: true));
        Assert.False(fallback.ShouldAsk(connected: false));
    }

    [Fact]
    public void AFailureDuringTheRetryStartsTheIntervalAgain()
    {
        var fallback = new RedisFallback(clock, RetryInterval);
        fallback.Failed();
        clock.Advance(RetryInterval);

        fallback.Failed();
        clock.Advance(RetryInterval / 2);

        Assert.False(fallback.ShouldAsk(connected: true));
    }

    [Fact]
    public void AnOutageBeginsOnceAndEndsOnce()
    {
        var fallback = new RedisFallback(clock, RetryInterval);

        bool[] failures = [fallback.Failed(), fallback.Failed(), fallback.Failed()];
        bool[] successes = [fallback.Succeeded(fallback.Asking()), fallback.Succeeded(fallback.Asking())];
        var nextOutage = fallback.Failed();

        Assert.Equal([true, false, false], failures);
        Assert.Equal([true, false], successes);
        Assert.True(nextOutage);
        Assert.True(fallback.IsDown);
    }

    [Fact]
    public void SuccessesWithoutAnOutageEndNone()
    {
        var fallback = new RedisFallback(clock, RetryInterval);

        Assert.False(fallback.Succeeded(fallback.Asking()));
        Assert.False(fallback.IsDown);
    }

    [Fact]
    public void ASlowAnswerToARequestAskedBeforeTheFailureDoesNotEndTheOutage()
    {
        var fallback = new RedisFallback(clock, RetryInterval);
        var askedBefore = fallback.Asking();
        clock.Advance(TimeSpan.FromMilliseconds(100));
        fallback.Failed();
        clock.Advance(TimeSpan.FromMilliseconds(50));

        var ended = fallback.Succeeded(askedBefore);

        Assert.False(ended);
        Assert.True(fallback.IsDown);
        Assert.False(fallback.ShouldAsk(connected: true));
    }

    /// <summary>A monotonic clock that moves only when told, in ticks.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long now = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => now;

        public void Advance(TimeSpan by) => now += by.Ticks;
    }
}
