namespace FlagApi.Protection;

/// <summary><c>POST /v1/protected</c>: an identifier of any kind in any spelling, and why it must never be flagged.</summary>
public sealed record ProtectRequest(string? Kind, string? Value, string? Reason);

/// <summary>A protected identifier: <c>value</c> is its canonical match key, <c>display</c> how the admin wrote it.</summary>
public sealed record ProtectedIdentifierResponse(
    long Id,
    string Kind,
    string Value,
    string Display,
    string Reason,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime? RemovedAt,
    string? RemovedBy);

/// <summary>One page of protected identifiers, by id; pass <c>nextAfter</c> as <c>after</c> for the next page (null on the last).</summary>
public sealed record ProtectedIdentifierPage(IReadOnlyList<ProtectedIdentifierResponse> Items, long? NextAfter);

/// <summary><c>POST /v1/protected/overrides</c>: the entry (kind and value, as a list row would give them) that may be flagged after all, and why.</summary>
public sealed record OverrideRequest(string? Kind, string? Value, string? Reason);

/// <summary>
/// An override: the entry it lets through (<c>value</c> is the entry's match key), and <c>protection</c>, the protected
/// identifier that would refuse it now (null once nothing would).
/// </summary>
public sealed record ProtectionOverrideResponse(
    long Id,
    string Kind,
    string Value,
    string Reason,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime? RemovedAt,
    string? RemovedBy,
    ProtectedSummary? Protection);

public sealed record ProtectedSummary(long Id, string Kind, string Value, string Display, string Reason);

public sealed record ProtectionOverridePage(IReadOnlyList<ProtectionOverrideResponse> Items, long? NextAfter);

/// <summary>The problem codes of protection (beside <see cref="Problems.ProblemCodes"/> and <c>invalid_&lt;kind&gt;</c>).</summary>
public static class ProtectionProblemCodes
{
    /// <summary>A list row or report that would flag a protected identifier or a public suffix; also an override asked for a public suffix.</summary>
    public const string ProtectedIdentifier = "protected_identifier";

    public const string AlreadyProtected = "already_protected";
    public const string AlreadyOverridden = "already_overridden";

    /// <summary>An override for an entry that protection would not refuse: nothing to override (often a typo).</summary>
    public const string NotProtected = "not_protected";

    public const string InvalidReason = "invalid_reason";
}
