using System.Data.Common;
using System.Globalization;

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

    /// <summary>
    /// How many parameters one multi-row INSERT should carry. Over a network each statement is a
    /// round trip, so many rows per statement pay; in-process SQLite binds parameters by name, which
    /// grows with their count, so one row per (reused, prepared) statement is fastest there.
    /// </summary>
    public abstract int InsertParametersPerStatement { get; }

    /// <summary>A timestamp as this provider's parameter value; SQLite stores EF Core's text format, so it is formatted once per write, not per row.</summary>
    public virtual object Timestamp(DateTime utc) => utc;

    /// <summary>Run on the connection before a bulk write (a list upload) starts its transaction.</summary>
    public virtual string? BeforeBulkWrite => null;

    /// <summary>Run on the connection after a bulk write, before it goes back to the pool.</summary>
    public virtual string? AfterBulkWrite => null;

    /// <summary>
    /// After rows were inserted with ids chosen by the writer: moves the table's id generator past
    /// them. SQLite's AUTOINCREMENT does that by itself; a PostgreSQL identity does not.
    /// </summary>
    public virtual Task AfterExplicitIdsAsync(DbConnection connection, DbTransaction transaction, string table, long maxId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>
    /// Locks the active admin keys until commit, so that two admins revoking each other's keys at once
    /// cannot both pass the last-admin check. SQLite needs none: its write transaction holds the database.
    /// </summary>
    public virtual string? LockActiveAdminKeys => null;

    /// <summary>Taken before migrating, so two instances starting together do not both apply the same script.</summary>
    public virtual Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    private sealed class SqliteDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

        public override int InsertParametersPerStatement => 1;

        public override object Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

        // SQLite write transactions are taken with BEGIN IMMEDIATE: the database is already locked for writing.
        public override string SelectListVersionForUpdate => "SELECT version FROM list_state WHERE id = 1";

        // A million-row list touches several hundred MB of pages; with SQLite's default 2 MB cache the
        // transaction spills to the WAL again and again. 256 MB keeps it in memory until commit.
        public override string? BeforeBulkWrite => "PRAGMA cache_size = -262144";

        // Back to SQLite's default, so pooled connections do not each keep a list-sized cache.
        public override string? AfterBulkWrite => "PRAGMA cache_size = -2000";
    }

    private sealed class PostgresDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.Postgres;

        // Well below PostgreSQL's 65535 parameters per statement.
        public override int InsertParametersPerStatement => 1000;

        public override string SelectListVersionForUpdate => "SELECT version FROM list_state WHERE id = 1 FOR UPDATE";

        public override string LockActiveAdminKeys => "SELECT id FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL FOR UPDATE";

        public override async Task AfterExplicitIdsAsync(
            DbConnection connection, DbTransaction transaction, string table, long maxId, CancellationToken cancellationToken)
        {
            if (maxId < 1)
            {
                return;
            }

            await using var command = connection.CreateCommand(transaction,
                $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(@max, (SELECT COALESCE(MAX(id), 1) FROM {table})))");
            command.AddParameter("@max", maxId);
            await command.ExecuteScalarAsync(cancellationToken);
        }

        public override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT pg_advisory_xact_lock(726354190)";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
