using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Problems;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests.Resilience;

/// <summary>A PostgreSQL restart under load, on a cluster of the test's own that it stops and starts.</summary>
public sealed class DatabaseRestartTests(OwnPostgresCluster cluster) : IClassFixture<OwnPostgresCluster>
{
    private const string Agency = "Test police";
    private static readonly string[] Published = ["13800138000", "13800138001", "13800138002"];

    private readonly ConcurrentBag<Outcome> outcomes = [];
    private int next;

    [Fact]
    public async Task APostgresRestartUnderLoadFailsWritesWith503WhileLookupsAnswerAndWritesResumeWithoutARestart()
    {
        cluster.SkipUnlessAvailable();
        var settings = new Dictionary<string, string?>
        {
            ["Database:RetryAfterSeconds"] = "7",
            ["Health:DatabaseGracePeriod"] = "00:00:00.500",
            ["Keys:RefreshInterval"] = "00:00:00.200",
            ["Protection:RefreshInterval"] = "00:00:00.200",
            ["Feed:ExpirySweepInterval"] = "00:00:01",
        };
        await using var app = new FlagApiFactory(DatabaseProvider.Postgres, await cluster.CreateDatabaseAsync(), settings);
        _ = app.Server;
        await app.PublishAsync([.. Published.Select(p => ("phone", p, "other", "high"))]);
        var publisher = await app.CreateKeyAsync("publisher", Agency);
        using var load = new CancellationTokenSource();
        Task[] workers =
        [
            LookUpUntilAsync(app, load.Token), LookUpUntilAsync(app, load.Token),
            ReportUntilAsync(app, load.Token), ReportUntilAsync(app, load.Token),
            PublishUntilAsync(app, publisher, load.Token),
        ];
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        await cluster.StopAsync();
        try
        {
            using var client = app.CreateClient();
            using var publisherClient = app.CreateClient(publisher);
            var report = await client.PostAsJsonAsync("/v1/reports", ReportBody(NextNumber("139")));
            await AssertDatabaseUnavailableAsync(report);
            await AssertDatabaseUnavailableAsync(await publisherClient.PostAsJsonAsync("/v1/batches/", BatchBody(NextNumber("137"))));
            foreach (var flagged in Published)
            {
                Assert.Equal("flagged", await VerdictAsync(client, flagged));
            }

            Assert.Equal("clear", await VerdictAsync(client, "13900009999"));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

            // Ready, degraded, while lookups are served from memory; not ready once Health:DatabaseGracePeriod has passed.
            var degraded = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
            using (var body = JsonDocument.Parse(await degraded.Content.ReadAsStringAsync()))
            {
                Assert.Equal("degraded", body.RootElement.GetProperty("status").GetString());
                Assert.False(body.RootElement.GetProperty("database").GetBoolean());
                Assert.Equal(JsonValueKind.String, body.RootElement.GetProperty("databaseUnansweredSince").ValueKind);
            }

            // Long enough for every background loop to fail several ticks in a row; then the grace period passes.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Contains(outcomes, o => o.Write && o.Status == HttpStatusCode.ServiceUnavailable);
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            var notReady = await client.GetAsync("/health/ready");
            Assert.True(notReady.StatusCode == HttpStatusCode.ServiceUnavailable, await notReady.Content.ReadAsStringAsync());
            using (var body = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()))
            {
                Assert.Equal("not_ready", body.RootElement.GetProperty("status").GetString());
            }
        }
        finally
        {
            if (!cluster.IsRunning)
            {
                await cluster.StartAsync();
            }
        }

        using (var client = app.CreateClient())
        {
            var watch = Stopwatch.StartNew();
            HttpResponseMessage response;
            while ((response = await client.PostAsJsonAsync("/v1/reports", ReportBody(NextNumber("139")))).StatusCode != HttpStatusCode.Accepted)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Writes did not resume within 5 seconds of the database coming back: {(int)response.StatusCode}");
                await Task.Delay(100);
            }

            var ready = Stopwatch.StartNew();
            while ((await client.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(ready.Elapsed < TimeSpan.FromSeconds(5), "Readiness did not recover within 5 seconds of the database coming back.");
                await Task.Delay(100);
            }
        }

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await load.CancelAsync();
        await Task.WhenAll(workers);

        Assert.DoesNotContain(outcomes, o => (int)o.Status >= 500 && o.Status != HttpStatusCode.ServiceUnavailable);
        Assert.All(outcomes.Where(o => o.Status == HttpStatusCode.ServiceUnavailable), o =>
            Assert.Equal((ProblemCodes.DatabaseUnavailable, "7"), (o.Code, o.RetryAfter)));
        Assert.All(outcomes.Where(o => !o.Write), o => Assert.Equal((HttpStatusCode.OK, "flagged"), (o.Status, o.Code)));
        Assert.Contains(outcomes, o => o.Write && o.Status == HttpStatusCode.ServiceUnavailable);
        Assert.Contains(outcomes, o => o is { Write: true, Status: HttpStatusCode.Accepted or HttpStatusCode.Created or HttpStatusCode.OK });

        // Nothing half-written: every write that was acknowledged is stored, and none that was refused.
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var reported = (await db.Reports.Select(r => r.Value).ToListAsync()).ToHashSet();
        var lists = (await db.Lists.Where(l => l.Agency == Agency).Select(l => l.Reference).ToListAsync()).ToHashSet();
        var entries = (await db.Entries.Select(e => e.Value).ToListAsync()).ToHashSet();
        foreach (var write in outcomes.Where(o => o.Write))
        {
            var stored = write.Key.StartsWith("restart-", StringComparison.Ordinal)
                ? lists.Contains(write.Key) && entries.Contains("+86" + write.Key["restart-".Length..])
                : reported.Contains("+86" + write.Key);
            Assert.True(stored == (write.Status != HttpStatusCode.ServiceUnavailable),
                $"{write.Key} answered {(int)write.Status} but is {(stored ? "" : "not ")}stored.");
        }

        // The index follows the change log again: a list published now is served.
        using var after = app.CreateClient(publisher);
        var number = NextNumber("137");
        Assert.Equal(HttpStatusCode.Created, (await after.PostAsJsonAsync("/v1/batches/", BatchBody(number))).StatusCode);
        var served = Stopwatch.StartNew();
        while (await VerdictAsync(after, number) != "flagged")
        {
            Assert.True(served.Elapsed < TimeSpan.FromSeconds(2), "A list published after the restart was not served within two seconds.");
            await Task.Delay(50);
        }
    }

    private static async Task AssertDatabaseUnavailableAsync(HttpResponseMessage response)
    {
        var problem = await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, ProblemCodes.DatabaseUnavailable);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        Assert.Contains("Retry-After", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task LookUpUntilAsync(FlagApiFactory app, CancellationToken stop)
    {
        using var client = app.CreateClient();
        while (!stop.IsCancellationRequested)
        {
            var number = Published[Interlocked.Increment(ref next) % Published.Length];
            var response = await client.GetAsync($"/v1/lookup/phone?value={number}", CancellationToken.None);
            var verdict = response.IsSuccessStatusCode
                ? (await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("verdict").GetString()
                : await CodeAsync(response);
            outcomes.Add(new Outcome(false, number, response.StatusCode, verdict, null));
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private async Task ReportUntilAsync(FlagApiFactory app, CancellationToken stop)
    {
        using var client = app.CreateClient();
        while (!stop.IsCancellationRequested)
        {
            var number = NextNumber("139");
            var response = await client.PostAsJsonAsync("/v1/reports", ReportBody(number), CancellationToken.None);
            outcomes.Add(await WriteOutcomeAsync(number, response));
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private async Task PublishUntilAsync(FlagApiFactory app, string key, CancellationToken stop)
    {
        using var client = app.CreateClient(key);
        while (!stop.IsCancellationRequested)
        {
            var number = NextNumber("137");
            var response = await client.PostAsJsonAsync("/v1/batches/", BatchBody(number), CancellationToken.None);
            outcomes.Add(await WriteOutcomeAsync("restart-" + number, response));
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private static async Task<Outcome> WriteOutcomeAsync(string key, HttpResponseMessage response) =>
        new(true, key, response.StatusCode, response.IsSuccessStatusCode ? null : await CodeAsync(response),
            response.Headers.TryGetValues("Retry-After", out var retry) ? retry.Single() : null);

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var code) ? code.GetString() : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private static async Task<string?> VerdictAsync(HttpClient client, string number)
    {
        var response = await client.GetAsync($"/v1/lookup/phone?value={number}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("verdict").GetString();
    }

    private string NextNumber(string prefix) =>
        prefix + "0" + Interlocked.Increment(ref next).ToString("D7", CultureInfo.InvariantCulture);

    private static object ReportBody(string number) => new { kind = "phone", value = number, description = "Called about a parcel." };

    private static object BatchBody(string number) => new
    {
        reference = "restart-" + number,
        title = "Restart test",
        entries = new[] { new { kind = "phone", value = number, category = "other", risk = "high" } },
    };

    /// <param name="Code">The verdict of a lookup that answered 200; otherwise the problem's code.</param>
    private sealed record Outcome(bool Write, string Key, HttpStatusCode Status, string? Code, string? RetryAfter);
}
