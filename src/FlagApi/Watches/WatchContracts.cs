using System.ComponentModel;
using System.Text.Json.Serialization;
using FlagApi.Data;

namespace FlagApi.Watches;

/// <summary>
/// <c>POST /v1/watches</c>: the identifier as the owner writes it, the address to tell, the language of the mails, and what
/// shows the identifier is theirs (for the reviewer who checks it).
/// </summary>
public sealed record WatchRequest(
    string? Kind,
    string? Value,
    [property: Description("The address the code and, once the watch is active, every notice are sent to.")] string? Email,
    [property: Description("zh or en (also zh-CN, en-GB…): the language of the mails. Anything else, or none: the request's Accept-Language, else zh.")] string? Language,
    [property: Description("How a reviewer can check that the identifier is yours: for a phone, e.g. that they may call it back, or the carrier and the name it is registered to.")] string? Statement);

/// <summary>
/// The answer to a subscription: the watch, and the <see cref="AccessToken"/> that reads and ends it, shown here only (the
/// server keeps a hash).
/// </summary>
public sealed record WatchReceipt(
    long Id,
    [property: Description("unconfirmed: a code was mailed to the address.")] string Status,
    [property: Description("Six groups of four letters and digits; send it as X-Watch-Token. Keep it; it is not shown again.")] string AccessToken,
    [property: Description("Until when the mailed code can be entered.")] DateTime CodeExpiresAt);

/// <summary><c>POST /v1/watches/{id}/confirm</c>: the code mailed to the address.</summary>
public sealed record WatchConfirmRequest(string? Code);

/// <summary>A watch as its owner sees it.</summary>
public sealed record WatchView(
    long Id,
    string Kind,
    [property: Description("The canonical identifier watched.")] string Value,
    [property: Description("The identifier as you typed it.")] string Query,
    string Email,
    string Language,
    [property: Description("unconfirmed, awaiting_proof, active, rejected or ended.")] string Status,
    DateTime CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("While unconfirmed: until when the mailed code can be entered.")]
    DateTime? CodeExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Once active: how a reviewer verified that the identifier is yours.")]
    Verification? Verification,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? VerifiedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("When rejected: why the proof was not accepted.")]
    string? DecisionReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? EndedAt);

/// <summary>The filters of <c>GET /v1/review/watches</c>, read as text so that a bad one is a problem naming it.</summary>
public sealed record WatchQueueRequest(
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "status")] string? Status,
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page")] string? Page,
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "pageSize")] string? PageSize);

public sealed record WatchQueuePage(IReadOnlyList<ReviewWatch> Items, int Page, int PageSize, int Total);

/// <summary>A watch as a reviewer checks it: who asked to be told, and what they say shows the identifier is theirs.</summary>
public sealed record ReviewWatch(
    long Id,
    string Kind,
    string Value,
    string Query,
    [property: Description("Reviewers only, never logged.")] string Email,
    string Language,
    string Status,
    string? Statement,
    DateTime CreatedAt,
    Verification? Verification,
    string? VerifiedBy,
    DateTime? VerifiedAt,
    string? DecisionReason,
    DateTime? EndedAt);

/// <param name="Verification">How the owner was shown to own the identifier (docs/api-v1.md says which proof each kind needs).</param>
/// <param name="Note">For reviewers only (the audit log keeps it).</param>
public sealed record WatchVerifyRequest(string? Verification, string? Note);

/// <param name="Reason">Required; the owner sees it.</param>
public sealed record WatchRejectRequest(string? Reason);
