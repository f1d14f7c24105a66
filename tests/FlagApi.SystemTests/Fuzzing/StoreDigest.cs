using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using FlagApi.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FlagApi.Tests.Fuzzing;

/// <summary>
/// The row count and a hash of the contents of every table, read straight from the database, so that any change a
/// request made, however it was made, shows. Blobs count by their length: attachments are megabytes.
/// </summary>
internal sealed class StoreDigest : IAsyncDisposable
{
    /// <summary>
    /// Tables a background service moves on its own timer, never a request: the watch notifier's cursor follows the change
    /// log some seconds after an accepted list write, which would otherwise show as a change made by the next refused request.
    /// </summary>
    private static readonly string[] MovedInTheBackground = ["change_log_readers"];

    /// <summary>
    /// Columns the notification sender moves on its own timer: a message written by an accepted request is claimed, tried
    /// and its attempts counted while later requests run. What a request writes (the row, its recipient, subject and body) still counts.
    /// </summary>
    private static readonly Dictionary<string, string[]> ColumnsMovedInTheBackground = new(StringComparer.Ordinal)
    {
        ["notifications"] = ["status", "attempts", "next_attempt_at", "claimed_until", "last_error", "sent_at"],
    };

    private readonly DbConnection connection;
    private readonly DatabaseProvider provider;
    private string? query;
    private long dataVersion = -1;
    private string? last;

    private StoreDigest(DbConnection connection, DatabaseProvider provider)
    {
        this.connection = connection;
        this.provider = provider;
    }

    public static async Task<StoreDigest> OpenAsync(DatabaseProvider provider, string connectionString)
    {
        DbConnection connection = provider == DatabaseProvider.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return new StoreDigest(connection, provider);
    }

    /// <summary>One line per table: its name, row count and content hash.</summary>
    public async Task<string> ReadAsync()
    {
        // SQLite counts the commits of other connections: while it stands still, nothing was written.
        if (provider == DatabaseProvider.Sqlite)
        {
            await using var version = connection.CreateCommand();
            version.CommandText = "PRAGMA data_version";
            var now = Convert.ToInt64(await version.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            if (now == dataVersion && last is not null)
            {
                return last;
            }

            dataVersion = now;
        }

        last = await ReadContentsAsync();
        return last;
    }

    private async Task<string> ReadContentsAsync()
    {
        query ??= await BuildQueryAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = query;
        await using var reader = await command.ExecuteReaderAsync();
        var digest = new StringBuilder();
        while (await reader.ReadAsync())
        {
            var contents = reader.IsDBNull(2) ? "" : reader.GetString(2);
            var hash = provider == DatabaseProvider.Sqlite ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(contents)))[..16] : contents;
            digest.Append(reader.GetString(0)).Append(' ').Append(reader.GetInt64(1)).Append(' ').Append(hash).Append('\n');
        }

        return digest.ToString();
    }

    private async Task<string> BuildQueryAsync()
    {
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = provider == DatabaseProvider.Sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var parts = new List<string>();
        foreach (var table in tables.Where(t => !MovedInTheBackground.Contains(t, StringComparer.Ordinal)))
        {
            var columns = new List<string>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = provider == DatabaseProvider.Sqlite
                    ? $"SELECT name, type FROM pragma_table_info('{table}')"
                    : $"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var name = reader.GetString(0);
                    var type = reader.GetString(1);
                    if (ColumnsMovedInTheBackground.TryGetValue(table, out var moved) && moved.Contains(name, StringComparer.Ordinal))
                    {
                        continue;
                    }

                    var blob = type.Equals("BLOB", StringComparison.OrdinalIgnoreCase) || type == "bytea";
                    columns.Add(provider == DatabaseProvider.Sqlite
                        ? (blob ? $"length(\"{name}\")" : $"quote(\"{name}\")")
                        : (blob ? $"coalesce(length(\"{name}\")::text, 'null')" : $"coalesce(\"{name}\"::text, 'null')"));
                }
            }

            parts.Add(provider == DatabaseProvider.Sqlite
                ? $"SELECT '{table}', count(*), group_concat({string.Join(" || ',' || ", columns)}, '|') FROM (SELECT * FROM \"{table}\" ORDER BY rowid)"
                : $"SELECT '{table}', count(*), md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (SELECT concat_ws(',', {string.Join(", ", columns)}) AS x FROM \"{table}\") r");
        }

        return string.Join("\nUNION ALL\n", parts);
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
