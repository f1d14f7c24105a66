using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public abstract class HealthTests(DatabaseTarget target)
{
    [Fact]
    public async Task LiveAnswersWhileTheProcessRuns()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        var response = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReadyReportsTheDatabaseAndTheLoadedList()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        using var client = app.CreateClient();

        var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("database").GetBoolean());
        Assert.Equal(1, body.GetProperty("entries").GetInt32());
        Assert.Equal(1, body.GetProperty("listVersion").GetInt64());
    }

    [Fact]
    public async Task AnotherInstancesPublishIsServedWithinTwoSecondsAndReadinessShowsNoLag()
    {
        var poll = new Dictionary<string, string?> { ["Lookup:PollInterval"] = "00:00:01" };
        await using var first = await FlagApiFactory.CreateAsync(target, poll);
        await using var second = new FlagApiFactory(target.Provider, first.ConnectionString, poll);
        _ = second.Server;
        using var client = first.CreateClient();

        await second.PublishAsync(("phone", "13800138000", "other", "high"));
        var watch = Stopwatch.StartNew();
        while (!await IsFlaggedAsync(client, "13800138000"))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), "The first instance did not serve the second's publish within two seconds.");
            await Task.Delay(50);
        }

        var ready = await ReadyAsync(client);
        Assert.Equal(1, ready.GetProperty("listVersion").GetInt64());
        Assert.Equal(1, ready.GetProperty("databaseVersion").GetInt64());
        Assert.Equal(0, ready.GetProperty("behind").GetInt64());
        Assert.True(ready.GetProperty("lastCatchUpAt").GetDateTime() > DateTime.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task ReadinessShowsHowManyVersionsAnInstanceIsBehind()
    {
        // An instance that neither polls in time nor hears change notices (PostgreSQL's would bring it along at once).
        await using var first = await FlagApiFactory.CreateAsync(
            target, new Dictionary<string, string?> { ["Lookup:PollInterval"] = "01:00:00", ["ChangeNotices:Enabled"] = "false" });
        await using var second = new FlagApiFactory(target.Provider, first.ConnectionString);
        _ = second.Server;
        using var client = first.CreateClient();

        await second.PublishAsync(("phone", "13800138000", "other", "high"), ("phone", "13800138001", "other", "high"));

        var ready = await ReadyAsync(client);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(0, ready.GetProperty("listVersion").GetInt64());
        Assert.Equal(2, ready.GetProperty("databaseVersion").GetInt64());
        Assert.Equal(2, ready.GetProperty("behind").GetInt64());
    }

    [Fact]
    public async Task ReadinessSaysWhetherTheInstanceHearsOtherInstancesChanges()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        if (target.Provider != DatabaseProvider.Postgres)
        {
            // Only PostgreSQL has LISTEN/NOTIFY; on SQLite and SQL Server instances find other instances' changes by polling.
            Assert.Equal(JsonValueKind.Null, (await ReadyAsync(client)).GetProperty("listening").ValueKind);
            return;
        }

        // The listener connects beside the start, not before it: give it a moment.
        var watch = Stopwatch.StartNew();
        while ((await ReadyAsync(client)).GetProperty("listening").ValueKind != JsonValueKind.True)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "The instance does not say it listens.");
            await Task.Delay(50);
        }
    }

    private static async Task<bool> IsFlaggedAsync(HttpClient client, string number)
    {
        var response = await client.GetAsync($"/v1/lookup/phone?value={number}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("flagged").GetBoolean();
    }

    private static async Task<JsonElement> ReadyAsync(HttpClient client)
    {
        var response = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
