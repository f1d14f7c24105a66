using System.Data.Common;
using FlagApi.Identifiers;
using FlagApi.Data;

namespace FlagApi.Entries;

/// <summary>An entry as a writer reads it before changing it: its key, its state and when it was first seen.</summary>
internal sealed record StoredEntry(long Id, string Key, EntryState State, DateTime FirstSeen)
{
    /// <summary>The entries of kind <c>@kind</c> that meet <paramref name="values"/>, a provider's value-list condition.</summary>
    internal static string SelectSql(string values) =>
        $"SELECT id, value, display, status, category, risk, expires_at, last_seen, first_seen FROM entries WHERE kind = @kind AND {values}";

    /// <summary>Hands <paramref name="found"/> each entry of <paramref name="kind"/> stored under one of <paramref name="keys"/>.</summary>
    public static async Task FindAsync(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, IdentifierKind kind, IEnumerable<string> keys, Action<StoredEntry> found,
        CancellationToken cancellationToken)
    {
        foreach (var chunk in keys.Chunk(dialect.ValueListChunk))
        {
            await using var command = connection.CreateCommand(transaction, string.Empty);
            var values = dialect.AddValueList(command, "value", chunk);
            command.AddParameter("@kind", kind.ToWire());
            command.CommandText = SelectSql(values);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found(new StoredEntry(reader.GetInt64(0), reader.GetString(1), EntryState.Read(reader, 2), EntryState.AsUtc(reader.GetDateTime(8))));
            }
        }
    }
}
