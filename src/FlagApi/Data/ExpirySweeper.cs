using System.Globalization;
using FlagApi.Entries;
using FlagApi.Identifiers;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Data;

/// <summary>
/// Marks active entries whose expiry has passed as <c>expired</c>. Lookups already treat them as expired
/// by the clock; the sweep gives the expiry a list version, a history row and a <c>remove</c> in the change
/// log, so that apps following the feed drop them too and a snapshot agrees with the deltas.
/// </summary>
public sealed class ExpirySweeper(FlagDbContext db, DatabaseProviderInfo providerInfo, TimeProvider time)
{
    public const string Actor = "system:expiry";

    // One transaction holds the list version lock; a bounded batch keeps publishers from waiting long.
    private const int Batch = 5000;

    /// <summary>Expires every entry due by now, in batches of one transaction each; returns how many expired.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            var expired = await SweepBatchAsync(cancellationToken);
            total += expired;
            if (expired < Batch)
            {
                return total;
            }
        }
    }

    private async Task<int> SweepBatchAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var version = await ListVersionRow.LockAsync(connection, transaction, providerInfo.Dialect, cancellationToken);

            var due = new List<(long Id, IdentifierKind Kind, string Value, EntryState State)>();
            await using (var select = connection.CreateCommand(transaction,
                $"""
                SELECT id, kind, value, display, category, risk, expires_at, last_seen
                FROM entries
                WHERE status = 'active' AND expires_at IS NOT NULL AND expires_at <= @now
                ORDER BY id
                LIMIT {Batch}
                """))
            {
                select.AddParameter("@now", providerInfo.Dialect.Timestamp(now));
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var kind = IdentifierKinds.TryParse(reader.GetString(1), out var k) ? k : throw new FormatException($"Entry {reader.GetInt64(0)} has an unknown kind.");
                    var state = new EntryState(
                        reader.GetString(3),
                        EntryStatus.Active,
                        WireNames.Parse<Category>(reader.GetString(4)),
                        WireNames.Parse<Risk>(reader.GetString(5)),
                        DateTime.SpecifyKind(reader.GetDateTime(6), DateTimeKind.Utc),
                        DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc));
                    due.Add((reader.GetInt64(0), kind, reader.GetString(2), state));
                }
            }

            if (due.Count == 0)
            {
                return 0;
            }

            await using (var writer = await EntryRowWriter.CreateAsync(connection, transaction, providerInfo.Dialect, Actor, now, cancellationToken))
            {
                foreach (var entry in due)
                {
                    version++;
                    var after = entry.State with { Status = EntryStatus.Expired };
                    await writer.SetStatusAsync(entry.Id, EntryStatus.Expired, version, cancellationToken);
                    await writer.InsertHistoryAsync(entry.Id, version, "expired", "The entry's expiry passed", entry.State, after, cancellationToken);
                    await writer.InsertChangeAsync(version, entry.Id, ChangeOps.Remove, entry.Kind, entry.Value, after, cancellationToken);
                }

                await writer.FlushAsync(cancellationToken);
            }

            await ListVersionRow.SetAsync(connection, transaction, version, cancellationToken);

            await transaction.CommitAsync(cancellationToken);
            return due.Count;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
