using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Load;

/// <summary>
/// The shipped rate limits (appsettings.json: anonymous callers 60 lookups a minute and 10 reports an hour per address, an
/// app key 6,000 lookups a minute) under an anonymous flood from many connections on one address, each request claiming a
/// different client in <c>X-Forwarded-For</c> (believed only from <c>RateLimiting:TrustedProxies</c>, empty by default), while
/// an app sends lookups at its full budget of 100 a second. The limiter runs in memory, whatever the database.
/// </summary>
[Collection(LoadRuns.Name)]
public sealed class LoadRateLimitTests(ITestOutputHelper output)
{
    private const int FloodWorkers = 48;
    private const int AppPerSecond = 100;
    private const int AnonymousLookupsPerMinute = 60;
    private const int AnonymousReportsPerHour = 10;
    private static readonly TimeSpan Flood = TimeSpan.FromSeconds(12);

    /// <summary>Pessimistic for a 2-core machine that also runs the flood's 48 clients and other test runs.</summary>
    private static readonly TimeSpan AppP99Limit = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task AnAnonymousFloodIsRefusedWithProblemDetailsWhileAKeyedAppIsServedAtItsOwnBudget()
    {
        await using var service = await LoadService.StartAsync(new SqliteTarget(), new Dictionary<string, string>());
        using var app = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(30) };
        app.DefaultRequestHeaders.Add("X-Api-Key", service.AppKey);
        using var anonymous = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = FloodWorkers }) { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(30) };

        var floodOutcomes = new ConcurrentQueue<Outcome>();
        var refusalProblems = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        var flood = Task.WhenAll(Enumerable.Range(0, FloodWorkers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (clock.Elapsed < Flood)
            {
                var (outcome, problem) = await FloodOnceAsync(anonymous, random);
                floodOutcomes.Enqueue(outcome);
                if (problem is not null && refusalProblems.Count < 20)
                {
                    refusalProblems.Enqueue(problem);
                }
            }
        })));

        // The app: one lookup every 10 ms on schedule, each on its own, so a slow answer does not slow the rate.
        var appRequests = new List<Task<Outcome>>();
        for (var i = 0; clock.Elapsed < Flood; i++)
        {
            // The wait is read from the clock once: read twice, it could come out just under zero, and Task.Delay
            // takes -1 ms as "forever" (a CI run waited here for good).
            var wait = TimeSpan.FromSeconds((double)i / AppPerSecond) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            appRequests.Add(AppLookupAsync(app, i));
        }

        var appOutcomes = await Task.WhenAll(appRequests);
        await flood;
        var elapsed = clock.Elapsed;

        var appFigures = new LoadFigures(appOutcomes, elapsed);
        var floodFigures = new LoadFigures(floodOutcomes, elapsed);
        var appP99 = LoadFigures.Percentile(appOutcomes.Select(o => o.Latency).ToList(), 99);
        var anonymousLookupsServed = floodFigures.CountWhere(o => o.Kind == "anonymous lookup" && o.Status == 200);
        var anonymousReportsServed = floodFigures.CountWhere(o => o.Kind == "anonymous report" && o.Status == 202);
        var refused = floodFigures.CountWhere(o => o.Status == 429);

        // A full bucket, then one lookup back a second; a report comes back every six minutes, so not within the flood.
        var lookupAllowance = AnonymousLookupsPerMinute + (int)Math.Ceiling(elapsed.TotalSeconds * AnonymousLookupsPerMinute / 60) + 1;
        output.WriteLine(appFigures.Table($"app key at {AppPerSecond} lookups/s"));
        output.WriteLine(floodFigures.Table($"anonymous flood, {FloodWorkers} workers on 127.0.0.1, a spoofed X-Forwarded-For on each"));
        output.WriteLine($"anonymous lookups served {anonymousLookupsServed} (allowed at most {lookupAllowance}), reports accepted {anonymousReportsServed} (at most {AnonymousReportsPerHour}), refused {refused} with 429");

        Assert.True(appOutcomes.All(o => o.Status == 200),
            $"The app's lookups answered {string.Join(", ", appOutcomes.GroupBy(o => o.Status).Select(g => $"{g.Key}×{g.Count()}"))}, not only 200.\n{service.Describe()}");
        Assert.True(appOutcomes.Length >= Flood.TotalSeconds * AppPerSecond * 0.9, $"The app sent only {appOutcomes.Length} lookups.");
        Assert.True(appP99 < AppP99Limit, $"The app's p99 latency under the flood was {appP99.TotalMilliseconds:F0} ms (limit {AppP99Limit.TotalMilliseconds:F0} ms).");

        Assert.True(floodFigures.CountWhere(o => o.Status is 0 or >= 500) == 0,
            $"The flood got {floodFigures.CountWhere(o => o.Status >= 500)} 5xx and {floodFigures.CountWhere(o => o.Status == 0)} unanswered requests.\n{service.Describe()}");
        Assert.True(anonymousLookupsServed <= lookupAllowance, $"{anonymousLookupsServed} anonymous lookups were served; the budget allows {lookupAllowance}.");
        Assert.True(anonymousReportsServed <= AnonymousReportsPerHour, $"{anonymousReportsServed} anonymous reports were accepted; the budget allows {AnonymousReportsPerHour}.");
        Assert.True(refused == floodFigures.Count - anonymousLookupsServed - anonymousReportsServed,
            $"Besides what the budgets allow, every anonymous request should be refused with 429: {floodFigures.Table("flood")}");
        Assert.True(refused > 20 * (anonymousLookupsServed + anonymousReportsServed), $"Only {refused} requests were refused: that is not a flood.");
        Assert.True(refusalProblems.IsEmpty, "Refusals that were not 429 problem details with code rate_limited and Retry-After:\n" + string.Join('\n', refusalProblems));
    }

    private static async Task<Outcome> AppLookupAsync(HttpClient app, int i)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await app.GetAsync($"/v1/lookup/phone?value={LoadService.FlaggedPhone(i % LoadService.FlaggedPhones)}");
            await response.Content.ReadAsByteArrayAsync();
            return new Outcome("app lookup", (int)response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new Outcome("app lookup", 0, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>One anonymous lookup or report claiming to come from a random address; a refusal must be complete problem details.</summary>
    private static async Task<(Outcome Outcome, string? Problem)> FloodOnceAsync(HttpClient anonymous, Random random)
    {
        var report = random.Next(5) == 0;
        using var request = report
            ? new HttpRequestMessage(HttpMethod.Post, "/v1/reports")
            {
                Content = JsonContent.Create(new { kind = "phone", value = LoadService.UnflaggedPhone(random.Next(1000)), description = "Asked for my card's code." }),
            }
            : new HttpRequestMessage(HttpMethod.Get, $"/v1/lookup/phone?value={LoadService.FlaggedPhone(random.Next(LoadService.FlaggedPhones))}");
        request.Headers.Add("X-Forwarded-For", $"198.51.100.{random.Next(1, 255)}");
        var kind = report ? "anonymous report" : "anonymous lookup";
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await anonymous.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var outcome = new Outcome(kind, (int)response.StatusCode, Stopwatch.GetElapsedTime(started));
            return (outcome, response.StatusCode == HttpStatusCode.TooManyRequests ? RefusalProblem(response, body) : null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (new Outcome(kind, 0, Stopwatch.GetElapsedTime(started)), null);
        }
    }

    private static string? RefusalProblem(HttpResponseMessage response, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || retryAfter is null || retryAfter < TimeSpan.FromSeconds(1))
        {
            return $"{response.Content.Headers.ContentType} Retry-After {response.Headers.RetryAfter}: {text}";
        }

        var json = JsonDocument.Parse(text).RootElement;
        return json.GetProperty("code").GetString() == "rate_limited" && json.GetProperty("status").GetInt32() == 429
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"not rate_limited problem details: {text}");
    }
}
