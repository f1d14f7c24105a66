using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// The database a service process runs on, with the test's own connection to it, so that what a killed process left
/// behind is read with plain SQL and not through the service.
/// </summary>
internal abstract class ServiceDatabase(string? dataDirectory) : IAsyncDisposable
{
    /// <summary>The service's data folder (the SQLite file, the report hash key); the test deletes what is in it.</summary>
    public string DataDirectory { get; } = dataDirectory ?? Directory.CreateTempSubdirectory("flagapi-service-").FullName;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>The service's configuration for this database, as environment variables.</summary>
    public abstract IReadOnlyDictionary<string, string> ServiceSettings { get; }

    public abstract DbConnection Connect();

    public async Task<DbConnection> OpenAsync()
    {
        var connection = Connect();
        await connection.OpenAsync();
        return connection;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await OpenAsync();
        return await ScalarAsync(connection, sql);
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 120;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async Task<string?> TextAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    /// <summary>The row count of every table a list, an appeal decision or a retraction writes, and the list version.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountsAsync()
    {
        await using var connection = await OpenAsync();
        return await CountsAsync(connection);
    }

    /// <summary>
    /// The counts over a connection opened earlier: on a full disk PostgreSQL may refuse a new connection ("could not
    /// write init file") when its catalogs changed since the last one.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> CountsAsync(DbConnection connection)
    {
        string[] tables = ["entries", "entry_sources", "entry_history", "change_log", "audit_log", "lists", "appeals", "appeal_events"];
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            counts[table] = await ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}");
        }

        counts["list_state.version"] = await ScalarAsync(connection, "SELECT version FROM list_state WHERE id = 1");
        counts["entries active"] = await ScalarAsync(connection, "SELECT COUNT(*) FROM entries WHERE status = 'active'");
        counts["entry_sources open"] = await ScalarAsync(connection, "SELECT COUNT(*) FROM entry_sources WHERE removed_at IS NULL");
        counts["lists retracted"] = await ScalarAsync(connection, "SELECT COUNT(*) FROM lists WHERE retracted_at IS NOT NULL");
        counts["appeals approved"] = await ScalarAsync(connection, "SELECT COUNT(*) FROM appeals WHERE status = 'approved'");
        return counts;
    }

    /// <summary>
    /// What every committed write keeps true, checked in SQL: the file is sound (SQLite), the list version is the change
    /// log's last, each entry's status is its last change's, every list and decision has its one audit row, and the
    /// sources of a list are open exactly while the list is not retracted.
    /// </summary>
    public async Task AssertConsistentAsync()
    {
        await AssertSoundAsync();
        await RefreshStatisticsAsync();
        var violations = new Dictionary<string, string>
        {
            ["list version is not the change log's last"] =
                "SELECT (SELECT version FROM list_state WHERE id = 1) - COALESCE((SELECT MAX(version) FROM change_log), 0)",
            ["entries whose status is not their last change's"] =
                """
                SELECT COUNT(*) FROM entries e
                JOIN (SELECT entry_id, MAX(version) AS version FROM change_log GROUP BY entry_id) last ON last.entry_id = e.id
                JOIN change_log c ON c.version = last.version
                WHERE c.status <> e.status
                """,
            ["entries newer than the list version"] = "SELECT COUNT(*) FROM entries WHERE version > (SELECT version FROM list_state WHERE id = 1)",
            ["approved appeals whose entry is not cleared"] =
                "SELECT COUNT(*) FROM appeals a JOIN entries e ON e.id = a.entry_id WHERE a.status = 'approved' AND e.status <> 'cleared'",
            ["approved appeals without exactly one audit row"] =
                "SELECT (SELECT COUNT(*) FROM appeals WHERE status = 'approved') - (SELECT COUNT(*) FROM audit_log WHERE action = 'appeal.approved')",
            ["approved appeals without their approval event"] =
                "SELECT COUNT(*) FROM appeals a WHERE a.status = 'approved' AND NOT EXISTS (SELECT 1 FROM appeal_events v WHERE v.appeal_id = a.id AND v.to_status = 'approved')",
            ["lists without exactly one audit row"] =
                "SELECT (SELECT COUNT(*) FROM lists) - (SELECT COUNT(*) FROM audit_log WHERE action = 'list.published')",
            ["lists whose sources do not match their entry count"] =
                """
                SELECT COUNT(*) FROM lists l
                LEFT JOIN (SELECT list_id, COUNT(*) AS n FROM entry_sources WHERE list_id IS NOT NULL GROUP BY list_id) s ON s.list_id = l.id
                WHERE l.entry_count <> COALESCE(s.n, 0)
                """,
            ["retracted lists without exactly one audit row"] =
                "SELECT (SELECT COUNT(*) FROM lists WHERE retracted_at IS NOT NULL) - (SELECT COUNT(*) FROM audit_log WHERE action = 'list.retracted')",
            ["open sources of retracted lists"] =
                "SELECT COUNT(*) FROM entry_sources s JOIN lists l ON l.id = s.list_id WHERE l.retracted_at IS NOT NULL AND s.removed_at IS NULL",
            ["ended sources of lists not retracted"] =
                "SELECT COUNT(*) FROM entry_sources s JOIN lists l ON l.id = s.list_id WHERE l.retracted_at IS NULL AND s.removed_at IS NOT NULL",
            ["active entries with no open source"] =
                """
                SELECT COUNT(*) FROM entries e WHERE e.status = 'active'
                AND NOT EXISTS (SELECT 1 FROM entry_sources s WHERE s.entry_id = e.id AND s.removed_at IS NULL)
                """,
        };

        var found = new List<string>();
        foreach (var (what, sql) in violations)
        {
            long count;
            try
            {
                count = await ScalarAsync(sql);
            }
            catch (DbException failure)
            {
                throw new InvalidOperationException($"The check for {what} failed: {failure.Message}", failure);
            }

            if (count != 0)
            {
                found.Add($"{what}: {count}");
            }
        }

        Assert.True(found.Count == 0, "The database is inconsistent:\n" + string.Join('\n', found));
    }

    public virtual ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            foreach (var file in Directory.EnumerateFiles(DataDirectory))
            {
                File.Delete(file);
            }

            Directory.Delete(DataDirectory);
        }
        catch (IOException)
        {
            // A temporary folder left behind (or a mount point still mounted) is not worth failing the test for.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>What the engine itself can say about its files.</summary>
    protected abstract Task AssertSoundAsync();

    /// <summary>
    /// Gives the planner statistics for rows written a moment ago, so that the checks' joins over a 100,000-row list are
    /// planned as hash joins and not as nested loops over tables it still believes empty.
    /// </summary>
    protected virtual Task RefreshStatisticsAsync() => Task.CompletedTask;
}

/// <param name="dataDirectory">The folder to keep the database in (a small file system of the test's own); a new temporary one by default.</param>
internal sealed class SqliteServiceDatabase(string? dataDirectory = null) : ServiceDatabase(dataDirectory)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public string FilePath => Path.Combine(DataDirectory, "flagapi.db");

    public string WalPath => FilePath + "-wal";

    public override IReadOnlyDictionary<string, string> ServiceSettings => new Dictionary<string, string>
    {
        ["Database__Provider"] = "Sqlite",
        ["Database__DataDirectory"] = DataDirectory,
    };

    // Not pooled: a connection kept open by the test would keep the killed process's WAL from being recovered as the next
    // opener does it, and would outlive a fault the test lifts.
    public override DbConnection Connect() => new SqliteConnection($"Data Source={FilePath};Pooling=False");

    protected override async Task AssertSoundAsync()
    {
        Assert.Equal("ok", await TextAsync("PRAGMA integrity_check"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM pragma_foreign_key_check"));
    }
}

internal sealed class PostgresServiceDatabase : ServiceDatabase
{
    private PostgresServiceDatabase(string connectionString)
        : base(null) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override IReadOnlyDictionary<string, string> ServiceSettings => new Dictionary<string, string>
    {
        ["Database__Provider"] = "Postgres",
        ["Database__DataDirectory"] = DataDirectory,
        // Pooled, as a deployment configures it, under PostgreSQL's default max_connections (100), which other tests share.
        ["ConnectionStrings__FlagApi"] = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = true, MaxPoolSize = 40 }.ConnectionString,
        ["Reports__HashKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
    };

    /// <summary>A fresh database on the cluster <paramref name="target"/> names.</summary>
    public static async Task<PostgresServiceDatabase> CreateAsync(PostgresTarget target) => new(await target.CreateDatabaseAsync());

    /// <summary>A database on a cluster of the test's own, for faults that need its superuser.</summary>
    public static PostgresServiceDatabase On(string connectionString) => new(connectionString);

    public override DbConnection Connect() => new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);

    // PostgreSQL checks its own pages as it reads them; the foreign keys are enforced at every statement.
    protected override Task AssertSoundAsync() => Task.CompletedTask;

    // Autovacuum analyzes a table in its own time; a check run just after a large upload would otherwise be planned blind.
    protected override async Task RefreshStatisticsAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "ANALYZE";
        command.CommandTimeout = 120;
        await command.ExecuteNonQueryAsync();
    }
}
