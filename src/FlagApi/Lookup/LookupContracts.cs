using System.Text.Json.Serialization;
using FlagApi.Entries;

namespace FlagApi.Lookup;

public enum Verdict
{
    /// <summary>An active entry matches.</summary>
    Flagged,

    /// <summary>It was flagged, and an appeal or a reviewer cleared it.</summary>
    Cleared,

    /// <summary>Nothing known.</summary>
    Clear,
}

/// <summary>The answer to one lookup (SPEC: <c>{kind, query, canonical, verdict, flagged, matches[], reports, listVersion}</c>).</summary>
public sealed record LookupResponse(
    string Kind,
    string Query,
    string Canonical,
    Verdict Verdict,
    bool Flagged,
    IReadOnlyList<LookupMatch> Matches,
    ReportSignal Reports,
    long ListVersion,
    ProtectionNotice? Protected = null);

/// <summary>
/// The protected identifier a looked-up identifier is, or (a domain or URL) lies under: an official service number or a
/// major platform that lists may not flag as a whole. The verdict is separate: a flagged page on a protected host is still flagged.
/// </summary>
public sealed record ProtectionNotice(string Kind, string Value, string Display, string Reason);

/// <summary>An entry that matched, and the expression of the query that matched it.</summary>
public sealed record LookupMatch(
    long EntryId,
    string Kind,
    string Value,
    string Expression,
    Category Category,
    Risk Risk,
    EntryStatus Status,
    DateTime FirstSeen,
    DateTime LastSeen,
    DateTime? ExpiresAt,
    IReadOnlyList<MatchSource> Sources);

public sealed record MatchSource(string Type, string Label, long? ListId, DateTime AddedAt);

/// <summary>
/// Community reports about the identifier, pending or accepted: a weaker signal that never changes the verdict.
/// <see cref="Count"/> is distinct reporters; <see cref="TopCategory"/> the category they named most often.
/// </summary>
public sealed record ReportSignal(int Count, DateTime? LastAt, Category? TopCategory);

public sealed record BatchLookupRequest(IReadOnlyList<BatchLookupItem>? Items);

public sealed record BatchLookupItem(string? Kind, string? Value);

public sealed record BatchLookupResponse(IReadOnlyList<BatchLookupResult> Results, long ListVersion);

/// <summary>One item of a batch, in the request's order: a lookup answer, or an <see cref="Error"/> in its place.</summary>
public sealed record BatchLookupResult(
    string? Kind,
    string? Query,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Canonical = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Verdict? Verdict = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Flagged = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<LookupMatch>? Matches = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReportSignal? Reports = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ItemError? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProtectionNotice? Protected = null);

public sealed record ItemError(string Code, string Detail);
