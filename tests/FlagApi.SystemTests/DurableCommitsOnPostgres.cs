using System.Text.Json;
using FlagApi.Data;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;
using FlagApi.Tests.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FlagApi.Tests;

/// <summary>
/// A connection under which PostgreSQL acknowledges a commit before it is on disk (here <c>synchronous_commit = off</c>,
/// set by the connection string's Options, as a tuning guide might suggest) is refused at start with one sentence naming
/// the setting, unless <c>Database:RequireDurableCommits=false</c> accepts it, and then it serves with a warning. The
/// server-wide settings (fsync, full_page_writes) are not changed on the shared server: DurabilityCheckTests judge them.
/// </summary>
public sealed class DurableCommitsOnPostgres(PostgresTarget target) : IClassFixture<PostgresTarget>
{
    private const string SynchronousCommitOff = "-c synchronous_commit=off";

    [Fact]
    public async Task TheServersDefaultsStartAndServeWithoutAWordOnDurability()
    {
        var logs = new CapturedLogs();
        await using var app = new FlagApiFactory(DatabaseProvider.Postgres, await target.CreateDatabaseAsync())
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };

        await AssertServesAsync(app);

        Assert.Equal("on", await SynchronousCommitAsync(app));
        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains("RequireDurableCommits", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task AConnectionThatTurnsSynchronousCommitOffIsRefusedTheStartWithOneSentenceNamingIt()
    {
        var database = PostgresServiceDatabase.On(await target.CreateDatabaseAsync());
        var environment = new Dictionary<string, string>(database.ServiceSettings)
        {
            ["Database__MigrateOnStart"] = "true",
        };
        environment["ConnectionStrings__FlagApi"] = new NpgsqlConnectionStringBuilder(environment["ConnectionStrings__FlagApi"]) { Options = SynchronousCommitOff }.ConnectionString;
        using var service = ServiceProcess.Start("service with synchronous_commit off", environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        await service.WaitForExitAsync(timeout.Token);

        Assert.True(service.ExitCode == 1, $"exit code {service.ExitCode}\n{service.Describe()}");
        const string refusal = "PostgreSQL's synchronous_commit is off for this service's connection: a commit returns before it is on disk, " +
            "so a server crash or a power loss can lose writes the service acknowledged. Remove synchronous_commit from the connection " +
            "string's Options (ConnectionStrings:FlagApi); or accept the risk with Database:RequireDurableCommits=false. Refusing to start.";
        // The sentence comes first, as the one critical line, before the host's own report of the failed start (its stack
        // trace), and last, alone on stderr.
        var lines = service.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var critical = Array.FindIndex(lines, l => JsonLine(l) is { } json && json.GetProperty("LogLevel").GetString() == "Critical");
        Assert.True(critical >= 0, service.Describe());
        Assert.Equal(refusal, JsonLine(lines[critical])!.Value.GetProperty("Message").GetString());
        Assert.DoesNotContain(lines[..critical], l => l.Contains("Exception", StringComparison.Ordinal));
        Assert.Equal(refusal, lines[^1]);
        Assert.DoesNotContain("Unhandled exception", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcceptedByRequireDurableCommitsFalseItServesAndWarnsOnce()
    {
        var logs = new CapturedLogs();
        var connectionString = new NpgsqlConnectionStringBuilder(await target.CreateDatabaseAsync()) { Options = SynchronousCommitOff }.ConnectionString;
        await using var app = new FlagApiFactory(DatabaseProvider.Postgres, connectionString,
            new Dictionary<string, string?> { ["Database:RequireDurableCommits"] = "false" })
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };

        await AssertServesAsync(app);

        Assert.Equal("off", await SynchronousCommitAsync(app));
        var warning = Assert.Single(logs.Lines, l => l.Message.Contains("synchronous_commit", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.StartsWith("PostgreSQL's synchronous_commit is off for this service's connection: ", warning.Message, StringComparison.Ordinal);
        Assert.Contains("can lose writes the service acknowledged. Serving anyway, as Database:RequireDurableCommits=false accepts the risk. " +
            "Remove synchronous_commit from the connection string's Options", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Error);
    }

    /// <summary>A line of the service's JSON console log, or null for a line it printed otherwise.</summary>
    private static JsonElement? JsonLine(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task AssertServesAsync(FlagApiFactory app)
    {
        _ = app.Server;
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        using var client = app.CreateClient();
        using var answer = JsonDocument.Parse(await client.GetStringAsync("/v1/lookup/phone?value=13800138000"));
        Assert.Equal("flagged", answer.RootElement.GetProperty("verdict").GetString());
    }

    /// <summary>synchronous_commit as the service's own connection sees it, so the test knows its connection string did what it says.</summary>
    private static async Task<string> SynchronousCommitAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        return await db.Database.SqlQueryRaw<string>("SELECT current_setting('synchronous_commit') AS \"Value\"").SingleAsync();
    }
}
