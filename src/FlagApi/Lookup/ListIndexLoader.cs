using System.Data.Common;
using System.Globalization;
using System.Text;
using FlagApi.Data;
using FlagApi.Identifiers;

namespace FlagApi.Lookup;

/// <summary>
/// Reads the whole active list into a new <see cref="EntryTable"/> with two plain queries, sources then entries,
/// each in id order, merged as they stream: no object per entry survives the load, so ten million rows cost
/// the table and not ten million records on the way.
/// </summary>
internal static class ListIndexLoader
{
    public static async Task<EntryTable> LoadAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var sources = await ReadSourcesAsync(connection, cancellationToken);
        var count = await CountAsync(connection, cancellationToken);
        var table = new EntryTable(count);
        var next = 0;
        var buffer = new byte[256];
        await using (var command = connection.CreateCommand())
        {
            // Every row in key order, the status checked here: a WHERE on status made SQLite read by its status index
            // and sort ten million rows (105 s at 10M entries instead of a scan).
            command.CommandText = "SELECT id, kind, value, category, risk, status, first_seen, last_seen, expires_at FROM entries ORDER BY id";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var status = WireNames.Parse<EntryStatus>(reader.GetString(5));
                if (status is not (EntryStatus.Active or EntryStatus.Cleared))
                {
                    continue;
                }

                var id = reader.GetInt64(0);
                while (next < sources.Ids.Length && sources.Ids[next] < id)
                {
                    next++;
                }

                var entrySources = next < sources.Ids.Length && sources.Ids[next] == id ? sources.Sets[next] : [];
                var value = reader.GetString(2);
                var max = Encoding.UTF8.GetMaxByteCount(value.Length);
                if (max > buffer.Length)
                {
                    buffer = new byte[max];
                }

                var fields = new EntryFields(
                    id,
                    IdentifierKinds.TryParse(reader.GetString(1), out var kind) ? kind : throw new FormatException($"Entry {id} has an unknown kind."),
                    WireNames.Parse<Category>(reader.GetString(3)),
                    WireNames.Parse<Risk>(reader.GetString(4)),
                    status,
                    ReadTimestamp(reader, 6),
                    ReadTimestamp(reader, 7),
                    reader.IsDBNull(8) ? null : ReadTimestamp(reader, 8),
                    entrySources);
                table.AppendLoaded(fields, buffer.AsSpan(0, Encoding.UTF8.GetBytes(value, buffer)));
            }
        }

        table.LinkPrefixes();
        return table;
    }

    /// <summary>What a snapshot taken now at <paramref name="version"/> names: that version's change-log row, the schema version and this code's vocabulary.</summary>
    public static async Task<SnapshotAnchor?> AnchorAtAsync(DbConnection connection, long version, CancellationToken cancellationToken)
    {
        int schema;
        await using (var schemaCommand = connection.CreateCommand())
        {
            schemaCommand.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_versions";
            schema = Convert.ToInt32(await schemaCommand.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT entry_id, at FROM change_log WHERE version = @version";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "version";
        parameter.Value = version;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new SnapshotAnchor(version, reader.GetInt64(0), ReadTimestamp(reader, 1).Ticks, schema, SnapshotAnchor.CurrentVocabulary)
            : null;
    }

    /// <summary>The entries the index holds: active and cleared ones.</summary>
    internal static readonly string CountSql =
        $"SELECT COUNT(*) FROM entries WHERE status IN ('{WireNames.Of(EntryStatus.Active)}', '{WireNames.Of(EntryStatus.Cleared)}')";

    private static async Task<int> CountAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = CountSql;
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>Each entry id with sources, ascending, and its sources in the order they were added (one shared list per distinct set).</summary>
    private static async Task<(long[] Ids, IReadOnlyList<IndexedSource>[] Sets)> ReadSourcesAsync(
        DbConnection connection, CancellationToken cancellationToken)
    {
        var distinct = new Dictionary<IndexedSource, IndexedSource>();
        var ids = new List<long>();
        var rows = new List<IndexedSource>();
        var ordered = true;
        await using (var command = connection.CreateCommand())
        {
            // Row order is the order sources were added; sorting by entry here would make the database sort millions of rows.
            command.CommandText = "SELECT entry_id, source_type, label, list_id, added_at FROM entry_sources WHERE removed_at IS NULL ORDER BY id";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var entryId = reader.GetInt64(0);
                var source = new IndexedSource(reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), ReadTimestamp(reader, 4));
                if (!distinct.TryGetValue(source, out var shared))
                {
                    distinct[source] = shared = source;
                }

                ordered &= ids.Count == 0 || ids[^1] <= entryId;
                ids.Add(entryId);
                rows.Add(shared);
            }
        }

        var order = Enumerable.Range(0, ids.Count).ToArray();
        if (!ordered)
        {
            // Stable: an entry's sources keep the order they were added in.
            var keys = ids.ToArray();
            order = [.. order.OrderBy(i => keys[i])];
        }

        var singles = new Dictionary<IndexedSource, IReadOnlyList<IndexedSource>>(ReferenceEqualityComparer.Instance);
        var groupIds = new List<long>();
        var groupSets = new List<IReadOnlyList<IndexedSource>>();
        for (var start = 0; start < order.Length;)
        {
            var entryId = ids[order[start]];
            var end = start + 1;
            while (end < order.Length && ids[order[end]] == entryId)
            {
                end++;
            }

            IReadOnlyList<IndexedSource> set;
            if (end - start == 1)
            {
                var only = rows[order[start]];
                if (!singles.TryGetValue(only, out set!))
                {
                    singles[only] = set = [only];
                }
            }
            else
            {
                set = [.. order[start..end].Select(i => rows[i])];
            }

            groupIds.Add(entryId);
            groupSets.Add(set);
            start = end;
        }

        return ([.. groupIds], [.. groupSets]);
    }

    /// <summary>
    /// A stored timestamp in UTC: native on PostgreSQL; on SQLite the text EF Core writes ("yyyy-MM-dd HH:mm:ss.FFFFFFF"),
    /// parsed here by position because a general parser costs most of a large load.
    /// </summary>
    internal static DateTime ReadTimestamp(DbDataReader reader, int ordinal)
    {
        if (reader.GetFieldType(ordinal) != typeof(string))
        {
            return DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);
        }

        var text = reader.GetString(ordinal);
        return TryParseStored(text, out var parsed)
            ? parsed
            : DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    internal static bool TryParseStored(ReadOnlySpan<char> text, out DateTime value)
    {
        value = default;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':'
            || !TryDigits(text[..4], out var year) || !TryDigits(text[5..7], out var month) || !TryDigits(text[8..10], out var day)
            || !TryDigits(text[11..13], out var hour) || !TryDigits(text[14..16], out var minute) || !TryDigits(text[17..19], out var second))
        {
            return false;
        }

        long fraction = 0;
        if (text.Length > 19)
        {
            var digits = text[20..];
            if (text[19] != '.' || digits.Length is 0 or > 7 || !TryDigits(digits, out var raw))
            {
                return false;
            }

            fraction = raw;
            for (var i = digits.Length; i < 7; i++)
            {
                fraction *= 10;
            }
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(fraction);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
