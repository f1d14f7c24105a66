using FlagApi.Data;
using Npgsql;

namespace FlagApi.Tests.Infrastructure;

/// <summary>Where a test's application keeps its data: a fresh database for every test.</summary>
public abstract class DatabaseTarget
{
    public abstract DatabaseProvider Provider { get; }

    /// <summary>A connection string to a new, empty database that no other test uses.</summary>
    public abstract Task<string> CreateDatabaseAsync();

    /// <summary>
    /// Skips the test with <paramref name="reason"/> when <paramref name="connectionString"/> is unset, or fails it when
    /// <paramref name="requireVariable"/> is 1 (where the server is meant to be present).
    /// </summary>
    protected static void SkipUnless(string? connectionString, string requireVariable, string reason)
    {
        if (connectionString is not null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(requireVariable) == "1")
        {
            Assert.Fail(reason + $" {requireVariable}=1 makes this a failure.");
        }

        Assert.Skip(reason);
    }
}

public sealed class SqliteTarget : DatabaseTarget
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "flagapi-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override Task<string> CreateDatabaseAsync()
    {
        Directory.CreateDirectory(Root);
        return Task.FromResult($"Data Source={Path.Combine(Root, Guid.NewGuid().ToString("N") + ".db")};Pooling=False");
    }
}

/// <summary>
/// PostgreSQL from <c>FLAGAPI_TEST_POSTGRES</c> (a connection string whose user may create databases).
/// Without it the tests skip with that reason, unless <c>FLAGAPI_TEST_REQUIRE_POSTGRES=1</c> (CI) makes a skip a failure.
/// </summary>
public sealed class PostgresTarget : DatabaseTarget, IAsyncLifetime
{
    public const string Variable = "FLAGAPI_TEST_POSTGRES";
    public const string RequireVariable = "FLAGAPI_TEST_REQUIRE_POSTGRES";

    private readonly List<string> created = [];

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public static string? AdminConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static void SkipUnlessConfigured() => SkipUnless(AdminConnectionString, RequireVariable,
        $"PostgreSQL tests need {Variable} to hold a connection string (e.g. Host=127.0.0.1;Username=flagapi;Password=flagapi;Database=postgres).");

    public override async Task<string> CreateDatabaseAsync()
    {
        SkipUnlessConfigured();
        var name = "flagapi_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection) { CommandTimeout = DatabaseCommandSeconds };
            await command.ExecuteNonQueryAsync();
        }

        lock (created)
        {
            created.Add(name);
        }

        // Pooled, as the service runs in production: an unpooled connection per request is a new server process and a SCRAM
        // handshake (tens of milliseconds here). Idle connections go within seconds, so the tests running at once never
        // hold the server's connections between them.
        return new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Database = name, Pooling = true, ConnectionIdleLifetime = 10, ConnectionPruningInterval = 5,
        }.ConnectionString;
    }

    /// <summary>Creating and dropping a database wait for a checkpoint, which takes longer than Npgsql's 30 s while other tests write 100,000-row lists.</summary>
    private const int DatabaseCommandSeconds = 300;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (AdminConnectionString is null || created.Count == 0)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        foreach (var name in created)
        {
            await DropAsync(connection, name);
        }
    }

    /// <summary>
    /// FORCE cannot end an autovacuum worker for a user without pg_signal_backend (42501), and a worker can be
    /// analyzing a test database that was just written (the seeded allowlist alone is enough rows): wait for it to finish.
    /// </summary>
    private static async Task DropAsync(NpgsqlConnection connection, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection) { CommandTimeout = DatabaseCommandSeconds };
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
    }
}

/// <summary>
/// SQL Server from <c>FLAGAPI_TEST_SQLSERVER</c> (a connection string whose login may create databases, e.g. sa on a
/// container of mcr.microsoft.com/mssql/server:2022-latest). No SQL Server engine can be installed where this suite's CI
/// runs, so without it every test skips, visibly, with that reason; <c>FLAGAPI_TEST_REQUIRE_SQLSERVER=1</c> makes a skip a
/// failure where an engine is meant to be present.
/// </summary>
public sealed class SqlServerTarget : DatabaseTarget, IAsyncLifetime
{
    public const string Variable = "FLAGAPI_TEST_SQLSERVER";
    public const string RequireVariable = "FLAGAPI_TEST_REQUIRE_SQLSERVER";

    /// <summary>The reason every SQL Server test gives when it skips; CI counts only skips that give it as expected.</summary>
    public const string SkipReason = "SQL Server tests need FLAGAPI_TEST_SQLSERVER to hold a connection string to a SQL Server 2019 or later";

    private readonly List<string> created = [];

    public override DatabaseProvider Provider => DatabaseProvider.SqlServer;

    public static string? AdminConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static void SkipUnlessConfigured() =>
        SkipUnless(AdminConnectionString, RequireVariable, SkipReason + " (e.g. Server=127.0.0.1,1433;User ID=sa;Password=…;Encrypt=false).");

    public override async Task<string> CreateDatabaseAsync()
    {
        SkipUnlessConfigured();
        var name = "flagapi_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new Microsoft.Data.SqlClient.SqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Microsoft.Data.SqlClient.SqlCommand($"CREATE DATABASE [{name}]", connection) { CommandTimeout = 300 };
            await command.ExecuteNonQueryAsync();
        }

        lock (created)
        {
            created.Add(name);
        }

        return new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(AdminConnectionString) { InitialCatalog = name, Pooling = true }.ConnectionString;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (AdminConnectionString is null || created.Count == 0)
        {
            return;
        }

        Microsoft.Data.SqlClient.SqlConnection.ClearAllPools();
        await using var connection = new Microsoft.Data.SqlClient.SqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        foreach (var name in created)
        {
            // SINGLE_USER WITH ROLLBACK IMMEDIATE ends the sessions a test's application may still hold.
            await using var command = new Microsoft.Data.SqlClient.SqlCommand(
                $"ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{name}]", connection) { CommandTimeout = 300 };
            await command.ExecuteNonQueryAsync();
        }
    }
}
