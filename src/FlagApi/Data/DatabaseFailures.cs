using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FlagApi.Data;

/// <summary>
/// Tells an unreachable database (stopped, restarting, refusing connections, locked, read-only, full) from a
/// failure of the request itself, so the first can answer 503 and be retried, and only the second is a bug.
/// </summary>
public static class DatabaseFailures
{
    // SQLite primary result codes (sqlite.org/rescode.html): the file cannot be written or read just now.
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    // Extended result codes of a duplicate key: SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY, the two that
    // PostgreSQL's 23505 and SQL Server's 2601/2627 cover between them.
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    private const byte FatalSeverity = 20;

    /// <summary>The failure that makes <paramref name="exception"/> an outage, or null when it is something else.</summary>
    public static Exception? FindUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // A server error is an outage only in the connection classes; a constraint violation is the request's own.
                case PostgresException postgres:
                    return IsConnectionState(postgres.SqlState) ? postgres : null;
                // Everything else Npgsql raises happens on the way to the server: refused, reset, timed out, pool exhausted.
                case NpgsqlException npgsql:
                    return npgsql;
                case SqliteException sqlite:
                    return (sqlite.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked or SqliteReadOnly or SqliteIoError or SqliteFull or SqliteCantOpen
                        ? sqlite
                        : null;
                // Severity 20 to 25 is fatal: the server or SqlClient closed the connection ("Database engine error
                // severities" on learn.microsoft.com), as for a refused or reset connection, which SqlClient raises with
                // number 0 and severity 20. Below that, the number tells.
                case SqlException sqlServer:
                    return sqlServer.Class >= FatalSeverity || IsSqlServerOutage(sqlServer.Number) ? sqlServer : null;
                case TimeoutException or SocketException:
                    return e;
            }
        }

        return null;
    }

    public static bool IsUnavailable(Exception exception) => FindUnavailable(exception) is not null;

    /// <summary>
    /// Whether a failed save lost a race for a unique key (another request stored the same row first), which the caller
    /// turns into the answer the check before it would have given; any other failure is not this.
    /// </summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        SqlException sqlServer => IsSqlServerUniqueViolation(sqlServer.Number),
        _ => false,
    };

    // 2601: a duplicate key row in a unique index; 2627: a violation of a UNIQUE or PRIMARY KEY constraint. The schema
    // has both (unique indexes, filtered ones among them, and primary keys), and SQL Server tells them apart only by number.
    internal static bool IsSqlServerUniqueViolation(int number) => number is 2601 or 2627;

    /// <summary>
    /// The SQL Server error numbers of an outage: the server cannot be reached, or it cannot take work now and will once it
    /// is back or an operator makes room. Sources: Microsoft.Data.SqlClient's list of transient errors
    /// (learn.microsoft.com/dotnet/api/microsoft.data.sqlclient.sqlconfigurableretryfactory.baselinetransienterrors),
    /// "Database engine events and errors" (learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-errors)
    /// and Azure SQL's "Transient fault error codes" (learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-errors-issues).
    /// </summary>
    internal static bool IsSqlServerOutage(int number) => number switch
    {
        // -2: the command or the connection timed out (SqlClient's own number).
        -2 => true,

        // The way there (SNI and socket errors): 2 and 53 server not found or not accessible, 26 and 40 no connection
        // could be opened, 64 and 121 the network name is gone or the semaphore timed out, 233 and 997 the server
        // closed the connection during login, 1231 the network location cannot be reached, 10050-10065 the Winsock
        // network down, reset, aborted, timed out, refused and unreachable errors, 11001-11004 the host is not known.
        2 or 26 or 40 or 53 or 64 or 121 or 233 or 997 or 1231 or (>= 10050 and <= 10065) or (>= 11001 and <= 11004) => true,

        // The server is there but cannot take work now: 4060 the database cannot be opened (offline, restoring,
        // recovering, single-user), 18456 login failed, 17142 the server is paused, 6005 shutting down, 976 978 983 and
        // 4221 an availability group replica that cannot serve this connection now (failover). 18456 is what SQL Server
        // answers to a login whose database is offline, restoring or failing over (states 38 and 40), as well as to a
        // wrong password; either way no request can use the database until it is back or the configuration is fixed, so
        // each answers 503 with one log line rather than a 500 with a stack trace, readiness says 503, and migrate's
        // "Cannot reach … check ConnectionStrings:FlagApi" is the right advice.
        4060 or 18456 or 17142 or 6005 or 976 or 978 or 983 or 4221 => true,

        // Full or short of resources, until an operator makes room (as PostgreSQL's 53xxx): 9002 the transaction log is
        // full, 1105 a filegroup is full, 701 and 802 out of memory, 8645 and 8651 waiting for query memory, 1204 no lock
        // resource left, 3906 and 3908 the database is read-only or cannot begin a transaction (read-only, emergency mode).
        9002 or 1105 or 701 or 802 or 8645 or 8651 or 1204 or 3906 or 3908 => true,

        // Azure SQL's transient numbers: reconfiguration, failover and resource governance (40197, 40501, 40613, 40143,
        // 40540, 10928, 10929, 49918-49920).
        40197 or 40501 or 40613 or 40143 or 40540 or 10928 or 10929 or (>= 49918 and <= 49920) => true,

        // Everything else is the request's own, and answers as it would on the other providers: 2601 and 2627 unique
        // keys, 547 foreign keys and checks, 2628 and 8152 truncation, 102 and 156 syntax, 208 a missing object (a schema
        // that is behind, which the start refuses). 1205 deadlock victim, 3960 snapshot update conflict and 1222 lock
        // timeout are left out as PostgreSQL's 40001 and 40P01 are: a conflict between two requests, not a database
        // that is down, which READ_COMMITTED_SNAPSHOT makes rare (docs/operations.md, SQL Server).
        _ => false,
    };

    /// <summary>
    /// After a write refused with SQLITE_READONLY, lets go of every pooled SQLite connection, so the next write opens the
    /// files afresh. A connection keeps for life what it found when it opened: one opened while its write-ahead log could
    /// not be written (a permission or an immutable flag lifted file by file, the log last) has a read-only log beside a
    /// writable database file, which the check at open cannot see, and it would fail every write it is handed after the
    /// fault is lifted. Connections in use are closed when they come back; nothing is lost, since a refused write wrote nothing.
    /// </summary>
    public static void ReleaseConnectionsAfter(Exception failure)
    {
        if (FindUnavailable(failure) is SqliteException sqlite && (sqlite.SqliteErrorCode & 0xFF) == SqliteReadOnly)
        {
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>A short reason for a log line: the failure's type and message, which name no caller and no identifier.</summary>
    public static string Describe(Exception exception)
    {
        var failure = FindUnavailable(exception) ?? exception;
        return failure switch
        {
            PostgresException postgres => $"PostgreSQL {postgres.SqlState}: {postgres.MessageText}",
            SqliteException sqlite => $"SQLite {sqlite.SqliteErrorCode}: {sqlite.Message}",
            SqlException sqlServer => $"SQL Server {sqlServer.Number}: {sqlServer.Message}",
            _ => $"{failure.GetType().Name}: {failure.Message}",
        };
    }

    // 08: connection exception; 53000-53300 insufficient resources (disk full, out of memory, too many connections: the
    // server cannot take the write now, and will once an operator makes room); 25006 read-only transaction (a standby, a
    // database set default_transaction_read_only during maintenance or failover); 57P01-57P03 admin shutdown, crash
    // shutdown, cannot connect now; 58: system error (I/O). 53400 configuration_limit_exceeded is left out: the same
    // request fails again until the configuration changes. See the PostgreSQL manual's appendix A, "PostgreSQL Error Codes".
    private static bool IsConnectionState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("58", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.InsufficientResources or PostgresErrorCodes.DiskFull or PostgresErrorCodes.OutOfMemory
            or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.ReadOnlySqlTransaction
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;
}
