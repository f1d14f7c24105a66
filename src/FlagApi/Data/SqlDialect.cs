using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace FlagApi.Data;

/// <summary>
/// The little SQL that differs between providers. Everything else the data layer writes is plain SQL that SQLite,
/// PostgreSQL and SQL Server all accept; tests/FlagApi.Tests/SqlServer parses every statement of the build with
/// Microsoft's T-SQL parser, so a statement that only the other two accept cannot go unnoticed.
/// </summary>
internal abstract class SqlDialect
{
    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(),
        DatabaseProvider.Postgres => new PostgresDialect(),
        DatabaseProvider.SqlServer => new SqlServerDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>The dialect of the provider <paramref name="connection"/> belongs to, for code handed only a connection.</summary>
    public static SqlDialect Of(DbConnection connection) => For(connection switch
    {
        Microsoft.Data.SqlClient.SqlConnection => DatabaseProvider.SqlServer,
        Npgsql.NpgsqlConnection => DatabaseProvider.Postgres,
        _ => DatabaseProvider.Sqlite,
    });

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

    /// <summary>Creates the table of applied migrations when it does not exist yet.</summary>
    public virtual string CreateVersionTable =>
        "CREATE TABLE IF NOT EXISTS schema_versions (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)";

    /// <summary>
    /// Inserts one row and answers its generated id (<c>INSERT … RETURNING id</c> on SQLite and PostgreSQL);
    /// <paramref name="insert"/> is <c>INSERT INTO table (columns) VALUES (values)</c>.
    /// </summary>
    public virtual string InsertReturningId(string insert) => insert + " RETURNING id";

    /// <summary>
    /// An INSERT of one row that does nothing when it would break the unique index on <paramref name="conflictColumns"/>
    /// (<c>ON CONFLICT … DO NOTHING</c>); it answers the new id, or no row when one existed.
    /// </summary>
    public virtual string InsertReturningIdUnlessConflict(string table, string columns, string values, string conflictColumns) =>
        $"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({conflictColumns}) DO NOTHING RETURNING id";

    /// <summary>At most <paramref name="rows"/> rows of <paramref name="select"/> (a SELECT with its ORDER BY): <c>LIMIT</c>.</summary>
    public virtual string Limit(string select, int rows) =>
        string.Create(CultureInfo.InvariantCulture, $"{select.TrimEnd()}\nLIMIT {rows}");

    /// <summary>The active entries in the canonical list's order, by the UTF-8 bytes of kind and value.</summary>
    public virtual string SelectActiveEntriesInFeedOrder =>
        "SELECT kind, value, category, risk FROM entries WHERE status = 'active' ORDER BY kind, value";

    /// <summary>
    /// A read-only transaction that sees one committed state for all its statements, without holding writers back:
    /// REPEATABLE READ on PostgreSQL (a snapshot there); see the SQLite and SQL Server dialects for theirs.
    /// </summary>
    public virtual async Task<DbTransaction> BeginReadSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

    /// <summary>Settings of the database itself that the schema relies on, made before the migrations run, outside a transaction.</summary>
    public virtual Task PrepareDatabaseAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The settings that decide whether an acknowledged commit survives a crash or a power loss, as this connection sees
    /// them: rows of (name, value, and on PostgreSQL where it was set), judged by <see cref="DurabilityCheck"/>.
    /// </summary>
    public abstract string SelectDurabilitySettings { get; }

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

        // A deferred transaction takes its WAL snapshot at its first read and never the write lock (the default BEGIN
        // IMMEDIATE would hold list uploads back for as long as the reader reads).
        public override Task<DbTransaction> BeginReadSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
            Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: true));

        // SQLite write transactions are taken with BEGIN IMMEDIATE: the database is already locked for writing.
        public override string SelectListVersionForUpdate => "SELECT version FROM list_state WHERE id = 1";

        // A million-row list touches several hundred MB of pages; with SQLite's default 2 MB cache the
        // transaction spills to the WAL again and again. 256 MB keeps it in memory until commit.
        public override string? BeforeBulkWrite => "PRAGMA cache_size = -262144";

        // Back to SQLite's default, so pooled connections do not each keep a list-sized cache.
        public override string? AfterBulkWrite => "PRAGMA cache_size = -2000";

        // The table-valued form of PRAGMA synchronous, which the service sets on each connection it opens.
        public override string SelectDurabilitySettings => "SELECT 'synchronous', synchronous FROM pragma_synchronous";
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

        // pg_settings shows the session's values, so a setting the connection string's Options make is seen, with its source.
        // synchronous_standby_names decides whether a failover can lose acknowledged commits (DurabilityCheck.Judge).
        public override string SelectDurabilitySettings =>
            "SELECT name, setting, source FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'synchronous_standby_names')";

        // The database's collation may order otherwise; "C" is byte order, which for UTF-8 is code point order.
        public override string SelectActiveEntriesInFeedOrder =>
            "SELECT kind, value, category, risk FROM entries WHERE status = 'active' ORDER BY kind COLLATE \"C\", value COLLATE \"C\"";

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

    /// <summary>
    /// SQL Server 2019 or later (Data/Migrations/SqlServer). Text columns are nvarchar with a binary collation, so they
    /// compare and sort by code unit as SQLite and PostgreSQL's "C" do, whatever the database's default collation is.
    /// </summary>
    private sealed class SqlServerDialect : SqlDialect
    {
        // The one application lock every migrating instance takes, released with the transaction.
        private const string MigrationLock =
            """
            DECLARE @result int;
            EXEC @result = sp_getapplock @Resource = N'flagapi_schema_migrations', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = -1;
            IF @result < 0 THROW 50001, N'The schema migration lock was not granted.', 1;
            """;

        public override DatabaseProvider Provider => DatabaseProvider.SqlServer;

        // REPEATABLE READ is a locking level on SQL Server: a feed snapshot of millions of rows would hold a shared lock on
        // each until it ends and keep every list upload waiting. SNAPSHOT reads row versions, as PostgreSQL does; the
        // database must allow it, which PrepareDatabaseAsync (the migrate command) makes sure of.
        public override async Task<DbTransaction> BeginReadSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
            await connection.BeginTransactionAsync(IsolationLevel.Snapshot, cancellationToken);

        // ALTER DATABASE cannot run inside a transaction, so this is not part of a migration script.
        public override async Task PrepareDatabaseAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand(null,
                """
                IF (SELECT snapshot_isolation_state FROM sys.databases WHERE database_id = DB_ID()) = 0
                    ALTER DATABASE CURRENT SET ALLOW_SNAPSHOT_ISOLATION ON
                """);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // SQL Server takes at most 2,100 parameters per request and 1,000 rows per VALUES list.
        public override int InsertParametersPerStatement => 2000;

        // UPDLOCK keeps every other writer from reading the version for update until commit; HOLDLOCK keeps the row's lock
        // to the end of the transaction under READ COMMITTED, as FOR UPDATE does on PostgreSQL.
        public override string SelectListVersionForUpdate => "SELECT version FROM list_state WITH (UPDLOCK, HOLDLOCK) WHERE id = 1";

        public override BulkRowWriter CreateBulkRowWriter(DbConnection connection, DbTransaction transaction) =>
            new SqlServerBulkRowWriter(connection, transaction);

        public override int ValueListChunk => 10_000;

        // One JSON array parameter however many values, as on SQLite; OPENJSON needs compatibility level 130 (2016) or later.
        // An identifier value is found by its hash, the key of the (kind, value_hash) index: the value itself is nvarchar(max),
        // longer than an index key may be. The value is compared too, so a hash collision could never match another value.
        public override string AddValueList(DbCommand command, string column, IReadOnlyList<string> values)
        {
            command.AddParameter("@values", JsonSerializer.Serialize(values));
            return column == "value"
                ? "value_hash IN (SELECT CAST(HASHBYTES('SHA2_256', j.value) AS binary(32)) FROM OPENJSON(@values) WITH (value nvarchar(max) '$') AS j)"
                    + " AND value IN (SELECT j.value FROM OPENJSON(@values) WITH (value nvarchar(max) '$') AS j)"
                : $"{column} IN (SELECT value FROM OPENJSON(@values))";
        }

        public override string Limit(string select, int rows)
        {
            var text = select.TrimStart();
            if (!text.StartsWith("SELECT ", StringComparison.Ordinal))
            {
                throw new ArgumentException("A limit applies to a SELECT.", nameof(select));
            }

            return string.Create(CultureInfo.InvariantCulture, $"SELECT TOP ({rows}) {text["SELECT ".Length..]}");
        }

        public override string LockActiveAdminKeys =>
            "SELECT id FROM api_keys WITH (UPDLOCK, HOLDLOCK) WHERE role = 'admin' AND revoked_at IS NULL";

        // The database in use is always visible in sys.databases to its own users.
        public override string SelectDurabilitySettings =>
            "SELECT 'delayed_durability', delayed_durability_desc FROM sys.databases WHERE database_id = DB_ID()";

        public override string CreateVersionTable =>
            """
            IF OBJECT_ID(N'schema_versions', N'U') IS NULL
                CREATE TABLE schema_versions (version int NOT NULL PRIMARY KEY, name nvarchar(200) NOT NULL, applied_at nvarchar(40) NOT NULL)
            """;

        public override string InsertReturningId(string insert)
        {
            var values = insert.IndexOf(" VALUES ", StringComparison.Ordinal);
            return string.Concat(insert.AsSpan(0, values), " OUTPUT INSERTED.id", insert.AsSpan(values));
        }

        // One statement, so that the key-range lock its NOT EXISTS takes on the unique index (UPDLOCK, HOLDLOCK) lasts until
        // its INSERT: two claims of the same key at once cannot both find none; one waits, then finds the other's row.
        public override string InsertReturningIdUnlessConflict(string table, string columns, string values, string conflictColumns)
        {
            var columnList = columns.Split(", ");
            var valueList = values.Split(", ");
            var match = string.Join(" AND ", conflictColumns.Split(", ").Select(n => $"{n} = {valueList[Array.IndexOf(columnList, n)]}"));
            return $"""
                INSERT INTO {table} ({columns}) OUTPUT INSERTED.id
                SELECT {values}
                WHERE NOT EXISTS (SELECT 1 FROM {table} WITH (UPDLOCK, HOLDLOCK) WHERE {match})
                """;
        }

        // nvarchar compares UTF-16 code units; as UTF-8 (a code page of SQL Server 2019) the order is by code point, the
        // canonical list's, also for characters beyond the Basic Multilingual Plane.
        public override string SelectActiveEntriesInFeedOrder =>
            """
            SELECT kind, value, category, risk FROM entries WHERE status = 'active'
            ORDER BY kind, CAST(value COLLATE Latin1_General_100_BIN2_UTF8 AS varchar(max))
            """;

        // SqlBulkCopy keeps the writer's ids (KeepIdentity) and SQL Server moves the identity past them by itself; should
        // it not have (a bulk copy that kept identities is documented to, but the check costs one read), reseed it.
        public override async Task AfterExplicitIdsAsync(
            DbConnection connection, DbTransaction transaction, string table, long maxId, CancellationToken cancellationToken)
        {
            if (maxId < 1)
            {
                return;
            }

            await using var command = connection.CreateCommand(transaction,
                """
                DECLARE @current bigint = CONVERT(bigint, IDENT_CURRENT(@table));
                IF @current IS NULL OR @current < @max
                    DBCC CHECKIDENT (@table, RESEED, @max) WITH NO_INFOMSGS;
                """);
            command.AddParameter("@table", table);
            command.AddParameter("@max", maxId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand(transaction, MigrationLock);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
