using System.Data.Common;
using System.Globalization;
using System.Text.Json;

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

    /// <summary>The fastest way this provider offers to write a transaction's entry rows; plain multi-row INSERTs unless it has its own.</summary>
    public virtual BulkRowWriter CreateBulkRowWriter(DbConnection connection, DbTransaction transaction) =>
        new SqlBulkRowWriter(connection, transaction, this);

    /// <summary>How many values one <see cref="AddValueList"/> condition should carry.</summary>
    public virtual int ValueListChunk => 500;

    /// <summary>
    /// Adds <paramref name="values"/> to <paramref name="command"/> and returns the condition
    /// "<paramref name="column"/> is one of them". By default one parameter per value.
    /// </summary>
    public virtual string AddValueList(DbCommand command, string column, IReadOnlyList<string> values)
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = "@v" + i.ToString(CultureInfo.InvariantCulture);
            command.AddParameter(names[i], values[i]);
        }

        return $"{column} IN ({string.Join(", ", names)})";
    }

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

        public override object Timestamp(DateTime utc) => utc.ToString(SqliteBulkRowWriter.TimestampFormat, CultureInfo.InvariantCulture);

        public override BulkRowWriter CreateBulkRowWriter(DbConnection connection, DbTransaction transaction) => new SqliteBulkRowWriter(connection);

        // SQLite finds a named parameter by a linear search of the statement's names, so five hundred
        // of them cost more than the lookup; one JSON array is a single parameter however long.
        public override int ValueListChunk => 10_000;

        public override string AddValueList(DbCommand command, string column, IReadOnlyList<string> values)
        {
            command.AddParameter("@values", JsonSerializer.Serialize(values));
            return $"{column} IN (SELECT value FROM json_each(@values))";
        }

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

        public override BulkRowWriter CreateBulkRowWriter(DbConnection connection, DbTransaction transaction) => new PostgresBulkRowWriter(connection);

        public override int ValueListChunk => 10_000;

        public override string AddValueList(DbCommand command, string column, IReadOnlyList<string> values)
        {
            command.AddParameter("@values", values.ToArray());
            return $"{column} = ANY(@values)";
        }

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
