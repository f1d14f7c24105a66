using System.ComponentModel;
using System.Text.Json.Serialization;
using FlagApi.Data;

namespace FlagApi.Appeals;

/// <summary>
/// <c>POST /v1/appeals</c>: the identifier as the appellant writes it, who they are, why the flag is wrong, and what shows it.
/// Attachments travel in the same JSON body, base64-encoded, so one request (and one rate-limit permit) files the whole appeal.
/// </summary>
public sealed record AppealRequest(
    string? Kind,
    string? Value,
    AppellantDetails? Appellant,
    string? Statement,
    [property: JsonConverter(typeof(EvidenceListConverter<EvidenceItem>))] IReadOnlyList<EvidenceItem?>? Evidence,
    IReadOnlyList<AttachmentUpload?>? Attachments,
    [property: Description("Optional, yyyy-MM-dd: for a reissued number, the date from which you hold it (\"new owner since\"). At least one source that flags it must be older (else 409 flag_not_older_than_ownership); a reviewer who verifies the date removes those older sources.")]
    string? OwnerSince = null,
    [property: Description("zh or en (a tag such as en-GB counts as en): the language of the messages the appellant receives. Without it, the first of zh and en that Accept-Language prefers, else zh.")]
    string? Language = null);

/// <summary>How a reviewer can reach the appellant; shown to reviewers only.</summary>
public sealed record AppellantDetails(string? Name, string? Contact);

/// <summary><c>{"type":"text","text":…}</c> or <c>{"type":"link","url":…}</c>; in a request, a plain string is the text item.</summary>
public sealed record EvidenceItem(string? Type, string? Text, string? Url) : ITextEvidence<EvidenceItem>
{
    public static EvidenceItem FromText(string text) => new("text", text, null);
}

/// <summary>A PNG, JPEG or PDF; its type is read from its content, whatever its name says.</summary>
public sealed record AttachmentUpload(string? FileName, string? ContentBase64);

/// <summary>
/// The answer to filing an appeal: 201 with a new appeal's <see cref="AccessToken"/>, shown here only (the server keeps a
/// hash); or 200 with the open appeal the same contact already has on the identifier, without a token and with a
/// <see cref="Detail"/> saying so. One shape for both, so a generated client reads either.
/// </summary>
public sealed record AppealReceipt(
    long Id,
    string TrackingCode,
    AppealStatus Status,
    DateTime DueBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only when the appeal was created (201): with the tracking code, it opens the appeal. Six groups of four letters and digits (XXXX-XXXX-XXXX-XXXX-XXXX-XXXX), none of them easily confused, to read aloud or write down; typed back in any case, with or without spaces and dashes. Keep it; it is not shown again.")]
    string? AccessToken = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only for an appeal that was already open (200): what to do instead.")]
    string? Detail = null);

/// <summary><c>POST /v1/appeals/{trackingCode}/messages</c>: text, files (the same rules as at filing), or both.</summary>
public sealed record AppealMessageRequest(string? Message, IReadOnlyList<AttachmentUpload?>? Attachments = null);

/// <summary><c>POST /v1/appeals/{trackingCode}/withdraw</c>; the reason is optional.</summary>
public sealed record AppealWithdrawRequest(string? Reason);

/// <summary>What the appellant sees of their appeal: never their contact, never a reviewer's identity or internal notes.</summary>
public sealed record AppellantAppealView(
    string TrackingCode,
    AppealStatus Status,
    string Kind,
    string Value,
    string Query,
    string Statement,
    IReadOnlyList<EvidenceItemView> Evidence,
    IReadOnlyList<AttachmentSummary> Attachments,
    DateTime CreatedAt,
    DateTime DueBy,
    IReadOnlyList<PublicAppealEvent> History,
    IReadOnlyList<InformationRequest> InformationRequests,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AppealDecisionView? Decision,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("The date from which you said you hold the identifier (\"new owner since\"), if you gave one.")]
    DateOnly? OwnerSince = null);

public sealed record EvidenceItemView(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url);

public sealed record AttachmentSummary(string FileName, string ContentType, long Size);

/// <summary>One step of the appeal as the appellant may see it; <see cref="By"/> is <c>you</c> or <c>reviewer</c>.</summary>
public sealed record PublicAppealEvent(
    DateTime At,
    string By,
    string Action,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AppealStatus? From,
    AppealStatus To,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("The files the appellant sent with this message; only on such a message.")]
    IReadOnlyList<AttachmentSummary>? Attachments = null);

/// <summary>A reviewer's question, and whether the appellant has answered since.</summary>
public sealed record InformationRequest(DateTime At, string? Message, bool Answered);

/// <summary>
/// The outcome (<c>approved</c>, <c>rejected</c>, or <c>resolved</c>: closed without a decision because the identifier stopped
/// being flagged another way) and its reason.
/// </summary>
public sealed record AppealDecisionView(
    AppealStatus Outcome,
    DateTime DecidedAt,
    string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only for a rejection: from when the same appellant may appeal this identifier again (Appeals:RejectionCooldown after the decision); before it, a new appeal is refused with 409 appeal_cooldown.")]
    DateTime? AppealAgainAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only for a rejection: what would change the decision (what evidence would help): the reviewer's words, or what helps for this kind of identifier.")]
    string? WhatWouldChange = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only for an approval as a verified new owner: the date from which your ownership was verified; the flags older than it were removed.")]
    DateOnly? OwnerSince = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only for an approval as a verified new owner: true when sources newer than that date still flag the identifier (it stays flagged by them), false when it was cleared.")]
    bool? StillFlagged = null);
