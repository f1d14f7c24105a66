using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.SqlClient;

namespace FlagApi.Data;

/// <summary>
/// Writes rows with <see cref="SqlBulkCopy"/> inside the connection's transaction: one bulk copy per table and batch,
/// streamed to the server without a statement per row or the 2,100-parameter ceiling of an INSERT. New entries keep the
/// ids the writer chose (<see cref="SqlBulkCopyOptions.KeepIdentity"/>); a failed row fails the copy and so the transaction.
/// Updates of existing entries are one statement per batch over a JSON array (OPENJSON), not a round trip per entry.
/// </summary>
internal sealed class SqlServerBulkRowWriter(DbConnection connection, DbTransaction transaction) : BulkRowWriter
{
    /// <summary>How OPENJSON reads a time back: ISO 8601 without an offset, which datetime2 takes in any language setting.</summary>
    private const string JsonTimestamp = "yyyy-MM-dd'T'HH:mm:ss.fffffff";

    private const string UpdateEntries =
        """
        UPDATE e SET category = u.category, risk = u.risk, status = u.status, last_seen = @at, expires_at = u.expires_at, version = u.version
        FROM entries AS e
        JOIN OPENJSON(@rows) WITH (id bigint '$.id', category nvarchar(64) '$.category', risk nvarchar(64) '$.risk',
            status nvarchar(64) '$.status', expires_at datetime2(7) '$.expires_at', version bigint '$.version') AS u ON e.id = u.id
        """;

    private const string UpdateStatuses =
        """
        UPDATE e SET status = u.status, version = u.version
        FROM entries AS e
        JOIN OPENJSON(@rows) WITH (id bigint '$.id', status nvarchar(64) '$.status', version bigint '$.version') AS u ON e.id = u.id
        """;

    private const string RekeyEntries =
        """
        UPDATE e SET value = u.value, category = u.category, risk = u.risk, status = u.status, first_seen = u.first_seen,
            last_seen = u.last_seen, expires_at = u.expires_at, version = u.version
        FROM entries AS e
        JOIN OPENJSON(@rows) WITH (id bigint '$.id', value nvarchar(max) '$.value', category nvarchar(64) '$.category',
            risk nvarchar(64) '$.risk', status nvarchar(64) '$.status', first_seen datetime2(7) '$.first_seen',
            last_seen datetime2(7) '$.last_seen', expires_at datetime2(7) '$.expires_at', version bigint '$.version') AS u ON e.id = u.id
        """;

    private readonly SqlConnection connection = (SqlConnection)connection;
    private readonly SqlTransaction transaction = (SqlTransaction)transaction;

    public override int BatchRows => 50_000;

    public override async Task WriteAsync(BulkRowBatch batch, CancellationToken cancellationToken)
    {
        var at = batch.At;
        if (batch.Entries.Count > 0)
        {
            var table = Table(BulkColumns.Entries, typeof(long), typeof(string), typeof(string), typeof(string), typeof(string), typeof(string),
                typeof(string), typeof(DateTime), typeof(DateTime), typeof(DateTime), typeof(long));
            foreach (var r in batch.Entries)
            {
                table.Rows.Add(r.Id, r.Kind, r.Value, r.Display, r.Category, r.Risk, r.Status, at, at, Nullable(r.ExpiresAt), r.Version);
            }

            await CopyAsync("entries", table, SqlBulkCopyOptions.KeepIdentity, cancellationToken);
        }

        if (batch.Updates.Count > 0)
        {
            await ExecuteAsync(UpdateEntries, batch.Updates.Select(r => new Dictionary<string, object?>
            {
                ["id"] = r.Id, ["category"] = r.Category, ["risk"] = r.Risk, ["status"] = r.Status,
                ["expires_at"] = Json(r.ExpiresAt), ["version"] = r.Version,
            }), at, cancellationToken);
        }

        if (batch.StatusChanges.Count > 0)
        {
            await ExecuteAsync(UpdateStatuses, batch.StatusChanges.Select(r => new Dictionary<string, object?>
            {
                ["id"] = r.Id, ["status"] = r.Status, ["version"] = r.Version,
            }), at: null, cancellationToken);
        }

        if (batch.Rekeys.Count > 0)
        {
            await ExecuteAsync(RekeyEntries, batch.Rekeys.Select(r => new Dictionary<string, object?>
            {
                ["id"] = r.Id, ["value"] = r.Value, ["category"] = r.Category, ["risk"] = r.Risk, ["status"] = r.Status,
                ["first_seen"] = Json(r.FirstSeen), ["last_seen"] = Json(r.LastSeen), ["expires_at"] = Json(r.ExpiresAt), ["version"] = r.Version,
            }), at: null, cancellationToken);
        }

        if (batch.History.Count > 0)
        {
            var table = Table(BulkColumns.History, typeof(long), typeof(long), typeof(DateTime), typeof(string), typeof(string), typeof(string),
                typeof(string), typeof(string));
            foreach (var r in batch.History)
            {
                table.Rows.Add(r.EntryId, r.Version, at, batch.Actor, r.Action, Nullable(r.Reason), Nullable(r.Before), r.After);
            }

            await CopyAsync("entry_history", table, SqlBulkCopyOptions.Default, cancellationToken);
        }

        if (batch.Changes.Count > 0)
        {
            var table = Table(BulkColumns.Changes, typeof(long), typeof(long), typeof(string), typeof(string), typeof(string), typeof(string),
                typeof(string), typeof(string), typeof(DateTime));
            foreach (var r in batch.Changes)
            {
                table.Rows.Add(r.Version, r.EntryId, r.Op, r.Kind, r.Value, r.Category, r.Risk, r.Status, at);
            }

            await CopyAsync("change_log", table, SqlBulkCopyOptions.Default, cancellationToken);
        }

        if (batch.Sources.Count > 0)
        {
            var table = Table(BulkColumns.Sources, typeof(long), typeof(long), typeof(string), typeof(string), typeof(string), typeof(string),
                typeof(string), typeof(string), typeof(DateTime), typeof(DateTime));
            foreach (var r in batch.Sources)
            {
                table.Rows.Add(r.EntryId, Nullable(r.ListId), r.SourceType, r.Label, Nullable(r.Note), r.Display, r.Category, r.Risk,
                    Nullable(r.ExpiresAt), at);
            }

            await CopyAsync("entry_sources", table, SqlBulkCopyOptions.Default, cancellationToken);
        }
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static DataTable Table(string[] columns, params Type[] types)
    {
        var table = new DataTable { Locale = CultureInfo.InvariantCulture };
        for (var i = 0; i < columns.Length; i++)
        {
            table.Columns.Add(columns[i], types[i]);
        }

        return table;
    }

    private static object Nullable<T>(T? value)
        where T : struct => value is { } v ? v : DBNull.Value;

    private static object Nullable(string? value) => value is null ? DBNull.Value : value;

    private static string? Json(DateTime? value) => value?.ToString(JsonTimestamp, CultureInfo.InvariantCulture);

    private async Task CopyAsync(string destination, DataTable rows, SqlBulkCopyOptions options, CancellationToken cancellationToken)
    {
        // Keep NULLs as NULLs rather than column defaults; check the foreign keys a bulk copy otherwise skips, so that a
        // copied row is held to the same constraints as an inserted one.
        using var copy = new SqlBulkCopy(connection, options | SqlBulkCopyOptions.KeepNulls | SqlBulkCopyOptions.CheckConstraints, transaction)
        {
            DestinationTableName = destination,
            BatchSize = 0,
            BulkCopyTimeout = 600,
            EnableStreaming = false,
        };
        foreach (DataColumn column in rows.Columns)
        {
            copy.ColumnMappings.Add(column.ColumnName, column.ColumnName);
        }

        await copy.WriteToServerAsync(rows, cancellationToken);
    }

    private async Task ExecuteAsync(string sql, IEnumerable<Dictionary<string, object?>> rows, DateTime? at, CancellationToken cancellationToken)
    {
        await using var command = new SqlCommand(sql, connection, transaction) { CommandTimeout = 600 };
        command.Parameters.Add(new SqlParameter("@rows", SqlDbType.NVarChar, -1) { Value = JsonSerializer.Serialize(rows) });
        if (at is { } time)
        {
            command.Parameters.Add(new SqlParameter("@at", SqlDbType.DateTime2) { Value = time });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
