using System.ComponentModel;

namespace FlagApi.Stats;

/// <summary>The transparency figures of <c>GET /v1/stats</c>, as of <see cref="GeneratedAt"/> and list version <see cref="ListVersion"/>.</summary>
public sealed record StatsResponse(
    long ListVersion,
    DateTime GeneratedAt,
    EntryStats Entries,
    ListStats Lists,
    AppealStats Appeals,
    ReportStats Reports,
    [property: Description("Lists whose entries were appealed, most overturned first, then most appealed; at most 50.")] IReadOnlyList<ListAppealStats> ListAppeals);

/// <summary>Every entry ever flagged, by kind, category and status; every known value is present, with 0 when none.</summary>
public sealed record EntryStats(
    int Total,
    IReadOnlyDictionary<string, int> ByKind,
    IReadOnlyDictionary<string, int> ByCategory,
    [property: Description("As lookups see it: an active entry past its expiry counts as expired.")] IReadOnlyDictionary<string, int> ByStatus);

public sealed record ListStats(
    int Total,
    int Retracted,
    [property: Description("The last 26 ISO weeks (UTC) of publishedAt, oldest first, with weeks without lists as zeros; retracted lists count in the week they were published.")]
    IReadOnlyList<WeekStats> PerWeek,
    [property: Description("Every agency that published a list, by name, with the lists it published (retracted ones included) and the entries they named.")]
    IReadOnlyList<AgencyStats> PerAgency);

public sealed record AgencyStats(string Agency, int Lists, int Entries);

/// <summary>Community reports: one row per identifier and reporter, however often that reporter repeated it.</summary>
public sealed record ReportStats(
    [property: Description("Reports received: one per identifier and reporter.")] int Received,
    [property: Description("Distinct reporters.")] int Reporters,
    int Pending,
    int Accepted,
    int Rejected,
    [property: Description("Distinct identifiers reported.")] int Identifiers);

/// <summary>Lists published in one ISO week (<c>2026-W22</c>) and the entries they named.</summary>
public sealed record WeekStats(string Week, int Lists, int Entries);

public sealed record AppealStats(
    int Total,
    [property: Description("Appeals waiting for a decision: submitted, in_review or needs_info.")] int Open,
    [property: Description("Open appeals past their dueBy.")] int Overdue,
    IReadOnlyDictionary<string, int> ByStatus,
    [property: Description("Appeals approved or rejected (withdrawn ones are not decisions).")] int Decided,
    int Approved,
    int Rejected,
    [property: Description("Median hours from filing to decision over every decided appeal; null before the first decision.")] double? MedianDecisionHours,
    [property: Description("The last 26 ISO weeks (UTC) of decisions (approved or rejected, by the week of decidedAt), oldest first, with weeks without decisions as zeros and nulls.")]
    IReadOnlyList<DecisionWeekStats> DecisionsPerWeek);

/// <summary>
/// The appeals decided in one ISO week (<c>2026-W22</c>): how long they took from filing to decision, and how many were
/// decided within the time promised when they were filed (<c>dueBy</c>, <c>Appeals:ServiceLevel</c> after filing).
/// </summary>
public sealed record DecisionWeekStats(
    string Week,
    [property: Description("Appeals approved or rejected in the week.")] int Decided,
    [property: Description("Median hours from filing to decision, rounded to 2 decimals; null when none was decided.")] double? MedianHours,
    [property: Description("90th percentile of the hours from filing to decision (linear between closest ranks, as Excel's PERCENTILE.INC), rounded to 2 decimals; null when none was decided.")]
    double? P90Hours,
    [property: Description("Decisions made by their appeal's dueBy.")] int WithinDueBy,
    [property: Description("withinDueBy / decided, rounded to 4 decimals; null when none was decided.")] double? WithinDueByShare);

/// <summary>How one list's entries fared on appeal: a sweep that caught many legitimate owners shows a high overturned share.</summary>
public sealed record ListAppealStats(
    long ListId,
    string Agency,
    string Reference,
    [property: Description("Entries the list named.")] int Entries,
    [property: Description("Distinct entries of the list with at least one appeal.")] int Appealed,
    [property: Description("Distinct entries of the list with an approved appeal.")] int Overturned,
    [property: Description("overturned / entries, rounded to 4 decimals.")] double OverturnedShare);
