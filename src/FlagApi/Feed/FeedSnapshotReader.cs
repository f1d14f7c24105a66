using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using FlagApi.Data;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Feed;

/// <summary>One active entry as the feed's snapshot serves it: wire names and the canonical value.</summary>
public sealed record SnapshotRow(string Kind, string Value, string Category, string Risk);

/// <summary>
/// Reads the active list at one version. The version and the rows are read in one transaction that
/// sees a single committed state (repeatable read on PostgreSQL, a deferred read transaction on
/// SQLite, whose WAL snapshot is taken at the first read, snapshot isolation on SQL Server), so they agree even while
/// lists are published. With a read replica the snapshot is the replica's when it is at least at the list version this
/// instance serves (<see cref="ReadReplica"/>), else the primary's.
/// </summary>
public sealed class FeedSnapshotReader(FlagDbContext db, DatabaseProviderInfo providerInfo, ReadReplica replica)
{
    public async Task<FeedSnapshot> OpenAsync(CancellationToken cancellationToken)
    {
        if (await replica.OpenAsync(ReadReplica.Reads.FeedSnapshot, 0, cancellationToken) is { } lease)
        {
            return new FeedSnapshot(lease.Connection, lease.Transaction, lease.Version, DatabaseProvider.Postgres, lease.DisposeAsync);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        DbTransaction? transaction = null;
        try
        {
            transaction = await providerInfo.Dialect.BeginReadSnapshotAsync(connection, cancellationToken);
            await using var command = connection.CreateCommand(transaction, "SELECT version FROM list_state WHERE id = 1");
            var version = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            return new FeedSnapshot(connection, transaction, version, providerInfo.Provider, async () =>
            {
                await transaction.DisposeAsync();
                await db.Database.CloseConnectionAsync();
            });
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await db.Database.CloseConnectionAsync();
            throw;
        }
    }
}

/// <summary>An open read of the active list; its rows can be read more than once and always agree with <see cref="Version"/>.</summary>
public sealed class FeedSnapshot : IAsyncDisposable
{
    private readonly DbConnection connection;
    private readonly DbTransaction transaction;
    private readonly Func<ValueTask> release;
    private readonly string select;

    internal FeedSnapshot(DbConnection connection, DbTransaction transaction, long version, DatabaseProvider provider, Func<ValueTask> release)
    {
        this.release = release;
        this.connection = connection;
        this.transaction = transaction;
        Version = version;

        // The canonical list's order is by UTF-8 bytes: SQLite's BINARY collation, PostgreSQL's "C", SQL Server's UTF-8 BIN2.
        select = SqlDialect.For(provider).SelectActiveEntriesInFeedOrder;
    }

    public long Version { get; }

    public async IAsyncEnumerable<SnapshotRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand(transaction, select);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new SnapshotRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }
    }

    public ValueTask DisposeAsync() => release();
}
