using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace FlagApi.Reports;

/// <summary>
/// The filters of <c>GET /v1/reports</c>, as sent. Everything is read as text so that a bad value is a problem
/// naming it, not a generic binding failure.
/// </summary>
public sealed record ReportQueueRequest(
    [FromQuery(Name = "status")] string? Status,
    [FromQuery(Name = "kind")] string? Kind,
    [FromQuery(Name = "category")] string? Category,
    [FromQuery(Name = "maxAgeHours")] string? MaxAgeHours,
    [FromQuery(Name = "minAgeHours")] string? MinAgeHours,
    [FromQuery(Name = "page")] string? Page,
    [FromQuery(Name = "pageSize")] string? PageSize);

/// <summary>One page of the review queue: identifiers with the most distinct reporters first, then the most recently reported.</summary>
public sealed record ReportQueuePage(IReadOnlyList<ReportGroup> Items, int Page, int PageSize, int Total);

/// <summary>Every report of one status against one identifier.</summary>
public sealed record ReportGroup(
    string Kind,
    [property: Description("The canonical identifier, as entries hold it.")] string Value,
    [property: Description("Distinct reporters (a reporter who repeats a report counts once).")] int Reporters,
    [property: Description("Every report, repeats included.")] int Times,
    DateTime FirstAt,
    DateTime LastAt,
    [property: Description("The category most reporters chose; null when none chose one.")] string? TopCategory,
    [property: Description("Distinct client networks (IPv4 /24, IPv6 /48) the reports came from.")] int Networks,
    [property: Description("Reporters whose latest report arrived within the burst window (ReportReview:BurstWindow, default one hour).")] int RecentReporters,
    [property: Description("Distinct networks among those recent reporters.")] int RecentNetworks,
    [property: Description("True when RecentNetworks reaches ReportReview:BurstNetworks: many addresses reporting one identifier at once.")] bool Burst,
    [property: Description("Every report id of the group, oldest first; a decision on any of them decides them all.")] IReadOnlyList<long> ReportIds,
    [property: Description("The latest descriptions (ReportReview:Descriptions of them), newest first.")] IReadOnlyList<ReportDescription> Descriptions,
    [property: Description("The entry for this identifier, if there is one; a cleared entry cannot be flagged by reports.")] ReportedEntry? Entry,
    [property: Description("Why this identifier may not be flagged (a protected identifier or a public suffix), or null.")] string? Protection);

public sealed record ReportDescription(long Id, DateTime At, string? Category, string Description);

public sealed record ReportedEntry(long Id, [property: Description("active, cleared, expired or retracted.")] string Status, string Category, string Risk);

/// <summary>The body of <c>POST /v1/reports/{id}/decision</c> (docs/api-v1.md: <c>{"decision":"accept|reject","category","risk","reason"}</c>).</summary>
public sealed record ReportDecisionRequest(
    [property: Description("accept or reject.")] string? Decision,
    [property: Description("Required to accept: the entry's category.")] string? Category,
    [property: Description("Required to accept: low, medium or high.")] string? Risk,
    [property: Description("Why; required. Recorded in the entry's history and with every report.")] string? Reason);

/// <summary>What a decision did: the reports it decided and, for an acceptance, the entry they now flag.</summary>
public sealed record ReportDecisionResponse(
    [property: Description("accepted or rejected.")] string Decision,
    string Kind,
    string Value,
    [property: Description("The reports decided: every pending report of the identifier.")] IReadOnlyList<long> ReportIds,
    [property: Description("The entry the reports now flag; null for a rejection.")] long? EntryId,
    [property: Description("The list version of the change; null for a rejection.")] long? ListVersion);

public static class ReportReviewProblemCodes
{
    public const string InvalidRisk = "invalid_risk";
    public const string MissingCategory = "missing_category";
    public const string MissingRisk = "missing_risk";

    /// <summary>The identifier's entry was cleared (an approved appeal): only a publisher list may flag it again.</summary>
    public const string EntryCleared = "entry_cleared";

    /// <summary>Every report of the identifier was decided already.</summary>
    public const string AlreadyDecided = "already_decided";
}
