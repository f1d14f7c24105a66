namespace FlagApi.Client;

/// <summary>One lookup's answer, as the service sends it (docs/api-v1.md: <c>{kind, query, canonical, verdict, flagged, matches[], reports, listVersion}</c>).</summary>
public sealed record LookupResult(
    string Kind,
    string Query,
    string Canonical,
    string Verdict,
    bool Flagged,
    IReadOnlyList<LookupMatch> Matches,
    ReportSignal? Reports,
    long ListVersion,
    ProtectedNotice? Protected = null);

public sealed record LookupMatch(
    long EntryId,
    string Kind,
    string Value,
    string Expression,
    string Category,
    string Risk,
    string Status,
    DateTime FirstSeen,
    DateTime LastSeen,
    DateTime? ExpiresAt,
    IReadOnlyList<MatchSource> Sources);

public sealed record MatchSource(string Type, string Label, long? ListId, DateTime AddedAt);

public sealed record ReportSignal(int Count, DateTime? LastAt, string? TopCategory = null);

public sealed record ProtectedNotice(string Kind, string Value, string? Display, string Reason);

/// <summary>One identifier to look up in a batch.</summary>
public sealed record LookupItem(string Kind, string Value);

/// <summary>A batch item's answer: a <see cref="Result"/>, or an <see cref="Error"/> when that item could not be looked up.</summary>
public sealed record BatchItemResult(LookupItem Item, LookupResult? Result, ItemError? Error);

public sealed record ItemError(string Code, string Detail);
