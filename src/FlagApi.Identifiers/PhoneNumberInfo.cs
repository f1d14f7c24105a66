namespace FlagApi.Identifiers;

/// <summary>What kind of line a phone number is: libphonenumber's number types, and China's numbers it does not carry.</summary>
public enum PhoneNumberKind
{
    Unknown,
    Mobile,
    FixedLine,
    FixedLineOrMobile,
    TollFree,
    SharedCost,
    PremiumRate,
    Voip,
    PersonalNumber,
    Pager,
    Uan,
    Voicemail,
    ShortService,
    SmsSender,
}

/// <summary>What is known of a canonical phone number.</summary>
/// <param name="Kind">The type of line; <see cref="PhoneNumberKind.Unknown"/> for a possible number in a range the reference does not know.</param>
/// <param name="Region">ISO 3166-1 alpha-2 region (CN, HK, MO, TW, MM…), or null where the calling code is shared and the range unknown, or not geographic (+800).</param>
/// <param name="VirtualOperator">A Chinese mobile number of a virtual network operator's range (162, 165, 167, 170, 171).</param>
/// <param name="KnownRange">The reference (or FlagApi's own China rules) knows the number's range as assigned.</param>
public sealed record PhoneNumberInfo(PhoneNumberKind Kind, string? Region, bool VirtualOperator, bool KnownRange)
{
    /// <summary>The type's name on the wire: <c>mobile</c>, <c>fixed_line</c>, <c>short_service</c>, <c>sms_sender</c>…</summary>
    public string Type => Wire(Kind);

    public static IReadOnlyList<string> WireTypes { get; } = [.. Enum.GetValues<PhoneNumberKind>().Select(Wire)];

    public static string Wire(PhoneNumberKind kind) => kind switch
    {
        PhoneNumberKind.Unknown => "unknown",
        PhoneNumberKind.Mobile => "mobile",
        PhoneNumberKind.FixedLine => "fixed_line",
        PhoneNumberKind.FixedLineOrMobile => "fixed_line_or_mobile",
        PhoneNumberKind.TollFree => "toll_free",
        PhoneNumberKind.SharedCost => "shared_cost",
        PhoneNumberKind.PremiumRate => "premium_rate",
        PhoneNumberKind.Voip => "voip",
        PhoneNumberKind.PersonalNumber => "personal_number",
        PhoneNumberKind.Pager => "pager",
        PhoneNumberKind.Uan => "uan",
        PhoneNumberKind.Voicemail => "voicemail",
        PhoneNumberKind.ShortService => "short_service",
        PhoneNumberKind.SmsSender => "sms_sender",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
