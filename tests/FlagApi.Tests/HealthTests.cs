using System.Net;
using System.Text.Json;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class HealthOnSqlite() : HealthTests(new SqliteTarget());

public sealed class HealthOnPostgres(PostgresTarget target) : HealthTests(target), IClassFixture<PostgresTarget>;

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
}
