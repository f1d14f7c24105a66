using PhoneNumbers;
using Possibility = PhoneNumbers.PhoneNumberUtil.ValidationResult;

namespace FlagApi.Identifiers;

/// <summary>
/// Phone numbers to E.164 (docs/product.md: kind <c>phone</c>), e.g. <c>+8613800138000</c>, by Google's libphonenumber for every
/// country; Chinese short service and SMS sender numbers become <c>+86</c> and their digits (<c>+8695555</c>).
/// </summary>
/// <remarks>
/// FlagApi reads what people type (<see cref="PhoneText"/>: any width of digits and spaces, <c>tel:</c>, "(0)", no
/// letters, text or extensions) and hands the digits to the reference: its international and trunk prefixes, its
/// possible lengths and its ranges. A number of a possible length in a range the reference does not know as assigned
/// is accepted, since its data lags new allocations; one of an impossible length for its country or its area code is
/// refused with the rule it breaks. Decisions of FlagApi's own:
/// <list type="bullet">
/// <item>Inside China a landline is written with the trunk 0 before its area code: "(202) 555-0143" is an American
/// number, not Guangzhou's 020.</item>
/// <item>China's short service, SMS sender and city service numbers (<see cref="PhoneChinaRules"/>).</item>
/// <item>After an IP-dial prefix (17951, 12593…) a landline keeps its trunk 0 ("17951 0755 1234 5678").</item>
/// </list>
/// Canonical output read again gives itself, whatever the region.
/// </remarks>
public static class Phones
{
    private const string Code = "invalid_phone";

    public static CanonicalResult Canonicalize(string input, string defaultRegion = "CN")
    {
        ArgumentNullException.ThrowIfNull(input);

        var error = PhoneText.Read(input, out var phone);
        if (error is not null)
        {
            return Invalid(error);
        }

        var digits = phone.Digits;
        if (digits.Length == 0)
        {
            return Invalid("The value has no digits.");
        }

        if (digits.AsSpan().IndexOfAnyExcept('0') < 0)
        {
            return Invalid("The number is all zeros.");
        }

        if (phone.HasPlus)
        {
            // "+0086 …": the plus and the international prefix 00 written together.
            return International(phone, digits.StartsWith("00", StringComparison.Ordinal) ? 2 : 0);
        }

        var region = PhoneReference.Region(defaultRegion);
        if (region is null)
        {
            return Invalid($"The default phone region '{defaultRegion}' is not a region FlagApi knows, so a number without a country code cannot be read; write it with + and the country code.");
        }

        var callingCode = region.CountryCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (callingCode == PhoneChinaRules.CallingCode && ChinaFastPath(digits) is { } fast)
        {
            return fast;
        }

        var prefixLength = PhoneReference.InternationalPrefixLength(region, digits);
        if (prefixLength > 0)
        {
            return International(phone, prefixLength);
        }

        return National(region, callingCode, digits, phone.ParenthesizedZero);
    }

    /// <summary>Whether numbers without a country code can be read by the plan of <paramref name="region"/> (ISO 3166-1 alpha-2).</summary>
    public static bool IsKnownRegion(string? region) => PhoneReference.Region(region) is not null;

    /// <summary>What the reference and FlagApi know of a canonical phone number; null when <paramref name="canonical"/> is not one.</summary>
    public static PhoneNumberInfo? Describe(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        if (canonical.Length < 3 || canonical[0] != '+' || PhoneReference.ReadCallingCode(canonical.AsSpan(1)) is not { } code)
        {
            return null;
        }

        var nsn = canonical[(1 + code.Length)..];
        if (nsn.Length == 0 || nsn.AsSpan().IndexOfAnyExceptInRange('0', '9') >= 0 || nsn.Length > PhoneChinaRules.MaxSmsSenderDigits)
        {
            return null;
        }

        var china = code == PhoneChinaRules.CallingCode;
        if (china && PhoneChinaRules.IsShortService(nsn))
        {
            return new PhoneNumberInfo(PhoneNumberKind.ShortService, "CN", false, true);
        }

        if (code.Length + nsn.Length > PhoneReference.MaxE164Digits && !PhoneReference.IsValid(code, nsn))
        {
            return china && PhoneChinaRules.IsSmsSender(nsn) ? new PhoneNumberInfo(PhoneNumberKind.SmsSender, "CN", false, true) : null;
        }

        var (type, region) = PhoneReference.Classify(code, nsn);
        var valid = type != PhoneNumberType.UNKNOWN;
        var kind = Kind(type);
        if (!valid && china)
        {
            if (PhoneChinaRules.IsSmsSender(nsn))
            {
                return new PhoneNumberInfo(PhoneNumberKind.SmsSender, "CN", false, true);
            }

            if (PhoneChinaRules.IsCityServiceNumber(nsn))
            {
                return new PhoneNumberInfo(PhoneNumberKind.ShortService, "CN", false, true);
            }
        }

        var virtualOperator = china && PhoneChinaRules.IsVirtualOperator(nsn);
        return new PhoneNumberInfo(kind, region ?? PhoneReference.OnlyRegionOf(code), virtualOperator, valid);
    }

    private static PhoneNumberKind Kind(PhoneNumberType type) => type switch
    {
        PhoneNumberType.MOBILE => PhoneNumberKind.Mobile,
        PhoneNumberType.FIXED_LINE => PhoneNumberKind.FixedLine,
        PhoneNumberType.FIXED_LINE_OR_MOBILE => PhoneNumberKind.FixedLineOrMobile,
        PhoneNumberType.TOLL_FREE => PhoneNumberKind.TollFree,
        PhoneNumberType.PREMIUM_RATE => PhoneNumberKind.PremiumRate,
        PhoneNumberType.SHARED_COST => PhoneNumberKind.SharedCost,
        PhoneNumberType.VOIP => PhoneNumberKind.Voip,
        PhoneNumberType.PERSONAL_NUMBER => PhoneNumberKind.PersonalNumber,
        PhoneNumberType.PAGER => PhoneNumberKind.Pager,
        PhoneNumberType.UAN => PhoneNumberKind.Uan,
        PhoneNumberType.VOICEMAIL => PhoneNumberKind.Voicemail,
        _ => PhoneNumberKind.Unknown,
    };

    /// <summary>
    /// The spellings that make up most of what Chinese lists and lookups carry, decided without the reference's
    /// patterns: a mobile number alone, after 0, 86 or 0086, and short service and SMS sender numbers.
    /// </summary>
    private static CanonicalResult? ChinaFastPath(string digits)
    {
        if (PhoneChinaRules.IsMobileShape(digits) || PhoneChinaRules.IsShortService(digits) || PhoneChinaRules.IsSmsSender(digits))
        {
            return E164(PhoneChinaRules.CallingCode, digits);
        }

        var mobileAt = digits.Length - 11;
        if (mobileAt > 0 && PhoneChinaRules.IsMobileShape(digits.AsSpan(mobileAt))
            && digits.AsSpan(0, mobileAt) is "0" or "86" or "0086")
        {
            return E164(PhoneChinaRules.CallingCode, digits[mobileAt..]);
        }

        return null;
    }

    private static CanonicalResult International(PhoneDigits phone, int start)
    {
        var digits = phone.Digits;
        if (start == digits.Length)
        {
            return Invalid("There are no digits after the international prefix.");
        }

        if (digits[start] == '0')
        {
            return Invalid("A country calling code never starts with 0.");
        }

        var code = PhoneReference.ReadCallingCode(digits.AsSpan(start));
        if (code is null)
        {
            var shown = digits.Substring(start, Math.Min(3, digits.Length - start));
            return Invalid($"No country calling code assigned by the ITU begins the number (it starts +{shown}).");
        }

        var nationalStart = start + code.Length;
        if (phone.ParenthesizedZero == nationalStart)
        {
            // "+44 (0)20 …", "+86 (0)10 …": the trunk prefix is shown in parentheses because it is dialled
            // only from inside the country.
            nationalStart++;
        }

        var national = digits[nationalStart..];
        if (national.Length == 0)
        {
            return Invalid($"There are no digits after the country code +{code}.");
        }

        var metadata = PhoneReference.MetadataFor(code);
        if (code == PhoneChinaRules.CallingCode)
        {
            if (ChinaSpecial(national) is { } special)
            {
                return special;
            }

            // No Chinese national significant number starts with 0, so a 0 right after +86 is the trunk
            // prefix written out of habit ("+86 010 8765 4321").
            if (national[0] == '0')
            {
                national = national[1..];
                if (national.Length == 0)
                {
                    return Invalid($"There are no digits after the country code +{code}.");
                }

                if (national[0] == '0')
                {
                    return Invalid("A Chinese number has at most one leading 0 (the trunk prefix); the area code or mobile number after it never starts with 0.");
                }
            }

            return Classify(code, metadata, national);
        }

        // A trunk prefix written after the country code ("+44 020 7946 0958", "+254 0724 040680") is dropped as the
        // reference drops it, so each number has one canonical form however it was written.
        var nsn = PhoneReference.StripNationalPrefix(metadata, national, out _);
        return Classify(code, metadata, nsn.Length > 0 ? nsn : national);
    }

    private static CanonicalResult National(PhoneMetadata region, string code, string digits, int? parenthesizedZero)
    {
        var china = code == PhoneChinaRules.CallingCode;
        if (parenthesizedZero == 0 && digits.Length > 1)
        {
            // "(0)20 7946 0958": the trunk prefix in parentheses.
            digits = digits[1..];
        }
        else
        {
            // The reference's own rule: a number that begins with the region's calling code without + or 00
            // ("86 10 8765 4321", "44 20 7946 0958") is read as international when it is not a number of its own.
            if (digits.StartsWith(code, StringComparison.Ordinal) && digits.Length > code.Length && !IsAcceptedNationally(region, code, digits))
            {
                var rest = digits[code.Length..];
                var international = china ? (ChinaSpecial(rest) ?? Classify(code, region, TrimTrunk(region, rest))) : Classify(code, region, TrimTrunk(region, rest));
                if (international.IsValid)
                {
                    return international;
                }
            }
        }

        if (china && ChinaSpecial(digits) is { } special)
        {
            return special;
        }

        var nsn = PhoneReference.StripNationalPrefix(region, digits, out var carrier);
        if (carrier.Length > 0)
        {
            // An IP-dial prefix (17951, 12593…) before a mobile number, or before 0 and an area code.
            var afterCarrier = digits[carrier.Length..];
            var dialled = afterCarrier.StartsWith('0') ? afterCarrier[1..] : afterCarrier;
            var result = dialled.Length > 0 && dialled[0] != '0' ? Classify(code, region, dialled) : default;
            if (result.IsValid)
            {
                return result;
            }

            nsn = digits.StartsWith('0') ? digits[1..] : digits;
        }

        if (nsn.Length == 0)
        {
            return Invalid("There are no digits after the trunk prefix.");
        }

        if (china)
        {
            if (nsn.Length == digits.Length)
            {
                if (IsLandline(code, nsn))
                {
                    return Invalid("A landline number is written with a 0 before its area code, for example 010-87654321.");
                }
            }
            else if (PhoneChinaRules.IsShortService(nsn) || (PhoneChinaRules.IsSmsSender(nsn) && !PhoneReference.IsValid(code, nsn)))
            {
                return Invalid("Only an area code or a mobile number follows a leading 0; 400, 800, short service and SMS sender numbers are written without it.");
            }

            if (nsn[0] == '0')
            {
                return Invalid("A Chinese number has at most one leading 0 (the trunk prefix); the area code or mobile number after it never starts with 0.");
            }
        }

        return Classify(code, region, nsn);
    }

    private static bool IsAcceptedNationally(PhoneMetadata region, string code, string digits)
    {
        var nsn = TrimTrunk(region, digits);
        return nsn.Length > 0 && PhoneReference.IsValid(code, nsn);
    }

    private static string TrimTrunk(PhoneMetadata region, string digits)
    {
        var nsn = PhoneReference.StripNationalPrefix(region, digits, out _);
        return nsn.Length > 0 ? nsn : digits;
    }

    private static bool IsLandline(string code, string nsn) =>
        nsn.Length <= PhoneReference.MaxE164Digits - code.Length && PhoneReference.IsFixedLine(code, nsn);

    private static CanonicalResult? ChinaSpecial(string nsn) =>
        PhoneChinaRules.IsShortService(nsn) || PhoneChinaRules.IsSmsSender(nsn) && !PhoneReference.IsValid(PhoneChinaRules.CallingCode, nsn)
            ? E164(PhoneChinaRules.CallingCode, nsn)
            : null;

    /// <summary>Decides a national significant number after <c>+code</c> by the reference's plan for it.</summary>
    private static CanonicalResult Classify(string code, PhoneMetadata metadata, string nsn)
    {
        var china = code == PhoneChinaRules.CallingCode;
        if (china && PhoneChinaRules.IsMobileShape(nsn))
        {
            return E164(code, nsn);
        }

        // A few plans (Germany's and Nigeria's 0800 ranges) hold numbers longer than E.164's 15 digits; the reference's
        // word on them counts.
        if (code.Length + nsn.Length > PhoneReference.MaxE164Digits
            && (nsn.Length > PhoneReference.MaxNationalDigits || !PhoneReference.IsValid(code, nsn)))
        {
            return Invalid($"The number has {code.Length + nsn.Length} digits with its country code; E.164 allows at most {PhoneReference.MaxE164Digits}.");
        }

        if (nsn[0] == '0' && !metadata.GeneralDesc.NationalNumberPattern.StartsWith('0') && !PhoneReference.IsValid(code, nsn))
        {
            return Invalid($"A number after +{code} does not start with 0; leave out the trunk prefix 0 used inside the country.");
        }

        if (china && nsn.Length > 1 && nsn[0] == '1' && nsn.Length != 11 && nsn[1] is >= '3' and <= '9')
        {
            return Invalid($"A Chinese mobile number has 11 digits; this one has {nsn.Length}.");
        }

        if (PhoneReference.IsValid(code, nsn))
        {
            return E164(code, nsn);
        }

        switch (PhoneReference.Possibility(code, nsn))
        {
            case Possibility.TOO_SHORT when china:
                return Invalid($"A {nsn.Length}-digit number is too short for a Chinese number and is not a service number ({PhoneChinaRules.ServiceNumbers}).");
            case Possibility.TOO_SHORT or Possibility.TOO_LONG or Possibility.INVALID_LENGTH:
                return Invalid($"A number after +{code} has {PhoneReference.PossibleLengths(metadata)} digits; this one has {nsn.Length}.");
            case Possibility.IS_POSSIBLE_LOCAL_ONLY:
                return Invalid(china
                    ? "A landline number without its area code cannot be placed; write it with the area code, for example 010-87654321."
                    : $"A number of {nsn.Length} digits after +{code} is dialled only within its area; write it with its area code.");
        }

        if (china && PhoneChinaRules.IsCityServiceNumber(nsn))
        {
            return E164(code, nsn);
        }

        var range = PhoneReference.FindKnownRange(code, nsn);
        if (!china && range.Lengths.Contains(nsn.Length))
        {
            // A possible number in a range the reference does not (yet) know: new allocations reach people before
            // its data, and one new range must never fail a whole police list.
            return E164(code, nsn);
        }

        var known = range.StartLength;
        if (known == 0 || (china && range.CodeLength > known) || range.Lengths.Contains(nsn.Length))
        {
            var unknown = nsn[..Math.Min(Math.Max(known + 1, range.CodeLength), 5)];
            return Invalid(china
                ? $"No Chinese number begins 0{unknown} or +86 {unknown}: it is not a mobile prefix, an area code, a 400 or 800 number or a service number."
                : $"No number after +{code} begins {unknown}.");
        }

        var lengths = PhoneReference.Words(range.Lengths);
        if (china && range.AreaCodeLength > 0)
        {
            var area = nsn[..range.AreaCodeLength];
            return Invalid($"After the area code 0{area} a landline number has {PhoneReference.Words([.. range.Lengths.Select(length => length - area.Length)])} digits; this one has {nsn.Length - area.Length}.");
        }

        var shown = nsn[..Math.Min(known, range.CodeLength > 0 ? range.CodeLength : 5)];
        return Invalid($"A number beginning +{code} {shown} has {lengths} digits after the country code; this one has {nsn.Length}.");
    }

    private static CanonicalResult E164(string code, string national) => CanonicalResult.Ok("+" + code + national);

    private static CanonicalResult Invalid(string detail) => CanonicalResult.Invalid(Code, detail);
}
