using FlagApi.Data;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Tests.Resilience;

/// <summary>SQL Server's failures sorted into outages and the request's own, with no SQL Server: none can run here.</summary>
public sealed class SqlServerFailuresTests
{
    [Fact]
    public async Task AConnectionRefusedByALoopbackPortIsAnOutageDescribedByItsNumber()
    {
        var failure = await ConnectFailureAsync(UnreachableDatabases.SqlServer());

        Assert.True(DatabaseFailures.IsUnavailable(failure), $"SQL Server {failure.Number} ({failure.Message}) should be an outage");
        Assert.True(DatabaseFailures.IsUnavailable(new DbUpdateException("An error occurred while saving the entity changes.", failure)));
        Assert.StartsWith($"SQL Server {failure.Number}: ", DatabaseFailures.Describe(new InvalidOperationException("wrapped", failure)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-2, "timeout")]
    [InlineData(2, "server not found")]
    [InlineData(53, "network path not found")]
    [InlineData(64, "network name no longer available")]
    [InlineData(121, "semaphore timeout")]
    [InlineData(233, "no process at the other end of the pipe")]
    [InlineData(10053, "connection aborted")]
    [InlineData(10054, "connection reset")]
    [InlineData(10060, "connection timed out")]
    [InlineData(10061, "connection refused")]
    [InlineData(11001, "host not known")]
    [InlineData(4060, "cannot open database")]
    [InlineData(18456, "login failed")]
    [InlineData(17142, "server paused")]
    [InlineData(6005, "shutting down")]
    [InlineData(976, "availability group replica not accessible")]
    [InlineData(9002, "transaction log full")]
    [InlineData(1105, "filegroup full")]
    [InlineData(701, "out of memory")]
    [InlineData(8645, "waiting for query memory")]
    [InlineData(1204, "no lock resource left")]
    [InlineData(3906, "read-only database")]
    [InlineData(3908, "emergency mode")]
    [InlineData(40197, "Azure reconfiguration")]
    [InlineData(40501, "Azure service busy")]
    [InlineData(40613, "Azure database not available")]
    [InlineData(49918, "Azure not enough resources")]
    [InlineData(49919, "Azure too many create or update operations")]
    [InlineData(49920, "Azure too many operations")]
    public void AServerThatCannotTakeWorkNowIsAnOutage(int number, string what) =>
        Assert.True(DatabaseFailures.IsSqlServerOutage(number), $"{number} ({what}) should be an outage");

    [Theory]
    [InlineData(2601, "duplicate key in a unique index")]
    [InlineData(2627, "unique or primary key constraint")]
    [InlineData(547, "foreign key or check constraint")]
    [InlineData(8152, "string or binary data would be truncated")]
    [InlineData(2628, "string or binary data would be truncated in a column")]
    [InlineData(102, "syntax error")]
    [InlineData(208, "invalid object name")]
    [InlineData(207, "invalid column name")]
    [InlineData(1205, "deadlock victim")]
    [InlineData(3960, "snapshot isolation update conflict")]
    [InlineData(1222, "lock request timeout")]
    [InlineData(245, "conversion failed")]
    [InlineData(50000, "a RAISERROR of the application")]
    public void TheRequestsOwnFailureIsNotAnOutage(int number, string what) =>
        Assert.False(DatabaseFailures.IsSqlServerOutage(number), $"{number} ({what}) should be the request's own");

    [Theory]
    [InlineData(2601, true)]
    [InlineData(2627, true)]
    [InlineData(547, false)]
    [InlineData(1205, false)]
    public void OnlyDuplicateKeysAreUniqueViolations(int number, bool unique) =>
        Assert.Equal(unique, DatabaseFailures.IsSqlServerUniqueViolation(number));

    [Fact]
    public async Task ARefusedConnectionIsNoUniqueViolation()
    {
        var failure = await ConnectFailureAsync(UnreachableDatabases.SqlServer());

        Assert.False(DatabaseFailures.IsUniqueViolation(new DbUpdateException("An error occurred while saving the entity changes.", failure)));
    }

    private static async Task<SqlException> ConnectFailureAsync(string connectionString)
    {
        await using var connection = new SqlConnection(connectionString);
        return await Assert.ThrowsAsync<SqlException>(() => connection.OpenAsync(TestContext.Current.CancellationToken));
    }
}
