using System.Globalization;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using FlagApi.Tests.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlagApi.Tests;

/// <summary>
/// SQLite syncs every commit by default (PRAGMA synchronous = FULL, 2) and says nothing; Database:SqliteSynchronous=Normal
/// (1) is the operator's choice, so the start serves, with one warning that names the setting and what it risks.
/// </summary>
public sealed class DurableCommitsOnSqlite
{
    [Fact]
    public async Task TheDefaultSyncsEveryCommitAndSaysNothing()
    {
        var (synchronous, warnings) = await StartAsync(settings: null);

        Assert.Equal(2, synchronous);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task NormalServesWithOneWarningNamingTheSetting()
    {
        var (synchronous, warnings) = await StartAsync(new Dictionary<string, string?> { ["Database:SqliteSynchronous"] = "Normal" });

        Assert.Equal(1, synchronous);
        var warning = Assert.Single(warnings);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.StartsWith("SQLite's synchronous is NORMAL (Database:SqliteSynchronous=Normal)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("the last ones before a power loss or an operating system crash can roll back", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Database:SqliteSynchronous=Full (the default)", warning.Message, StringComparison.Ordinal);
    }

    /// <summary>Starts the service, checks it serves a lookup, and answers PRAGMA synchronous on its own connection and what it said of synchronous.</summary>
    private static async Task<(long Synchronous, IReadOnlyList<CapturedLine> Warnings)> StartAsync(IReadOnlyDictionary<string, string?>? settings)
    {
        var logs = new CapturedLogs();
        await using var app = new FlagApiFactory(DatabaseProvider.Sqlite, await new SqliteTarget().CreateDatabaseAsync(), settings)
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };
        _ = app.Server;
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        using var client = app.CreateClient();
        using (var answer = JsonDocument.Parse(await client.GetStringAsync("/v1/lookup/phone?value=13800138000")))
        {
            Assert.Equal("flagged", answer.RootElement.GetProperty("verdict").GetString());
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        var synchronous = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        await db.Database.CloseConnectionAsync();

        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Error);
        return (synchronous, [.. logs.Lines.Where(l => l.Message.Contains("synchronous", StringComparison.OrdinalIgnoreCase))]);
    }
}
