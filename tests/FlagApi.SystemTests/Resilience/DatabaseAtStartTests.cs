using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using FlagApi.Tests.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// A service started while its PostgreSQL is down (a cluster of the test's own, stopped): it listens, answers readiness
/// 503 and lookups 503 list_not_loaded, and once the server is started it checks the schema, loads, and serves, without
/// a restart of its own.
/// </summary>
public sealed class DatabaseAtStartTests(OwnPostgresCluster cluster) : IClassFixture<OwnPostgresCluster>
{
    [Fact]
    public async Task AServiceStartedWhileItsDatabaseIsDownAnswersReadiness503AndServesOnceTheDatabaseIsUp()
    {
        cluster.SkipUnlessAvailable();
        var connectionString = await cluster.CreateDatabaseAsync();
        await using (var first = new FlagApiFactory(DatabaseProvider.Postgres, connectionString))
        {
            // The schema and one flagged number, as a deployment that ran before has them.
            _ = first.Server;
            await first.PublishAsync(("phone", "13800138000", "other", "high"));
        }

        var logs = new CapturedLogs();
        await cluster.StopAsync();
        FlagApiFactory? app = null;
        try
        {
            app = new FlagApiFactory(DatabaseProvider.Postgres, connectionString, new Dictionary<string, string?>
            {
                ["Database:MigrateOnStart"] = "false",
                ["Database:RetryAfterSeconds"] = "1",
            })
            {
                TestServices = services => services.AddSingleton<ILoggerProvider>(logs),
            };
            using var client = app.CreateClient();

            var ready = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            var lookup = await client.GetAsync("/v1/lookup/phone?value=13800138000");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, lookup.StatusCode);
            Assert.Contains("\"code\":\"list_not_loaded\"", await lookup.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("Cannot reach the PostgreSQL database", StringComparison.Ordinal));

            await cluster.StartAsync();
            var watch = Stopwatch.StartNew();
            while ((await client.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "The service did not become ready after its database started.");
                await Task.Delay(200);
            }

            using var answer = JsonDocument.Parse(await client.GetStringAsync("/v1/lookup/phone?value=13800138000"));
            Assert.Equal("flagged", answer.RootElement.GetProperty("verdict").GetString());
            Assert.Contains(logs.Lines, l => l.Message.StartsWith("The PostgreSQL database answers", StringComparison.Ordinal));
            Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Error);
        }
        finally
        {
            if (!cluster.IsRunning)
            {
                await cluster.StartAsync();
            }

            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }
    }
}
