using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// Two processes of the built service, each over its own SQLite database (a budget does not depend on the database),
/// counting their rate limits in one redis-server that the test starts, kills with SIGKILL and starts again.
/// </summary>
public sealed partial class SharedRateLimitsTests : IDisposable
{
    /// <summary>
    /// Anonymous lookups per hour: one permit comes back every 180 s, so a test shorter than that sees at most one
    /// replenished permit on top of the budget (the tolerance below).
    /// </summary>
    private const int Budget = 20;

    private const string Lookup = "/v1/lookup/phone?value=13700137000";

    /// <summary>
    /// <c>RateLimiting:RedisTimeout</c> (150 ms) plus room for a busy two-core machine (CI, with the other assemblies
    /// running beside it, saw 1.4 s once), and still well under the Redis client's own 5 s timeout a request would wait
    /// without the fallback.
    /// </summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(2.5);

    private readonly List<IDisposable> owned = [];
    private readonly List<string> folders = [];

    [Fact]
    public async Task TwoInstancesSpendOneAnonymousBudget()
    {
        var (redis, a, b, onA, onB) = await StartAsync();

        List<long> remaining = [];
        var refused = 0;
        for (var i = 0; i < Budget * 2; i++)
        {
            using var response = await (i % 2 == 0 ? onA : onB).GetAsync(Lookup);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                remaining.Add(Remaining(response));
                continue;
            }

            await Problem.AssertAsync(response, HttpStatusCode.TooManyRequests, "rate_limited");
            var retryAfter = long.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 180);
            refused++;
        }

        // Each instance alone would have answered Budget; together they answer one budget, and the RateLimit headers of
        // both count down one sequence.
        Assert.True(remaining.Count is >= Budget and <= Budget + 1,
            $"The two instances answered {remaining.Count} of {Budget * 2} lookups (refused {refused}); one budget is {Budget}.\n{Describe(a, b)}");
        Assert.Equal(Enumerable.Range(0, Budget).Select(r => (long)r).Reverse(), remaining.Take(Budget));

        // Namespaced, and the anonymous address only as a digest.
        var keys = await redis.CommandAsync("KEYS *");
        Assert.Contains("flagapi:rl:lookup:anonymous:ip:", keys, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", keys, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisKilledDuringAFloodGivesNo5xxAndIsUsedAgainOnceRestarted()
    {
        var (redis, a, b, onA, onB) = await StartAsync();

        var (answers, afterKill) = await FloodAsync(onA, onB, redis.Kill);
        AssertAnsweredInTime(answers, afterKill, a, b);

        // One warning per outage on each instance (a busy machine may see a timeout before the kill: an outage of its own,
        // ended by a recovery line), the last one for the kill, and the fallback counted.
        foreach (var instance in new[] { a, b })
        {
            var changes = instance.Output.Split('\n').Where(l => ModeChange().IsMatch(l)).Select(l => OutageWarning().IsMatch(l)).ToList();
            Assert.True(changes.Count > 0 && changes[^1] && !changes.Zip(changes.Skip(1)).Any(pair => pair.First && pair.Second),
                $"{instance.Name} should log each outage once.\n{instance.Describe()}");
            Assert.True(await FallbacksAsync(instance.Address) > 0, $"{instance.Name} counted no fallback.\n{instance.Describe()}");
        }

        // Restarted empty on the same port: A's budget drops by two across B's request, where a local bucket drops by one.
        await redis.RestartAsync();
        var shared = Stopwatch.StartNew();
        while (true)
        {
            using var first = await onA.GetAsync(Lookup);
            using var second = await onB.GetAsync(Lookup);
            using var third = await onA.GetAsync(Lookup);
            if (new[] { first, second, third }.All(r => r.StatusCode == HttpStatusCode.OK)
                && Remaining(second) == Remaining(first) - 1 && Remaining(third) == Remaining(first) - 2)
            {
                break;
            }

            Assert.True(shared.Elapsed < TimeSpan.FromSeconds(20), $"The instances did not share Redis again within 20 s of its restart.\n{Describe(a, b)}");
            await Task.Delay(250);
        }

        foreach (var instance in new[] { a, b })
        {
            Assert.Contains("budgets are shared by every instance again", instance.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ARedisThatStopsAnsweringDelaysNoRequestBeyondItsTimeout()
    {
        var (redis, a, b, onA, onB) = await StartAsync();

        // SIGSTOP: the connection stays open and the client still says it is connected, but nothing comes back.
        var (answers, afterStop) = await FloodAsync(onA, onB, redis.Pause);
        redis.Resume();

        AssertAnsweredInTime(answers, afterStop, a, b);
        foreach (var instance in new[] { a, b })
        {
            Assert.True(await FallbacksAsync(instance.Address) > 0, $"{instance.Name} counted no fallback.\n{instance.Describe()}");
        }
    }

    public void Dispose()
    {
        foreach (var process in owned)
        {
            process.Dispose();
        }

        foreach (var folder in folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Four callers on each instance for four and a half seconds; <paramref name="fault"/> is done to Redis after one and a
    /// half. The first half second is not counted: it opens the connections and compiles the code of a process just started.
    /// </summary>
    private static async Task<(List<Answer> All, List<Answer> AfterFault)> FloodAsync(HttpClient onA, HttpClient onB, Action fault)
    {
        var flood = Stopwatch.StartNew();
        var floodFor = TimeSpan.FromSeconds(4.5);
        var warmUp = TimeSpan.FromSeconds(0.5);
        var workers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var client = i % 2 == 0 ? onA : onB;
            List<Answer> answers = [];
            while (flood.Elapsed < floodFor)
            {
                var at = flood.Elapsed;
                var took = Stopwatch.StartNew();
                using var response = await client.GetAsync(Lookup);
                if (at >= warmUp)
                {
                    answers.Add(new Answer(response.StatusCode, took.Elapsed, at));
                }
            }

            return answers;
        })).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var faultAt = flood.Elapsed;
        fault();
        var all = (await Task.WhenAll(workers)).SelectMany(w => w).ToList();
        return (all, all.Where(x => x.At >= faultAt).ToList());
    }

    /// <summary>Every answer a 200 or a 429, none slower than <see cref="AnswerBound"/>.</summary>
    private static void AssertAnsweredInTime(List<Answer> answers, List<Answer> afterFault, ServiceProcess a, ServiceProcess b)
    {
        Assert.True(afterFault.Count > 50, $"Only {afterFault.Count} requests were made after the fault.");
        var failed = answers.Where(x => x.Status is not (HttpStatusCode.OK or HttpStatusCode.TooManyRequests)).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {answers.Count} answers were neither 200 nor 429, e.g. {failed.FirstOrDefault()?.Status}.\n{Describe(a, b)}");
        var slowest = answers.Max(x => x.Took);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{answers.Count} answers, {afterFault.Count} after the fault; the slowest took {slowest.TotalMilliseconds:F0} ms, after the fault {afterFault.Max(x => x.Took).TotalMilliseconds:F0} ms.");
        Assert.True(slowest <= AnswerBound,
            $"The slowest of {answers.Count} answers took {slowest.TotalMilliseconds:F0} ms, more than {AnswerBound.TotalMilliseconds:F0} ms.\n{Describe(a, b)}");
    }

    private static long Remaining(HttpResponseMessage response)
    {
        var header = response.Headers.GetValues("RateLimit").Single();
        return long.Parse(RemainingPattern().Match(header).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<long> FallbacksAsync(Uri address)
    {
        using var client = ServiceCalls.Client(address, key: null, TimeSpan.FromSeconds(10));
        var text = await client.GetStringAsync("/metrics");
        return FallbacksPattern().Matches(text).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private static string Describe(ServiceProcess a, ServiceProcess b) => a.Describe() + "\n" + b.Describe();

    /// <summary>A redis-server, and instances A and B counting in it, with an anonymous client for each.</summary>
    private async Task<(RedisServer Redis, ServiceProcess A, ServiceProcess B, HttpClient OnA, HttpClient OnB)> StartAsync()
    {
        var redis = Own(await RedisServer.StartAsync());
        var (a, b) = await StartInstancesAsync(redis);
        return (redis, a, b, Own(ServiceCalls.Client(a.Address, key: null, TimeSpan.FromSeconds(30))),
            Own(ServiceCalls.Client(b.Address, key: null, TimeSpan.FromSeconds(30))));
    }

    private async Task<(ServiceProcess A, ServiceProcess B)> StartInstancesAsync(RedisServer redis)
    {
        List<ServiceProcess> instances = [];
        foreach (var name in new[] { "A", "B" })
        {
            var folder = Directory.CreateTempSubdirectory($"flagapi-shared-limits-{name}-").FullName;
            folders.Add(folder);
            instances.Add(Own(ServiceProcess.Start($"instance {name}", new Dictionary<string, string>
            {
                ["Database__DataDirectory"] = folder,
                ["ConnectionStrings__Redis"] = redis.ConnectionString,
                ["RateLimiting__RedisTimeout"] = "00:00:00.150",
                ["RateLimiting__RedisRetryInterval"] = "00:00:01",
                ["RateLimiting__Tiers__anonymous__Lookup__PermitLimit"] = Budget.ToString(CultureInfo.InvariantCulture),
                ["RateLimiting__Tiers__anonymous__Lookup__Window"] = "01:00:00",
                ["Metrics__Enabled"] = "true",
            })));
        }

        await Task.WhenAll(instances.Select(i => i.WaitUntilReadyAsync(TimeSpan.FromSeconds(90))));

        // Each connects to Redis in the background after its start; until then it counts alone.
        var clock = Stopwatch.StartNew();
        while (!instances.All(i => i.Output.Contains("counted in Redis", StringComparison.Ordinal)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The instances did not connect to Redis.\n{Describe(instances[0], instances[1])}");
            await Task.Delay(50);
        }

        return (instances[0], instances[1]);
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        owned.Add(disposable);
        return disposable;
    }

    private sealed record Answer(HttpStatusCode Status, TimeSpan Took, TimeSpan At);

    [GeneratedRegex(@";r=(\d+);")]
    private static partial Regex RemainingPattern();

    [GeneratedRegex(@"^flagapi_ratelimit_fallbacks_total(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex FallbacksPattern();

    [GeneratedRegex("Rate limits: Redis failed|Rate limits: Redis is not connected")]
    private static partial Regex OutageWarning();

    [GeneratedRegex("Rate limits: Redis failed|Rate limits: Redis is not connected|budgets are shared by every instance again")]
    private static partial Regex ModeChange();
}
