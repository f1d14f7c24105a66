using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Data;

/// <summary>One versioned SQL script of one provider (Data/Migrations/{Provider}/NNNN_name.sql).</summary>
public sealed record SchemaMigration(int Version, string Name, string Sql);

/// <summary>Where a database's schema stands against this build.</summary>
/// <param name="Pending">Migrations of this build the database has not applied, oldest first.</param>
/// <param name="Unknown">Migrations the database has applied that this build does not carry: a newer build migrated it.</param>
public sealed record SchemaStatus(int CurrentVersion, int LatestVersion, IReadOnlyList<SchemaMigration> Pending, IReadOnlyList<string> Unknown)
{
    public bool IsNewerThanBuild => Unknown.Count > 0;

    public bool IsCurrent => Pending.Count == 0 && Unknown.Count == 0;
}

/// <summary>
/// Applies the hand-written migrations (the EF design-time package is not available here, and
/// reviewed SQL per provider is clearer anyway). Each script runs in its own transaction together
/// with its row in <c>schema_versions</c>, so a failed script leaves the database at the version before.
/// </summary>
public sealed class SchemaMigrator(FlagDbContext db, DatabaseProviderInfo providerInfo, ILogger<SchemaMigrator> logger)
{
    public static IReadOnlyList<SchemaMigration> All(DatabaseProvider provider)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"Migrations.{provider}/";
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var name = resource.Replace('\\', '/');
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var file = Path.GetFileNameWithoutExtension(name[prefix.Length..]);
            var version = int.Parse(file[..4], CultureInfo.InvariantCulture);
            migrations.Add(new SchemaMigration(version, file, ReadResource(assembly, resource)));
        }

        return [.. migrations.OrderBy(m => m.Version)];
    }

    public int LatestVersion => All(providerInfo.Provider)[^1].Version;

    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken);
        await EnsureVersionTableAsync(connection, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_versions";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>Brings the schema to <paramref name="targetVersion"/> (the latest when null); returns how many scripts ran.</summary>
    public async Task<int> MigrateAsync(int? targetVersion = null, CancellationToken cancellationToken = default) =>
        (await ApplyAsync(targetVersion, cancellationToken)).Count;

    /// <summary>Brings the schema to <paramref name="targetVersion"/> (the latest when null); returns the scripts that ran, in order.</summary>
    public async Task<IReadOnlyList<SchemaMigration>> ApplyAsync(int? targetVersion = null, CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken);
        await providerInfo.Dialect.PrepareDatabaseAsync(connection, cancellationToken);
        await EnsureVersionTableAsync(connection, cancellationToken);
        var applied = new List<SchemaMigration>();
        foreach (var migration in All(providerInfo.Provider))
        {
            if (targetVersion is { } target && migration.Version > target)
            {
                break;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await providerInfo.Dialect.LockForMigrationAsync(connection, transaction, cancellationToken);
            if (await IsAppliedAsync(connection, transaction, migration.Version, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            logger.LogInformation("Applying schema migration {Migration}", migration.Name);
            foreach (var batch in Batches(migration.Sql))
            {
                await ExecuteAsync(connection, transaction, batch, cancellationToken);
            }

            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_versions (version, name, applied_at) VALUES (@version, @name, @at)";
                record.AddParameter("@version", migration.Version);
                record.AddParameter("@name", migration.Name);
                record.AddParameter("@at", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            applied.Add(migration);
        }

        return applied;
    }

    /// <summary>How the database's schema compares with the migrations this build carries.</summary>
    public async Task<SchemaStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken);
        await EnsureVersionTableAsync(connection, cancellationToken);
        var recorded = new List<(int Version, string Name)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT version, name FROM schema_versions ORDER BY version";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded.Add((Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), reader.GetString(1)));
            }
        }

        var known = All(providerInfo.Provider);
        var appliedVersions = recorded.Select(r => r.Version).ToHashSet();
        var knownVersions = known.Select(m => m.Version).ToHashSet();
        return new SchemaStatus(
            recorded.Count == 0 ? 0 : recorded[^1].Version,
            known[^1].Version,
            [.. known.Where(m => !appliedVersions.Contains(m.Version))],
            [.. recorded.Where(r => !knownVersions.Contains(r.Version)).Select(r => r.Name)]);
    }

    // Under the migration lock: two PostgreSQL sessions running CREATE TABLE IF NOT EXISTS at once can both
    // find no table and one fails on pg_type's unique index, which crashed one of two instances started together.
    private async Task EnsureVersionTableAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await providerInfo.Dialect.LockForMigrationAsync(connection, transaction, cancellationToken);
        await ExecuteAsync(connection, transaction, providerInfo.Dialect.CreateVersionTable, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<bool> IsAppliedAsync(DbConnection connection, DbTransaction transaction, int version, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COUNT(*) FROM schema_versions WHERE version = @version";
        command.AddParameter("@version", version);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        return connection;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The batches of a script: T-SQL compiles a batch before it runs it, so a statement that uses a column added earlier in
    /// the same script must be in a later batch, after a line <c>GO</c> (the separator of SQL Server's own tools). All
    /// batches run in the script's one transaction. SQLite and PostgreSQL scripts have no such line and are one batch.
    /// </summary>
    public static IReadOnlyList<string> Batches(string sql)
    {
        var batches = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (var line in sql.Split('\n'))
        {
            if (line.Trim().Equals("GO", StringComparison.OrdinalIgnoreCase))
            {
                Add();
                continue;
            }

            current.Append(line).Append('\n');
        }

        Add();
        return batches;

        void Add()
        {
            if (current.ToString().Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            {
                batches.Add(current.ToString());
            }

            current.Clear();
        }
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
