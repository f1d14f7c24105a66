using FlagApi.Data;
using FlagApi.Tests.Resilience;

namespace FlagApi.Tests;

public sealed class MigrateCommandWithoutADatabaseTests
{
    [Fact]
    public async Task MigrateAgainstAPostgresServerThatDoesNotAnswerExitsOneAndSaysSo()
    {
        var (code, output, error) = await MigrateCommandTests.RunAsync(DatabaseProvider.Postgres, UnreachableDatabases.Postgres());

        Assert.Equal(CommandLine.Failed, code);
        Assert.Empty(output);
        Assert.StartsWith("Cannot reach the PostgreSQL database", error, StringComparison.Ordinal);
        Assert.Contains("nothing was applied", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(UnreachableDatabases.Password, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAgainstASqlServerThatDoesNotAnswerExitsOneWithOneLineThatNamesSqlServer()
    {
        var (code, output, error) = await MigrateCommandTests.RunAsync(DatabaseProvider.SqlServer, UnreachableDatabases.SqlServer());

        Assert.Equal(CommandLine.Failed, code);
        Assert.Empty(output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("Cannot reach the SQL Server database (SQL Server ", error, StringComparison.Ordinal);
        Assert.Contains("nothing was applied", error, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:FlagApi", error, StringComparison.Ordinal);
        Assert.DoesNotContain(UnreachableDatabases.Password, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
