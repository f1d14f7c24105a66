using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlagApi.Data;
using FlagApi.Entries;
using Microsoft.AspNetCore.Mvc;

namespace FlagApi.Appeals;

/// <summary>
/// The filters of <c>GET /v1/appeals</c>, as sent. Everything is read as text so that a bad value is a
/// problem naming it, not a generic binding failure.
/// </summary>
public sealed record AppealQueueRequest(
    [FromQuery(Name = "status")] string? Status,
    [FromQuery(Name = "overdue")] string? Overdue,
    [FromQuery(Name = "kind")] string? Kind,
    [FromQuery(Name = "category")] string? Category,
    [FromQuery(Name = "listId")] string? ListId,
    [FromQuery(Name = "assignedTo")] string? AssignedTo,
    [FromQuery(Name = "page")] string? Page,
    [FromQuery(Name = "pageSize")] string? PageSize);

/// <summary>One page of the queue: overdue open appeals first, then by due time.</summary>
public sealed record AppealQueuePage(IReadOnlyList<AppealQueueItem> Items, int Page, int PageSize, int Total);

public sealed record AppealQueueItem(
    long Id,
    string TrackingCode,
    string Kind,
    string Value,
    AppealStatus Status,
    DateTime CreatedAt,
    DateTime DueBy,
    [property: Description("Open and past its due time.")] bool Overdue,
    string? AssignedTo,
    [property: Description("The appealed entry's category.")] Category Category,
    [property: Description("The lists that flagged the entry (retracted ones included).")] IReadOnlyList<long> ListIds,
    [property: Description("Reviewers only; absent for a publisher's read-only view.")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    Appellant? Appellant);

/// <summary>Who appealed. Shown to reviewers only, never logged.</summary>
public sealed record Appellant(string Name, string Contact);

/// <summary>An appeal as a reviewer works on it: the appellant's case, its history, and the entry it contests.</summary>
public sealed record ReviewAppealDetail(
    long Id,
    string TrackingCode,
    string Kind,
    string Value,
    [property: Description("The identifier as the appellant typed it.")] string Query,
    AppealStatus Status,
    DateTime CreatedAt,
    DateTime DueBy,
    bool Overdue,
    string? AssignedTo,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Appellant? Appellant,
    string Statement,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("The date from which the appellant says they hold a reissued identifier (\"new owner since\"), if they gave one.")]
    DateOnly? OwnerSince,
    [property: Description("The appellant's evidence (text and links) as they sent it.")] JsonElement? Evidence,
    IReadOnlyList<AppealAttachmentInfo> Attachments,
    AppealDecisionInfo? Decision,
    [property: Description("The appeal's revision; its ETag, which a decision sends back in If-Match.")] long Revision,
    IReadOnlyList<AppealEventRecord> Events,
    EntryDetail Entry);

public sealed record AppealAttachmentInfo(long Id, string FileName, string ContentType, long Size, string Sha256, DateTime CreatedAt);

public sealed record AppealDecisionInfo(
    [property: Description("approved, rejected, or resolved (closed because the entry stopped being flagged another way).")] AppealStatus Outcome,
    DateTime DecidedAt,
    string DecidedBy,
    [property: Description("Public: the appellant sees it.")] string Reason,
    Verification? Verification,
    string? VerificationNote,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("A rejection: the reviewer's word on what would change the decision, as the appellant sees it; absent when the reviewer gave none (the appellant then sees the default of the kind).")]
    string? WhatWouldChange = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("An approval as a verified new owner: the date the entry's older sources were removed from.")]
    DateOnly? OwnerSince = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("An approval as a verified new owner: the newer sources that still flag the entry (0: it was cleared).")]
    int? SourcesKept = null);

/// <summary>One state change or message; <see cref="InternalNote"/> is for reviewers only.</summary>
public sealed record AppealEventRecord(
    DateTime At,
    string Actor,
    string Action,
    AppealStatus? FromStatus,
    AppealStatus ToStatus,
    string? PublicMessage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? InternalNote);

/// <summary>Takes an appeal: <paramref name="Reviewer"/> defaults to the caller.</summary>
public sealed record AssignRequest(string? Reviewer);

/// <param name="Message">What the appellant is asked for; public (the appellant sees it).</param>
public sealed record RequestInfoRequest(string? Message);

/// <param name="Decision"><c>approve</c> or <c>reject</c>.</param>
/// <param name="Reason">Required; public (the appellant sees it).</param>
/// <param name="Verification">Required to approve: how the appellant was verified as the legitimate owner.</param>
/// <param name="Note">For reviewers only, e.g. how the verification went.</param>
/// <param name="OwnerSince">
/// Only to approve, as a verified new owner of a reissued identifier since this date (yyyy-MM-dd): only the entry's sources
/// dated before it are removed; the entry is cleared when none is left, and stays flagged by the newer ones otherwise.
/// </param>
/// <param name="WhatWouldChange">Only to reject, optional; public: what would change the decision (what evidence would help).</param>
public sealed record DecisionRequest(
    string? Decision, string? Reason, string? Verification, string? Note, string? OwnerSince = null, string? WhatWouldChange = null);

/// <summary>Appeals chosen for a bulk decision: by id, or by the list that flagged their entries.</summary>
public sealed record BulkDecisionRequest(
    IReadOnlyList<long>? AppealIds,
    BulkDecisionFilter? Filter,
    string? Decision,
    string? Reason,
    string? Verification,
    string? Note);

/// <param name="ListId">Appeals against entries this list flagged (the sweep case).</param>
/// <param name="Status">Only appeals in this status; all of the list's appeals when absent (closed ones are then reported as skipped).</param>
/// <param name="Kind">Only appeals against identifiers of this kind.</param>
public sealed record BulkDecisionFilter(long? ListId, string? Status, string? Kind);

public sealed record BulkDecisionResponse(string Decision, int Decided, int Skipped, IReadOnlyList<BulkDecisionOutcome> Results);

/// <param name="Outcome"><c>decided</c> or <c>skipped</c>.</param>
/// <param name="Status">The appeal's status after.</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record BulkDecisionOutcome(
    long Id,
    string? TrackingCode,
    string Outcome,
    AppealStatus? Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

/// <summary>The codes of the reviewer endpoints' problems.</summary>
public static class ReviewProblemCodes
{
    public const string InvalidVerification = "invalid_verification";
    public const string MissingMessage = "missing_message";
    public const string MissingVerification = "missing_verification";
    public const string MissingSelection = "missing_selection";
    public const string TooManyAppeals = "too_many_appeals";
    public const string InvalidTransition = "invalid_transition";
    public const string PreconditionRequired = "precondition_required";
    public const string StaleAppeal = "stale_appeal";
    public const string NotYourAppeal = "not_your_appeal";
}
