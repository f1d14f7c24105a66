using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Data;

/// <summary>One versioned SQL script of one provider (Data/Migrations/{Provider}/NNNN_name.sql).</summary>
public sealed record SchemaMigration(int Version, string Name, string Sql);

/// <summary>
/// Applies the hand-written migrations (the EF design-time package is not available here, and
/// reviewed SQL per provider is clearer anyway). Each script runs in its own transaction together
/// with its row in <c>schema_versions</c>, so a failed script leaves the database at the version before.
/// </summary>
public sealed class SchemaMigrator(FlagDbContext db, DatabaseProviderInfo providerInfo, ILogger<SchemaMigrator> logger)
{
    private const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_versions (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)";

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
        await ExecuteAsync(connection, null, CreateVersionTable, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_versions";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>Brings the schema to <paramref name="targetVersion"/> (the latest when null); returns how many scripts ran.</summary>
    public async Task<int> MigrateAsync(int? targetVersion = null, CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, CreateVersionTable, cancellationToken);
        var applied = 0;
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
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
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
            applied++;
        }

        return applied;
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

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
