using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using FlagApi.Data;
using FlagApi.Reports;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlagApi.Backups;

/// <summary>
/// <c>dotnet FlagApi.dll backup PATH</c>: writes a consistent copy of the SQLite database while the service keeps answering
/// and writing, checks it, and only then gives it its name. On PostgreSQL and SQL Server it writes nothing and names the
/// server's own tools, which do this better than a client could.
/// </summary>
/// <remarks>
/// The copy is SQLite's <c>VACUUM INTO</c>: one read transaction over the database, so it holds exactly the commits made
/// before it began, whatever is written while it runs (a write-ahead-log database lets writers go on beside a reader). It is
/// written under a temporary name beside the target, switched out of WAL mode so that it is one self-contained file, checked
/// with <c>PRAGMA integrity_check</c>, synced to disk, and renamed; a backup that stopped half way never carries the name.
/// </remarks>
public sealed class BackupCommand : ICommand
{
    public const string Name = "backup";

    /// <summary>The name a backup is given inside a folder: its UTC time, so that a cron line keeps a series.</summary>
    public const string FileNameFormat = "'flagapi-'yyyyMMdd'T'HHmmss'Z.db'";

    /// <summary>Beside a backup, a copy of the generated reporter hash key (SQLite without <c>Reports:HashKey</c>).</summary>
    public const string HashKeySuffix = ".reports-hash.key";

    string ICommand.Name => Name;

    Task<int> ICommand.RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter errorOutput, CancellationToken cancellationToken) =>
        RunAsync(services, args, output, errorOutput, cancellationToken);

    [ModuleInitializer]
    internal static void Declare() => CommandLine.Declare(Name);

    private const string UsageText =
        "usage: FlagApi backup PATH\n" +
        "Copies the SQLite database to PATH, a new file, or to flagapi-<UTC time>.db inside PATH when it is a folder, while the\n" +
        "service keeps serving and writing. The copy holds every commit made before it began, is checked, and is named only when\n" +
        "complete. The generated reporter hash key (data/reports-hash.key) is copied beside it as PATH.reports-hash.key.\n" +
        "On PostgreSQL and SQL Server, use the server's tools (pg_dump, BACKUP DATABASE); see docs/operations.md.";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args is not [var target] || target is "-h" or "--help" || target.StartsWith("--", StringComparison.Ordinal))
        {
            await error.WriteLineAsync(args is [("-h" or "--help")] ? UsageText : $"backup takes one path.\n{UsageText}");
            return CommandLine.Usage;
        }

        var database = services.GetRequiredService<DatabaseProviderInfo>();
        switch (database.Provider)
        {
            case DatabaseProvider.Postgres:
                // pg_dump sets session settings and holds one snapshot for the whole dump: it goes to the server itself,
                // not through a pooler in transaction mode (ConnectionStrings:FlagApiDirect, when set).
                await error.WriteLineAsync(PostgresAdvice(services.GetService<DirectConnection>()?.ConnectionString ?? database.ConnectionString));
                return CommandLine.Failed;
            case DatabaseProvider.SqlServer:
                await error.WriteLineAsync(SqlServerAdvice(database.ConnectionString));
                return CommandLine.Failed;
        }

        var source = new SqliteConnectionStringBuilder(database.ConnectionString);
        if (source.Mode == SqliteOpenMode.Memory || source.DataSource is "" or ":memory:")
        {
            await error.WriteLineAsync("The configured SQLite database is in memory; there is nothing on disk to back up.");
            return CommandLine.Failed;
        }

        if (!File.Exists(source.DataSource))
        {
            await error.WriteLineAsync($"There is no database at {source.DataSource}; check Database:DataDirectory or ConnectionStrings:FlagApi.");
            return CommandLine.Failed;
        }

        var path = CommandLine.CallerPath(target);
        if (Directory.Exists(path) || target.EndsWith('/') || target.EndsWith(Path.DirectorySeparatorChar))
        {
            Directory.CreateDirectory(path);
            path = Path.Combine(path, DateTime.UtcNow.ToString(FileNameFormat, CultureInfo.InvariantCulture));
        }

        if (File.Exists(path))
        {
            await error.WriteLineAsync($"{path} exists; a backup never replaces a file. Give a new name or a folder.");
            return CommandLine.Failed;
        }

        if (Path.GetDirectoryName(path) is { } folder && !Directory.Exists(folder))
        {
            await error.WriteLineAsync($"The folder {folder} does not exist.");
            return CommandLine.Failed;
        }

        var busyTimeout = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.SqliteBusyTimeout;
        var partial = path + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await CopyAsync(source.DataSource, partial, busyTimeout, cancellationToken);
            var facts = await CheckAsync(partial, cancellationToken);
            DurableFiles.Publish(partial, path);
            string? key;
            try
            {
                key = CopyHashKey(services, path);
            }
            catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"The database is backed up at {path}, but the reporter hash key could not be copied beside it: {failure.Message}");
                return CommandLine.Failed;
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Backed up {source.DataSource} to {path} in {stopwatch.Elapsed.TotalSeconds:0.0} s: {new FileInfo(path).Length / 1048576.0:0.0} MB, " +
                $"{facts}, integrity ok."));
            await output.WriteLineAsync(key is null
                ? "The reporter hash key is Reports:HashKey in the configuration; keep it with the backup."
                : $"Copied the reporter hash key to {key}; restore it as {ReporterHasher.KeyFileName} in the data folder beside the database.");
            return CommandLine.Ok;
        }
        catch (Exception failure) when (failure is SqliteException or IOException or UnauthorizedAccessException or BackupCheckFailedException)
        {
            await error.WriteLineAsync($"The backup failed and left nothing at {path}: {failure.Message}");
            return CommandLine.Failed;
        }
        finally
        {
            foreach (var leftover in new[] { partial, partial + "-journal", partial + "-wal", partial + "-shm" })
            {
                File.Delete(leftover);
            }
        }
    }

    private static async Task CopyAsync(string database, string partial, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        // Created empty first, readable by its owner only: the copy holds appellants' contacts and attachments, and VACUUM
        // INTO accepts an empty file where it would otherwise create one with the default permissions.
        await new FileStream(partial, DurableFiles.OwnerOnly(FileMode.CreateNew)).DisposeAsync();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = database,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 0,
        }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 0;
        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}");
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "VACUUM INTO $path";
        command.Parameters.AddWithValue("$path", partial);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Makes the copy one file (no write-ahead log), checks it page by page, and reads what it holds.</summary>
    private static async Task<string> CheckAsync(string partial, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = partial,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 0;
        command.CommandText = "PRAGMA journal_mode = DELETE";
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "PRAGMA integrity_check";
        var problems = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken) && problems.Count < 5)
            {
                problems.Add(reader.GetString(0));
            }
        }

        if (problems is not ["ok"])
        {
            throw new BackupCheckFailedException($"the copy does not pass SQLite's integrity check: {string.Join("; ", problems)}");
        }

        command.CommandText = """
            SELECT (SELECT COALESCE(MAX(version), 0) FROM schema_versions),
                   (SELECT version FROM list_state),
                   (SELECT COUNT(*) FROM entries WHERE status = 'active'),
                   (SELECT COUNT(*) FROM lists),
                   (SELECT COUNT(*) FROM appeals),
                   (SELECT COUNT(*) FROM reports)
            """;
        try
        {
            await using var facts = await command.ExecuteReaderAsync(cancellationToken);
            await facts.ReadAsync(cancellationToken);
            return string.Create(CultureInfo.InvariantCulture,
                $"schema version {facts.GetInt64(0)}, list version {facts.GetInt64(1):N0} ({Count(facts.GetInt64(2), "active entry", "active entries")}, " +
                $"{Count(facts.GetInt64(3), "list", "lists")}, {Count(facts.GetInt64(4), "appeal", "appeals")}, {Count(facts.GetInt64(5), "report", "reports")})");
        }
        catch (SqliteException missing) when (missing.SqliteErrorCode == 1 /* SQLITE_ERROR: no such table */)
        {
            throw new BackupCheckFailedException($"the database is not a FlagApi database at the current schema ({missing.Message}); run migrate first");
        }
    }

    private static string Count(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {(count == 1 ? one : many)}");

    /// <summary>Copies the generated reporter hash key beside the backup: reports counted after a restore must count the same reporters.</summary>
    private static string? CopyHashKey(IServiceProvider services, string backup)
    {
        if (services.GetRequiredService<IOptions<ReportsOptions>>().Value.HashKey.Length > 0)
        {
            return null;
        }

        var key = ReporterHasher.KeyFilePath(services.GetRequiredService<IOptions<DatabaseOptions>>().Value, services.GetRequiredService<IHostEnvironment>());
        if (!File.Exists(key))
        {
            return null;
        }

        var copy = backup + HashKeySuffix;
        var partial = copy + ".partial";
        File.Delete(partial); // a leftover keeps its own permissions, which only a new file gets from OwnerOnly
        using (var source = File.OpenRead(key))
        using (var target = new FileStream(partial, DurableFiles.OwnerOnly(FileMode.Create)))
        {
            source.CopyTo(target);
        }

        DurableFiles.Publish(partial, copy);
        return copy;
    }

    private static string PostgresAdvice(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        return "backup copies SQLite databases only; this deployment uses PostgreSQL, which backs itself up better than a client can. " +
            "A consistent logical backup while the service runs:\n" +
            string.Create(CultureInfo.InvariantCulture,
                $"  pg_dump -Fc -h {settings.Host ?? "HOST"} -p {settings.Port} -U {settings.Username ?? "USER"} -d {settings.Database ?? "DATABASE"} -f flagapi-$(date +%F).dump\n") +
            "and, for a recovery point closer than the last dump, a base backup (pg_basebackup) with WAL archiving. " +
            "docs/operations.md, \"Backups and restore\", gives the restore steps and what each loses.";
    }

    private static string SqlServerAdvice(string connectionString)
    {
        var settings = new SqlConnectionStringBuilder(connectionString);
        var name = string.IsNullOrEmpty(settings.InitialCatalog) ? "flagapi" : settings.InitialCatalog;
        return "backup copies SQLite databases only; this deployment uses SQL Server: use its own backups, " +
            $"e.g. BACKUP DATABASE [{name}] TO DISK = N'/var/opt/mssql/backup/{name}.bak' WITH CHECKSUM, " +
            "with log backups in the full recovery model (or the managed service's point-in-time restore). " +
            "docs/operations.md, \"Backups and restore\", says what each loses.";
    }

    private sealed class BackupCheckFailedException(string message) : Exception(message);
}
