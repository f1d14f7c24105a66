using System.Data.Common;
using System.Text.Json;
using FlagApi.Data;

namespace FlagApi.Entries;

/// <summary>An entry's state as history records it before and after a change.</summary>
internal sealed record EntryState(
    string Display,
    EntryStatus Status,
    Category Category,
    Risk Risk,
    DateTime? ExpiresAt,
    DateTime LastSeen)
{
    public static EntryState Of(Entry entry) =>
        new(entry.Display, entry.Status, entry.Category, entry.Risk, entry.ExpiresAt, entry.LastSeen);

    /// <summary>Reads <c>display, status, category, risk, expires_at, last_seen</c>, in that order from column <paramref name="first"/>.</summary>
    public static EntryState Read(DbDataReader reader, int first) => new(
        reader.GetString(first),
        WireNames.Parse<EntryStatus>(reader.GetString(first + 1)),
        WireNames.Parse<Category>(reader.GetString(first + 2)),
        WireNames.Parse<Risk>(reader.GetString(first + 3)),
        reader.IsDBNull(first + 4) ? null : AsUtc(reader.GetDateTime(first + 4)),
        AsUtc(reader.GetDateTime(first + 5)));

    public static DateTime AsUtc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    /// <summary>
    /// What a source seen at <paramref name="seen"/> says, joined to this state: its category stands (it is the newer
    /// word), the risk never drops because one source rated it lower, and an expiry only ever moves later (no expiry wins).
    /// </summary>
    public EntryState Joined(Category category, Risk risk, DateTime? expiresAt, DateTime seen) => this with
    {
        Category = category,
        Risk = risk > Risk ? risk : Risk,
        ExpiresAt = ExpiresAt is null || expiresAt is null ? null : ExpiresAt > expiresAt ? ExpiresAt : expiresAt,
        LastSeen = seen,
    };

    public string ToJson() => JsonSerializer.Serialize(
        new HistoryState(WireNames.Of(Status), WireNames.Of(Category), WireNames.Of(Risk), ExpiresAt),
        HistoryJson.Options);

    private sealed record HistoryState(string Status, string Category, string Risk, DateTime? ExpiresAt);
}
