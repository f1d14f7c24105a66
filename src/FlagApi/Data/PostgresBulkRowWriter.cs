using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace FlagApi.Data;

/// <summary>
/// Writes rows with PostgreSQL's binary COPY, one COPY per table and batch, inside the
/// connection's transaction: rows stream to the server without a statement per row or the
/// 65,535-parameter ceiling of an INSERT, and a failed row fails the COPY and so the transaction.
/// Updates of existing entries are one statement per batch over arrays, not a round trip per entry.
/// </summary>
internal sealed class PostgresBulkRowWriter(DbConnection connection) : BulkRowWriter
{
    private readonly NpgsqlConnection connection = (NpgsqlConnection)connection;

    public override int BatchRows => 50_000;

    public override async Task WriteAsync(BulkRowBatch batch, CancellationToken cancellationToken)
    {
        var at = batch.At;
        if (batch.Entries.Count > 0)
        {
            await using var copy = await BeginAsync("entries", BulkColumns.Entries, cancellationToken);
            foreach (var r in batch.Entries)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(r.Id, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(r.Kind, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Value, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Display, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Category, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Risk, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Status, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteAsync(copy, r.ExpiresAt, cancellationToken);
                await copy.WriteAsync(r.Version, NpgsqlDbType.Bigint, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        if (batch.Updates.Count > 0)
        {
            await using var update = new NpgsqlCommand(
                """
                UPDATE entries AS e
                SET category = u.category, risk = u.risk, status = u.status, last_seen = @at, expires_at = u.expires_at, version = u.version
                FROM unnest(@id, @category, @risk, @status, @expires_at, @version) AS u(id, category, risk, status, expires_at, version)
                WHERE e.id = u.id
                """,
                connection);
            var rows = batch.Updates;
            update.Parameters.Add(new NpgsqlParameter<DateTime>("at", NpgsqlDbType.TimestampTz) { TypedValue = at });
            update.Parameters.Add(Array("id", NpgsqlDbType.Bigint, rows.Select(r => r.Id).ToArray()));
            update.Parameters.Add(Array("category", NpgsqlDbType.Text, rows.Select(r => r.Category).ToArray()));
            update.Parameters.Add(Array("risk", NpgsqlDbType.Text, rows.Select(r => r.Risk).ToArray()));
            update.Parameters.Add(Array("status", NpgsqlDbType.Text, rows.Select(r => r.Status).ToArray()));
            update.Parameters.Add(Array("expires_at", NpgsqlDbType.TimestampTz, rows.Select(r => r.ExpiresAt).ToArray()));
            update.Parameters.Add(Array("version", NpgsqlDbType.Bigint, rows.Select(r => r.Version).ToArray()));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (batch.StatusChanges.Count > 0)
        {
            await using var update = new NpgsqlCommand(
                """
                UPDATE entries AS e SET status = u.status, version = u.version
                FROM unnest(@id, @status, @version) AS u(id, status, version)
                WHERE e.id = u.id
                """,
                connection);
            var rows = batch.StatusChanges;
            update.Parameters.Add(Array("id", NpgsqlDbType.Bigint, rows.Select(r => r.Id).ToArray()));
            update.Parameters.Add(Array("status", NpgsqlDbType.Text, rows.Select(r => r.Status).ToArray()));
            update.Parameters.Add(Array("version", NpgsqlDbType.Bigint, rows.Select(r => r.Version).ToArray()));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (batch.Rekeys.Count > 0)
        {
            await using var rekey = new NpgsqlCommand(
                """
                UPDATE entries AS e
                SET value = u.value, category = u.category, risk = u.risk, status = u.status, first_seen = u.first_seen,
                    last_seen = u.last_seen, expires_at = u.expires_at, version = u.version
                FROM unnest(@id, @value, @category, @risk, @status, @first_seen, @last_seen, @expires_at, @version)
                    AS u(id, value, category, risk, status, first_seen, last_seen, expires_at, version)
                WHERE e.id = u.id
                """,
                connection);
            var rows = batch.Rekeys;
            rekey.Parameters.Add(Array("id", NpgsqlDbType.Bigint, rows.Select(r => r.Id).ToArray()));
            rekey.Parameters.Add(Array("value", NpgsqlDbType.Text, rows.Select(r => r.Value).ToArray()));
            rekey.Parameters.Add(Array("category", NpgsqlDbType.Text, rows.Select(r => r.Category).ToArray()));
            rekey.Parameters.Add(Array("risk", NpgsqlDbType.Text, rows.Select(r => r.Risk).ToArray()));
            rekey.Parameters.Add(Array("status", NpgsqlDbType.Text, rows.Select(r => r.Status).ToArray()));
            rekey.Parameters.Add(Array("first_seen", NpgsqlDbType.TimestampTz, rows.Select(r => r.FirstSeen).ToArray()));
            rekey.Parameters.Add(Array("last_seen", NpgsqlDbType.TimestampTz, rows.Select(r => r.LastSeen).ToArray()));
            rekey.Parameters.Add(Array("expires_at", NpgsqlDbType.TimestampTz, rows.Select(r => r.ExpiresAt).ToArray()));
            rekey.Parameters.Add(Array("version", NpgsqlDbType.Bigint, rows.Select(r => r.Version).ToArray()));
            await rekey.ExecuteNonQueryAsync(cancellationToken);
        }

        if (batch.History.Count > 0)
        {
            await using var copy = await BeginAsync("entry_history", BulkColumns.History, cancellationToken);
            foreach (var r in batch.History)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(r.EntryId, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(r.Version, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(batch.Actor, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Action, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, r.Reason, cancellationToken);
                await WriteAsync(copy, r.Before, cancellationToken);
                await copy.WriteAsync(r.After, NpgsqlDbType.Text, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        if (batch.Changes.Count > 0)
        {
            await using var copy = await BeginAsync("change_log", BulkColumns.Changes, cancellationToken);
            foreach (var r in batch.Changes)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(r.Version, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(r.EntryId, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(r.Op, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Kind, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Value, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Category, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Risk, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Status, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        if (batch.Sources.Count > 0)
        {
            await using var copy = await BeginAsync("entry_sources", BulkColumns.Sources, cancellationToken);
            foreach (var r in batch.Sources)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(r.EntryId, NpgsqlDbType.Bigint, cancellationToken);
                await WriteAsync(copy, r.ListId, cancellationToken);
                await copy.WriteAsync(r.SourceType, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Label, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, r.Note, cancellationToken);
                await copy.WriteAsync(r.Display, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Category, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Risk, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, r.ExpiresAt, cancellationToken);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }
    }

    // Each COPY is finished and disposed within the batch that began it: nothing stays open between batches.
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static NpgsqlParameter<T[]> Array<T>(string name, NpgsqlDbType type, T[] values) =>
        new(name, NpgsqlDbType.Array | type) { TypedValue = values };

    private Task<NpgsqlBinaryImporter> BeginAsync(string table, string[] columns, CancellationToken cancellationToken) =>
        connection.BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter copy, long? value, CancellationToken cancellationToken) =>
        value is { } number ? copy.WriteAsync(number, NpgsqlDbType.Bigint, cancellationToken) : copy.WriteNullAsync(cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter copy, DateTime? value, CancellationToken cancellationToken) =>
        value is { } time ? copy.WriteAsync(time, NpgsqlDbType.TimestampTz, cancellationToken) : copy.WriteNullAsync(cancellationToken);
}
