using System.ComponentModel;
using System.Text.Json.Serialization;
using FlagApi.Data;
using FlagApi.Identifiers;

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

/// <summary>The answer to one lookup (docs/api-v1.md: <c>{kind, query, canonical, verdict, flagged, matches[], reports, listVersion}</c>, and <c>notice</c> when flagged).</summary>
public sealed record LookupResponse(
    string Kind,
    string Query,
    string Canonical,
    Verdict Verdict,
    bool Flagged,
    IReadOnlyList<LookupMatch> Matches,
    ReportSignal Reports,
    long ListVersion,
    ProtectionNotice? Protected = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Present for kind phone: the number's type of line and region.")] PhoneDetails? Phone = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description(FlagNotice.Presence)] FlagNotice? Notice = null);

/// <summary>
/// What kind of line a looked-up phone number is and where, by libphonenumber's data and FlagApi's own China rules.
/// Facts to weigh, never a verdict: a virtual operator's range is not a flag.
/// </summary>
/// <param name="Type">The type of line; <c>unknown</c> for a possible number in a range the reference data does not (yet) know.</param>
/// <param name="Region">ISO 3166-1 alpha-2 region (CN, HK, MO, TW, MM…); null for a non-geographic number (+800) or a shared calling code in an unknown range.</param>
/// <param name="VirtualOperator">A Chinese mobile number in a virtual network operator's range (162, 165, 167, 170, 171).</param>
/// <param name="KnownRange">False when the number is possible but lies in a range the reference data does not know as assigned (new allocations come first).</param>
[Description("For a phone lookup: what kind of line the number is and where, by libphonenumber's data and FlagApi's own China rules (short service and 106 SMS sender numbers). Facts to weigh, never a verdict.")]
public sealed record PhoneDetails(
    [property: Description("The type of line: libphonenumber's number types, short_service and sms_sender for China's own; unknown for a possible number in a range the reference data does not (yet) know.")] PhoneNumberKind Type,
    [property: Description("ISO 3166-1 alpha-2 region (CN, HK, MO, TW, MM…); null for a non-geographic number (+800) or a calling code shared by several regions when the range is unknown.")] string? Region,
    [property: Description("A Chinese mobile number in a virtual network operator's range (162, 165, 167, 170, 171), which police statistics single out. An attribute, never a flag.")] bool VirtualOperator,
    [property: Description("False when the number is of a possible length but lies in a range the reference data does not know as assigned; such numbers are accepted because new allocations reach people before the data.")] bool KnownRange)
{
    public static PhoneDetails? Of(string canonical) =>
        Phones.Describe(canonical) is { } info ? new PhoneDetails(info.Kind, info.Region, info.VirtualOperator, info.KnownRange) : null;
}

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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProtectionNotice? Protected = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PhoneDetails? Phone = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description(FlagNotice.Presence)] FlagNotice? Notice = null);

public sealed record ItemError(string Code, string Detail);
