using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using FlagApi.Tests.Observability;
using FlagApi.Tests.Resilience;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlagApi.Tests;

/// <summary>
/// A service configured for a SQL Server that does not answer. By default it starts anyway and says it is not ready:
/// /health/ready answers 503, lookups 503 list_not_loaded, one warning names the database, and the schema check is
/// tried again until the server answers (shown on PostgreSQL, where a server can be started: DatabaseAtStartTests).
/// With Database:WaitOnStart=false the start stops at once with one sentence, for a supervisor to try again.
/// </summary>
public sealed class SqlServerWithoutADatabaseTests
{
    [Theory]
    [InlineData("false")]
    [InlineData("true")]
    public async Task AStartAgainstASqlServerThatDoesNotAnswerServesReadiness503AndSaysWhy(string migrateOnStart)
    {
        var logs = new CapturedLogs();
        await using var app = new FlagApiFactory(DatabaseProvider.SqlServer, UnreachableDatabases.SqlServer(),
            new Dictionary<string, string?> { ["Database:MigrateOnStart"] = migrateOnStart, ["Database:RetryAfterSeconds"] = "1" })
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };
        var clock = Stopwatch.StartNew();
        using var client = app.CreateClient();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the start took {clock.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
        {
            Assert.False(body.RootElement.GetProperty("database").GetBoolean());
            Assert.False(body.RootElement.GetProperty("listLoaded").GetBoolean());
        }

        var lookup = await client.GetAsync("/v1/lookup/phone?value=13800138000");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lookup.StatusCode);
        Assert.Equal("application/problem+json", lookup.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"code\":\"list_not_loaded\"", await lookup.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // It keeps trying, quietly: one warning, however many attempts.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var line = Assert.Single(logs.Lines, l => l.Level >= LogLevel.Warning && l.Message.StartsWith("Cannot reach", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.StartsWith("Cannot reach the SQL Server database (SQL Server ", line.Message, StringComparison.Ordinal);
        Assert.Contains("/health/ready answers 503", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Error);
        Assert.DoesNotContain(logs.Lines, l => l.AllText().Contains(UnreachableDatabases.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithWaitOnStartOffTheStartStopsWithinItsConnectTimeoutAndSaysWhy()
    {
        var logs = new CapturedLogs();
        await using var app = new FlagApiFactory(DatabaseProvider.SqlServer, UnreachableDatabases.SqlServer(),
            new Dictionary<string, string?> { ["Database:WaitOnStart"] = "false" })
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };
        var clock = Stopwatch.StartNew();

        var failure = Assert.ThrowsAny<Exception>(() => app.Server);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the start took {clock.Elapsed} to give up");
        Assert.True(DatabaseFailures.IsUnavailable(failure), failure.ToString());
        Assert.IsType<SqlException>(DatabaseFailures.FindUnavailable(failure));
        var line = Assert.Single(logs.Lines, l => l.Level == LogLevel.Critical);
        Assert.StartsWith("Cannot reach the SQL Server database (SQL Server ", line.Message, StringComparison.Ordinal);
        Assert.Contains("Check ConnectionStrings:FlagApi", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.AllText().Contains(UnreachableDatabases.Password, StringComparison.Ordinal));
    }
}
