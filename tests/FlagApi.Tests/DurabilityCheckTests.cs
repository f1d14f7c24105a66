using FlagApi.Data;

namespace FlagApi.Tests;

/// <summary>
/// The verdict on the durability settings as the service's connection reads them. PostgreSQL's fsync and full_page_writes
/// can be changed only in the server's configuration, which the shared test server must keep, so their branches are shown
/// here; a connection that turns synchronous_commit off is refused on a real server (DurableCommitsOnPostgres).
/// </summary>
public sealed class DurabilityCheckTests
{
    private static readonly DurabilitySetting[] PostgresDefaults =
    [
        new("fsync", "on", "default"), new("synchronous_commit", "on", "default"), new("full_page_writes", "on", "default"),
    ];

    [Fact]
    public void PostgresDefaultsPutNothingAtRisk() => Assert.Empty(DurabilityCheck.Judge(DatabaseProvider.Postgres, PostgresDefaults));

    [Theory]
    [InlineData("local")]
    [InlineData("remote_write")]
    [InlineData("remote_apply")]
    public void ASynchronousCommitThatWaitsForTheLocalDiskIsDurable(string value) =>
        Assert.Empty(DurabilityCheck.Judge(DatabaseProvider.Postgres, [new("synchronous_commit", value, "configuration file")]));

    [Fact]
    public void OneServerNeedsNoSynchronousStandby() =>
        Assert.Empty(DurabilityCheck.Judge(DatabaseProvider.Postgres, [.. PostgresDefaults, new("synchronous_standby_names", "", "default")], hosts: 1));

    [Theory]
    [InlineData("*", "on")]
    [InlineData("FIRST 1 (standby1)", "remote_write")]
    [InlineData("ANY 1 (a, b)", "remote_apply")]
    public void SeveralServersWithASynchronousStandbyLoseNothingInAFailover(string standbys, string commit) =>
        Assert.Empty(DurabilityCheck.Judge(DatabaseProvider.Postgres,
            [PostgresDefaults[0], PostgresDefaults[2], new("synchronous_commit", commit, "configuration file"), new("synchronous_standby_names", standbys, "configuration file")],
            hosts: 2));

    [Fact]
    public void SeveralServersWithoutASynchronousStandbyAreWarnedAboutAndNeverRefused()
    {
        var risk = Assert.Single(DurabilityCheck.Judge(DatabaseProvider.Postgres, [.. PostgresDefaults, new("synchronous_standby_names", "", "default")], hosts: 3));

        Assert.True(risk.Chosen);
        Assert.StartsWith("PostgreSQL's synchronous_standby_names is empty for this service's connection: ConnectionStrings:FlagApi names 3 servers", risk.Warning(required: true), StringComparison.Ordinal);
        Assert.Contains("a failover loses the writes the primary acknowledged", risk.Warning(required: true), StringComparison.Ordinal);
        Assert.Contains("ALTER SYSTEM SET synchronous_standby_names", risk.Warning(required: true), StringComparison.Ordinal);
        Assert.DoesNotContain("Refusing", risk.Warning(required: true), StringComparison.Ordinal);
    }

    [Fact]
    public void ALocalSynchronousCommitDoesNotWaitForTheNamedStandby()
    {
        var risk = Assert.Single(DurabilityCheck.Judge(DatabaseProvider.Postgres,
            [PostgresDefaults[0], PostgresDefaults[2], new("synchronous_commit", "local", "user"), new("synchronous_standby_names", "*", "configuration file")],
            hosts: 2));

        Assert.True(risk.Chosen);
        Assert.StartsWith("PostgreSQL's synchronous_commit is local", risk.Warning(required: true), StringComparison.Ordinal);
    }

    [Fact]
    public void FsyncOffIsRefusedNamingTheSettingWhyItMattersHowToFixItAndHowToAcceptIt()
    {
        var risk = Assert.Single(DurabilityCheck.Judge(DatabaseProvider.Postgres, [.. PostgresDefaults[1..], new("fsync", "off", "configuration file")]));

        Assert.False(risk.Chosen);
        Assert.StartsWith("PostgreSQL's fsync is off for this service's connection: ", risk.Refusal, StringComparison.Ordinal);
        Assert.Contains("a power loss or an operating system crash can lose writes the service acknowledged", risk.Refusal, StringComparison.Ordinal);
        Assert.Contains("ALTER SYSTEM SET fsync = on", risk.Refusal, StringComparison.Ordinal);
        Assert.Contains("pg_reload_conf()", risk.Refusal, StringComparison.Ordinal);
        Assert.Contains("Database:RequireDurableCommits=false", risk.Refusal, StringComparison.Ordinal);
        Assert.EndsWith("Refusing to start.", risk.Refusal, StringComparison.Ordinal);
        Assert.Contains("Serving anyway, as Database:RequireDurableCommits=false accepts the risk.", risk.Warning(required: false), StringComparison.Ordinal);
        Assert.DoesNotContain("Refusing", risk.Warning(required: false), StringComparison.Ordinal);
    }

    [Fact]
    public void FullPageWritesOffIsRefusedForTheCorruptionAPowerLossCanLeave()
    {
        var risk = Assert.Single(DurabilityCheck.Judge(DatabaseProvider.Postgres, [new("full_page_writes", "off", "command line")]));

        Assert.StartsWith("PostgreSQL's full_page_writes is off", risk.Refusal, StringComparison.Ordinal);
        Assert.Contains("half-written pages", risk.Refusal, StringComparison.Ordinal);
        Assert.Contains("ALTER SYSTEM SET full_page_writes = on", risk.Refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("client", "Remove synchronous_commit from the connection string's Options")]
    [InlineData("user", "ALTER ROLE CURRENT_USER RESET synchronous_commit")]
    [InlineData("database", "ALTER DATABASE … RESET synchronous_commit")]
    [InlineData("configuration file", "ALTER SYSTEM SET synchronous_commit = on")]
    public void SynchronousCommitOffIsFixedWhereItWasTurnedOff(string source, string fix)
    {
        var risk = Assert.Single(DurabilityCheck.Judge(DatabaseProvider.Postgres, [new("synchronous_commit", "off", source)]));

        Assert.StartsWith("PostgreSQL's synchronous_commit is off", risk.Refusal, StringComparison.Ordinal);
        Assert.Contains(fix, risk.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void BothOffAreBothNamed() =>
        Assert.Equal(["PostgreSQL's fsync", "PostgreSQL's synchronous_commit"],
            DurabilityCheck.Judge(DatabaseProvider.Postgres, [new("fsync", "off", "configuration file"), new("synchronous_commit", "off", "client")]).Select(r => r.Setting));

    [Theory]
    [InlineData("DISABLED", false)]
    [InlineData("ALLOWED", false)]
    [InlineData("FORCED", true)]
    public void OnlyForcedDelayedDurabilityIsARiskOnSqlServer(string value, bool risky)
    {
        var risks = DurabilityCheck.Judge(DatabaseProvider.SqlServer, [new("delayed_durability", value)]);

        Assert.Equal(risky, risks.Count == 1);
        if (risky)
        {
            Assert.Contains("ALTER DATABASE CURRENT SET DELAYED_DURABILITY = DISABLED", risks[0].Refusal, StringComparison.Ordinal);
            Assert.Contains("Database:RequireDurableCommits=false", risks[0].Refusal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SqliteNormalIsAChosenRiskThatIsWarnedAboutNeverRefused()
    {
        Assert.Empty(DurabilityCheck.Judge(DatabaseProvider.Sqlite, [new("synchronous", "2")]));
        var risk = Assert.Single(DurabilityCheck.Judge(DatabaseProvider.Sqlite, [new("synchronous", "1")]));

        Assert.True(risk.Chosen);
        Assert.Equal(risk.Warning(required: true), risk.Warning(required: false));
        Assert.Contains("the last ones before a power loss", risk.Warning(required: true), StringComparison.Ordinal);
        Assert.Contains("Database:SqliteSynchronous", risk.Warning(required: true), StringComparison.Ordinal);
        Assert.DoesNotContain("RequireDurableCommits", risk.Warning(required: true), StringComparison.Ordinal);
    }
}
