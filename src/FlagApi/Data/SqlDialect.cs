using System.Data.Common;

namespace FlagApi.Data;

/// <summary>
/// The little SQL that differs between providers. Everything else the data layer writes is
/// plain SQL both SQLite and PostgreSQL accept, so a SQL Server dialect is one more subclass.
/// </summary>
internal abstract class SqlDialect
{
    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(),
        DatabaseProvider.Postgres => new PostgresDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Reads the list version inside a write transaction so that no other writer can move it until commit.</summary>
    public abstract string SelectListVersionForUpdate { get; }

    /// <summary>Taken before migrating, so two instances starting together do not both apply the same script.</summary>
    public virtual Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    private sealed class SqliteDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

        // SQLite write transactions are taken with BEGIN IMMEDIATE: the database is already locked for writing.
        public override string SelectListVersionForUpdate => "SELECT version FROM list_state WHERE id = 1";
    }

    private sealed class PostgresDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.Postgres;

        public override string SelectListVersionForUpdate => "SELECT version FROM list_state WHERE id = 1 FOR UPDATE";

        public override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT pg_advisory_xact_lock(726354190)";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
