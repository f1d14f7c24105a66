using FlagApi.Identifiers;

namespace FlagApi.Data;

/// <summary>One canonical identifier and its current state. History and change log rows record every change to it.</summary>
public sealed class Entry
{
    public long Id { get; set; }

    public IdentifierKind Kind { get; set; }

    /// <summary>The canonical match key (for URLs, the Safe Browsing expression without scheme).</summary>
    public required string Value { get; set; }

    /// <summary>The identifier as a source first wrote it.</summary>
    public required string Display { get; set; }

    public Category Category { get; set; }

    public Risk Risk { get; set; }

    public EntryStatus Status { get; set; }

    public DateTime FirstSeen { get; set; }

    public DateTime LastSeen { get; set; }

    public DateTime? ExpiresAt { get; set; }

    /// <summary>The list version of the last change to this entry.</summary>
    public long Version { get; set; }

    public List<EntrySource> Sources { get; set; } = [];
}

/// <summary>Why an entry is flagged: a published list (or, later, an accepted report).</summary>
public sealed class EntrySource
{
    public long Id { get; set; }

    public long EntryId { get; set; }

    public long? ListId { get; set; }

    public PublishedList? List { get; set; }

    /// <summary><c>list</c>, <c>report</c>, or <c>legacy</c> for sources carried over from schema 0001.</summary>
    public required string SourceType { get; set; }

    public required string Label { get; set; }

    public string? Note { get; set; }

    /// <summary>What the source said about the entry: its spelling, category, risk and expiry (null for legacy sources).</summary>
    public string? Display { get; set; }

    public Category? Category { get; set; }

    public Risk? Risk { get; set; }

    public DateTime? ExpiresAt { get; set; }

    public DateTime AddedAt { get; set; }

    public DateTime? RemovedAt { get; set; }
}

/// <summary>Append-only: who changed an entry, when, why, and its state before and after (JSON).</summary>
public sealed class EntryHistory
{
    public long Id { get; set; }

    public long EntryId { get; set; }

    public long Version { get; set; }

    public DateTime At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public string? Reason { get; set; }

    public string? Before { get; set; }

    public required string After { get; set; }
}

/// <summary>One numbered change to the flagged list; the version is the list version after it.</summary>
public sealed class ChangeLogRow
{
    public long Version { get; set; }

    public long EntryId { get; set; }

    public required string Op { get; set; }

    public IdentifierKind Kind { get; set; }

    public required string Value { get; set; }

    public Category Category { get; set; }

    public Risk Risk { get; set; }

    public EntryStatus Status { get; set; }

    public DateTime At { get; set; }
}

/// <summary>A numbered list as its agency published it.</summary>
public sealed class PublishedList
{
    public long Id { get; set; }

    public required string Agency { get; set; }

    public required string Reference { get; set; }

    public string? Title { get; set; }

    /// <summary><c>import</c> (the command line) or <c>api</c>.</summary>
    public required string Origin { get; set; }

    /// <summary>SHA-256 of the normalized rows, so a repeated upload can be told from a different one under the same reference.</summary>
    public required string ContentSha256 { get; set; }

    public int EntryCount { get; set; }

    public DateTime PublishedAt { get; set; }

    public required string PublishedBy { get; set; }

    /// <summary>The date the agency gives the list (its own publication date), if it gave one.</summary>
    public DateOnly? PublishedOn { get; set; }

    /// <summary>The answer to the first upload (JSON), returned again to a client that re-sends the same list.</summary>
    public string? Result { get; set; }

    public long Version { get; set; }

    public DateTime? RetractedAt { get; set; }

    public string? RetractedBy { get; set; }

    public string? RetractionReason { get; set; }

    /// <summary>The list version of the retraction.</summary>
    public long? RetractionVersion { get; set; }

    /// <summary>The reason the publisher gives for flagging this list's entries, in plain words, shown in every flagged lookup's notice.</summary>
    public string? NoticeReason { get; set; }

    /// <summary>Where a person affected can reach the publisher (the contact the law requires), shown in the notice.</summary>
    public string? NoticeContact { get; set; }
}

/// <summary>An API key; only a hash of its secret is stored, and a short prefix to recognise it by.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public required string Role { get; set; }

    /// <summary>The agency a publisher key publishes for; null for other roles.</summary>
    public string? Agency { get; set; }

    /// <summary>A rate-limit tier that overrides the role's (<c>RateLimiting:Tiers</c>).</summary>
    public string? Tier { get; set; }

    public required string Prefix { get; set; }

    public required string KeyHash { get; set; }

    public DateTime CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }
}

/// <summary>Append-only record of every write that is not an entry change: keys, lists, protection.</summary>
public sealed class AuditRecord
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string SubjectType { get; set; }

    public required string SubjectId { get; set; }

    /// <summary>JSON with what changed.</summary>
    public string? Detail { get; set; }
}

/// <summary>An identifier that must never be flagged by mistake (an official service number, a major platform's domain).</summary>
public sealed class ProtectedIdentifier
{
    public long Id { get; set; }

    public IdentifierKind Kind { get; set; }

    /// <summary>The canonical match key, as entries store it.</summary>
    public required string Value { get; set; }

    public required string Display { get; set; }

    public required string Reason { get; set; }

    public DateTime CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime? RemovedAt { get; set; }

    public string? RemovedBy { get; set; }
}

/// <summary>An admin's decision that one entry may be flagged although protection would refuse it.</summary>
public sealed class ProtectionOverride
{
    public long Id { get; set; }

    public IdentifierKind Kind { get; set; }

    public required string Value { get; set; }

    public required string Reason { get; set; }

    public DateTime CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime? RemovedAt { get; set; }

    public string? RemovedBy { get; set; }
}

/// <summary>The single row holding the current list version; bumping it serializes writers.</summary>
public sealed class ListState
{
    public int Id { get; set; }

    public long Version { get; set; }
}

/// <summary>The change-log operations of the feed (docs/api-v1.md: <c>op</c> is add, update or remove).</summary>
public static class ChangeOps
{
    public const string Add = "add";
    public const string Update = "update";
    public const string Remove = "remove";
}

/// <summary>An appeal against the flag on one entry, by someone who says the identifier is theirs.</summary>
public sealed class Appeal
{
    public long Id { get; set; }

    /// <summary>Short and unambiguous to read over a phone (<c>AP-7KQ4-M2XD</c>).</summary>
    public required string TrackingCode { get; set; }

    /// <summary>SHA-256 of the access token the appellant was given once.</summary>
    public required string TokenHash { get; set; }

    public long EntryId { get; set; }

    public IdentifierKind Kind { get; set; }

    /// <summary>The entry's canonical match key.</summary>
    public required string Value { get; set; }

    /// <summary>The identifier as the appellant typed it.</summary>
    public required string Query { get; set; }

    public required string AppellantName { get; set; }

    /// <summary>Shown to reviewers only, never logged.</summary>
    public required string AppellantContact { get; set; }

    /// <summary>SHA-256 of the normalized contact: one open appeal per identifier and contact, and the cool-down after a rejection.</summary>
    public required string ContactHash { get; set; }

    public required string Statement { get; set; }

    /// <summary>JSON: the appellant's evidence (text and links).</summary>
    public string? Evidence { get; set; }

    public AppealStatus Status { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime DueBy { get; set; }

    public string? AssignedTo { get; set; }

    public DateTime? DecidedAt { get; set; }

    public string? DecidedBy { get; set; }

    public string? DecisionReason { get; set; }

    public Verification? Verification { get; set; }

    public string? VerificationNote { get; set; }

    /// <summary>Bumped by every change; the appeal's ETag, so a decision on a stale view is refused (412).</summary>
    public long Revision { get; set; }

    /// <summary>The language the appeal was filed in (<c>zh</c> or <c>en</c>): its notifications are written in it.</summary>
    public string Language { get; set; } = "zh";

    /// <summary>For a reissued number: the date from which the appellant says they hold it ("new owner since").</summary>
    public DateOnly? OwnerSince { get; set; }

    /// <summary>A rejection's word to the appellant on what would change the decision (what evidence would help).</summary>
    public string? WhatWouldChange { get; set; }

    /// <summary>For an approval as a verified new owner: the date every older source of the entry was removed from.</summary>
    public DateOnly? VerifiedOwnerSince { get; set; }

    /// <summary>For an approval as a verified new owner: the newer sources that still flagged the entry (0: it was cleared).</summary>
    public int? SourcesKept { get; set; }
}

/// <summary>Append-only: each state change or message of an appeal.</summary>
public sealed class AppealEvent
{
    public long Id { get; set; }

    public long AppealId { get; set; }

    public DateTime At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public AppealStatus? FromStatus { get; set; }

    public AppealStatus ToStatus { get; set; }

    /// <summary>What the appellant sees (a request for information, their own message, a decision's reason).</summary>
    public string? PublicMessage { get; set; }

    /// <summary>For reviewers only.</summary>
    public string? InternalNote { get; set; }
}

public sealed class AppealAttachment
{
    public long Id { get; set; }

    public long AppealId { get; set; }

    public required string FileName { get; set; }

    public required string ContentType { get; set; }

    public long Size { get; set; }

    public required string Sha256 { get; set; }

    public required byte[] Content { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A community report: one row per identifier and reporter, however often that reporter repeats it.
/// Reports never flag by themselves (docs/product.md); a reviewer's acceptance makes them sources of an entry.
/// </summary>
public sealed class Report
{
    public long Id { get; set; }

    public IdentifierKind Kind { get; set; }

    /// <summary>The canonical match key, as entries store it.</summary>
    public required string Value { get; set; }

    /// <summary>The identifier as the reporter wrote it (the latest report).</summary>
    public required string Query { get; set; }

    public Category? Category { get; set; }

    public required string Description { get; set; }

    public DateTime? OccurredAt { get; set; }

    /// <summary>JSON: evidence text and links.</summary>
    public string? Evidence { get; set; }

    /// <summary>A keyed hash of who reported: the app key and the user id it forwards, or the client address.</summary>
    public required string ReporterHash { get; set; }

    /// <summary><c>anonymous</c> or <c>app</c>.</summary>
    public required string ReporterType { get; set; }

    /// <summary>A keyed hash of the client's network (IPv4 /24, IPv6 /48), to show reviewers a burst from many addresses.</summary>
    public required string NetworkHash { get; set; }

    /// <summary>How many times this reporter sent it.</summary>
    public int Times { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime LastAt { get; set; }

    /// <summary><c>pending</c>, <c>accepted</c> or <c>rejected</c>.</summary>
    public required string Status { get; set; }

    public DateTime? DecidedAt { get; set; }

    public string? DecidedBy { get; set; }

    public string? DecisionReason { get; set; }

    public long? EntryId { get; set; }
}

/// <summary>
/// A message in the outbox: written in the transaction of the event that causes it, with its text as it will be sent,
/// and delivered by the background sender, which records each attempt.
/// </summary>
public sealed class Notification
{
    public long Id { get; set; }

    /// <summary><c>email</c> or <c>sms</c>.</summary>
    public required string Channel { get; set; }

    /// <summary>The address or phone number; never logged.</summary>
    public required string Recipient { get; set; }

    /// <summary><c>zh</c> or <c>en</c>.</summary>
    public required string Language { get; set; }

    /// <summary>What the message is about, e.g. <c>appeal.filed</c>.</summary>
    public required string Template { get; set; }

    public required string Subject { get; set; }

    public required string Body { get; set; }

    /// <summary>What caused it (<c>appeal</c>, <c>watch</c>) and that thing's id.</summary>
    public required string SubjectType { get; set; }

    public required string SubjectId { get; set; }

    /// <summary>The same on every attempt, so a receiver can tell a repeated delivery from a new message.</summary>
    public required string MessageId { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary><c>pending</c>, <c>sent</c> or <c>failed</c> (given up after the last attempt).</summary>
    public required string Status { get; set; }

    public int Attempts { get; set; }

    public DateTime NextAttemptAt { get; set; }

    /// <summary>While a sender holds it: no other sender takes it before then.</summary>
    public DateTime? ClaimedUntil { get; set; }

    public string? LastError { get; set; }

    public DateTime? SentAt { get; set; }
}

/// <summary>An owner's request to be told by e-mail when an identifier they own is flagged.</summary>
public sealed class Watch
{
    public long Id { get; set; }

    public IdentifierKind Kind { get; set; }

    /// <summary>The canonical match key, as entries store it.</summary>
    public required string Value { get; set; }

    /// <summary>The identifier as the owner typed it.</summary>
    public required string Query { get; set; }

    public required string Email { get; set; }

    /// <summary>SHA-256 of the normalized address: one open watch per identifier and address.</summary>
    public required string EmailHash { get; set; }

    public required string Language { get; set; }

    public required string Status { get; set; }

    /// <summary>SHA-256 of the token that manages the watch (read, end), given to the owner once.</summary>
    public required string TokenHash { get; set; }

    /// <summary>SHA-256 of the code sent to the address, while it is unconfirmed.</summary>
    public string? CodeHash { get; set; }

    public DateTime? CodeExpiresAt { get; set; }

    public int CodeAttempts { get; set; }

    /// <summary>What the owner says shows they own the identifier, for the reviewer who verifies it.</summary>
    public string? Statement { get; set; }

    public Verification? Verification { get; set; }

    public string? VerifiedBy { get; set; }

    public DateTime? VerifiedAt { get; set; }

    /// <summary>Why a reviewer did not accept the proof of ownership; the owner sees it.</summary>
    public string? DecisionReason { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? EndedAt { get; set; }

    public long Revision { get; set; }
}

/// <summary>How far a named reader of the change log has read.</summary>
public sealed class ChangeLogReader
{
    public required string Name { get; set; }

    public long Version { get; set; }
}
