using System.Net.Sockets;
using Microsoft.Data.Sqlite;
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
                case TimeoutException or SocketException:
                    return e;
            }
        }

        return null;
    }

    public static bool IsUnavailable(Exception exception) => FindUnavailable(exception) is not null;

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
