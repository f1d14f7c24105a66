namespace FlagApi.Client;

/// <summary>One lookup's answer, as the service sends it (docs/api-v1.md: <c>{kind, query, canonical, verdict, flagged, matches[], reports, listVersion}</c>).</summary>
/// <param name="Kind">The identifier's kind: <c>phone</c>, <c>url</c>, <c>domain</c>, <c>app</c> or <c>account</c>.</param>
/// <param name="Query">The identifier as it was asked for.</param>
/// <param name="Canonical">Its canonical form (<c>+8613800138000</c>), the one the list is matched on.</param>
/// <param name="Verdict"><c>flagged</c> (an active entry matches), <c>cleared</c> (a matching entry was cleared on appeal and none is active) or <c>clear</c>.</param>
/// <param name="Flagged">The verdict as a boolean: true exactly when it is <c>flagged</c>.</param>
/// <param name="Matches">Every entry the identifier met, most specific first.</param>
/// <param name="Reports">The community signal on exactly this identifier; it never changes the verdict.</param>
/// <param name="ListVersion">The version of the list that answered.</param>
/// <param name="Protected">Null, or the protected identifier the query is or lies under, with the reason.</param>
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

/// <summary>A list entry a lookup met.</summary>
/// <param name="EntryId">The entry's id on the service.</param>
/// <param name="Kind">The entry's kind, which may differ from the query's (a URL meets a flagged domain).</param>
/// <param name="Value">The entry's canonical value.</param>
/// <param name="Expression">The expression of the query that met it (for a URL, a host/path expression or a parent domain).</param>
/// <param name="Category">What kind of fraud (<c>impersonating_authorities</c>, <c>loan_or_card</c>, …).</param>
/// <param name="Risk"><c>low</c>, <c>medium</c> or <c>high</c>.</param>
/// <param name="Status"><c>active</c>, <c>cleared</c> (on appeal), <c>expired</c> or <c>retracted</c>.</param>
/// <param name="FirstSeen">When the entry was first listed.</param>
/// <param name="LastSeen">When a list or report last named it.</param>
/// <param name="ExpiresAt">When it stops flagging by itself, if it does.</param>
/// <param name="Sources">The lists and accepted reports that put it there.</param>
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

/// <summary>Where an entry comes from.</summary>
/// <param name="Type"><c>list</c> (a publisher's list) or <c>report</c> (an accepted report).</param>
/// <param name="Label">The source named for a person (the publishing agency of a list).</param>
/// <param name="ListId">The list's id, for a list.</param>
/// <param name="AddedAt">When this source named the entry.</param>
public sealed record MatchSource(string Type, string Label, long? ListId, DateTime AddedAt);

/// <summary>Reports on exactly the identifier looked up: pending and accepted, by distinct reporters.</summary>
/// <param name="Count">How many distinct reporters.</param>
/// <param name="LastAt">When the latest report came.</param>
/// <param name="TopCategory">The category named most.</param>
public sealed record ReportSignal(int Count, DateTime? LastAt, string? TopCategory = null);

/// <summary>The protected identifier (a bank's hotline, a government site) the query is or lies under: it is never flagged.</summary>
/// <param name="Kind">The protected identifier's kind.</param>
/// <param name="Value">Its canonical value.</param>
/// <param name="Display">How it is shown to people, if the service has a nicer form.</param>
/// <param name="Reason">Why it is protected.</param>
public sealed record ProtectedNotice(string Kind, string Value, string? Display, string Reason);

/// <summary>One identifier to look up in a batch.</summary>
/// <param name="Kind"><c>phone</c>, <c>url</c>, <c>domain</c>, <c>app</c> or <c>account</c>.</param>
/// <param name="Value">The identifier as the user wrote it.</param>
public sealed record LookupItem(string Kind, string Value);

/// <summary>A batch item's answer: a <see cref="Result"/>, or an <see cref="Error"/> when that item could not be looked up.</summary>
/// <param name="Item">The item asked for.</param>
/// <param name="Result">Its answer, unless it had an error.</param>
/// <param name="Error">Why this item alone could not be looked up.</param>
public sealed record BatchItemResult(LookupItem Item, LookupResult? Result, ItemError? Error);

/// <summary>Why one item of a batch could not be looked up.</summary>
/// <param name="Code">The problem code, as a single lookup would have had it (<c>invalid_phone</c>, <c>unknown_kind</c>, …).</param>
/// <param name="Detail">What is wrong with it, for a person.</param>
public sealed record ItemError(string Code, string Detail);
