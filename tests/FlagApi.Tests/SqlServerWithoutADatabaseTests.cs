using System.Diagnostics;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using FlagApi.Tests.Observability;
using FlagApi.Tests.Resilience;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlagApi.Tests;

/// <summary>
/// A service configured for a SQL Server that does not answer. As on PostgreSQL, the start reads the schema's version
/// before anything is served, so it stops, at once and with one sentence, rather than serve with no list: the host (or
/// the container's restart policy) tries again, and /health/ready of the instances already running answers 503.
/// </summary>
public sealed class SqlServerWithoutADatabaseTests
{
    [Theory]
    [InlineData("false")]
    [InlineData("true")]
    public async Task AStartAgainstASqlServerThatDoesNotAnswerStopsWithinItsConnectTimeoutAndSaysWhy(string migrateOnStart)
    {
        var logs = new CapturedLogs();
        await using var app = new FlagApiFactory(DatabaseProvider.SqlServer, UnreachableDatabases.SqlServer(),
            new Dictionary<string, string?> { ["Database:MigrateOnStart"] = migrateOnStart })
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
