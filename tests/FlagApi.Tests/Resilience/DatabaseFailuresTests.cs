using System.Net.Sockets;
using FlagApi.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FlagApi.Tests.Resilience;

public sealed class DatabaseFailuresTests
{
    public static TheoryData<string, Exception, bool> Failures => new()
    {
        { "connection refused", new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException(111)), true },
        { "EF's transient failure", new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", new NpgsqlException("Exception while reading from stream", new IOException("reset"))), true },
        { "a pool connection timeout", new NpgsqlException("The operation has timed out", new TimeoutException()), true },
        { "admin shutdown 57P01", Postgres("57P01"), true },
        { "crash shutdown 57P02", Postgres("57P02"), true },
        { "starting up 57P03", Postgres("57P03"), true },
        { "connection failure 08006", Postgres("08006"), true },
        { "too many connections 53300", Postgres("53300"), true },
        { "disk full 53100", new DbUpdateException("An error occurred while saving the entity changes.", Postgres("53100")), true },
        { "out of memory 53200", Postgres("53200"), true },
        { "insufficient resources 53000", Postgres("53000"), true },
        { "read-only transaction 25006", new DbUpdateException("An error occurred while saving the entity changes.", Postgres("25006")), true },
        { "configuration limit exceeded 53400", Postgres("53400"), false },
        { "serialization failure 40001", Postgres("40001"), false },
        { "a save wrapping a shutdown", new DbUpdateException("An error occurred while saving the entity changes.", Postgres("57P01")), true },
        { "unique violation 23505", new DbUpdateException("An error occurred while saving the entity changes.", Postgres("23505")), false },
        { "syntax error 42601", Postgres("42601"), false },
        { "SQLite busy", new DbUpdateException("saving", new SqliteException("database is locked", 5)), true },
        { "SQLite locked", new SqliteException("database table is locked", 6), true },
        { "SQLite read-only", new SqliteException("attempt to write a readonly database", 8), true },
        { "SQLite I/O error (extended IOERR_WRITE)", new SqliteException("disk I/O error", 778), true },
        { "SQLite cannot open", new SqliteException("unable to open database file", 14), true },
        { "SQLite full", new DbUpdateException("saving", new SqliteException("database or disk is full", 13)), true },
        { "SQLite read-only (extended READONLY_DBMOVED)", new SqliteException("attempt to write a readonly database", 1032), true },
        { "SQLite constraint", new SqliteException("UNIQUE constraint failed", 19), false },
        { "a timeout", new TimeoutException(), true },
        { "a bug", new InvalidOperationException("Sequence contains no elements"), false },
        { "a refusal", new FlagApi.Problems.ProblemException(409, "conflict", "Conflict", "Taken."), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void OnlyAnUnreachableDatabaseCountsAsAnOutage(string failure, Exception exception, bool outage) =>
        Assert.True(DatabaseFailures.IsUnavailable(exception) == outage, $"{failure}: expected {(outage ? "an outage" : "not an outage")}");

    public static TheoryData<string, Exception, bool> Saves => new()
    {
        { "SQLite UNIQUE (SQLITE_CONSTRAINT_UNIQUE)", new SqliteException("UNIQUE constraint failed: reports.value", 19, 2067), true },
        { "SQLite PRIMARY KEY (SQLITE_CONSTRAINT_PRIMARYKEY)", new SqliteException("UNIQUE constraint failed: reports.id", 19, 1555), true },
        { "SQLite FOREIGN KEY", new SqliteException("FOREIGN KEY constraint failed", 19, 787), false },
        { "SQLite busy", new SqliteException("database is locked", 5), false },
        { "PostgreSQL unique_violation 23505", Postgres("23505"), true },
        { "PostgreSQL foreign_key_violation 23503", Postgres("23503"), false },
        { "PostgreSQL admin shutdown", Postgres("57P01"), false },
        { "a connection refused", new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException(111)), false },
    };

    [Theory]
    [MemberData(nameof(Saves))]
    public void OnlyALostRaceForAUniqueKeyIsAUniqueViolation(string failure, Exception inner, bool unique) =>
        Assert.True(DatabaseFailures.IsUniqueViolation(new DbUpdateException("An error occurred while saving the entity changes.", inner)) == unique,
            $"{failure}: expected {(unique ? "a unique violation" : "no unique violation")}");

    private static PostgresException Postgres(string sqlState) => new("message", "FATAL", "FATAL", sqlState);
}
