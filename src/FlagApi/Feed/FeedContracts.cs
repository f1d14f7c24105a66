namespace FlagApi.Feed;

/// <summary>
/// One change to the active list (docs/api-v1.md: <c>{"version","op":"add|update|remove","kind","value","category","risk"}</c>).
/// <c>add</c> and <c>update</c> mean: the entry is in the list with this category and risk; <c>remove</c>: it is not
/// (cleared by an appeal, retracted with its list, or expired), or not under this value: the identifier rules gave the
/// entry a new one, which an <c>add</c> right after brings.
/// </summary>
public sealed record FeedChange(long Version, string Op, string Kind, string Value, string Category, string Risk);

/// <param name="FromVersion">The <c>since</c> of the request.</param>
/// <param name="ToVersion">The version a client is at after applying <paramref name="Changes"/>: the next request's <c>since</c>.</param>
/// <param name="More">True when more changes follow right away; ask again with <c>since=toVersion</c>.</param>
/// <param name="RetryAfterSeconds">How long to wait before the next poll: 0 while <paramref name="More"/>.</param>
public sealed record FeedChangesResponse(long FromVersion, long ToVersion, bool More, IReadOnlyList<FeedChange> Changes, int RetryAfterSeconds);

/// <summary>One active entry of a snapshot.</summary>
public sealed record SnapshotEntry(string Kind, string Value, string Category, string Risk);

/// <summary>
/// The JSON snapshot, for the OpenAPI document: it is streamed in this member order, the count and the
/// checksum last because they are known only once every entry is written.
/// </summary>
public sealed record SnapshotDocument(long Version, IReadOnlyList<SnapshotEntry> Entries, long Count, string Sha256);

public static class FeedProblemCodes
{
    public const string InvalidSince = "invalid_since";
    public const string SinceAhead = "since_ahead";
    public const string InvalidLimit = "invalid_limit";
    public const string InvalidWait = "invalid_wait";
    public const string InvalidState = "invalid_state";
    public const string InvalidMaxEntries = "invalid_max_entries";
}
