namespace FlagApi.Identifiers;

/// <summary>
/// Phone numbers to E.164 (SPEC: kind <c>phone</c>), e.g. <c>+8613800138000</c>; Chinese short service
/// numbers become <c>+86</c> and their digits (<c>+8695555</c>).
/// </summary>
/// <remarks>
/// A number with + (or an international prefix: 00 anywhere, 011 in North America, 0011 in Australia,
/// 010 in Japan) is read against the ITU list of country calling codes; one without is read by the
/// national plan of <c>defaultRegion</c>, which then must be a region FlagApi knows. After +86 only
/// Chinese mobile, landline, 400/800 and short service numbers pass; other countries' numbers are
/// checked for length and first digit. Decisions where people's writing is ambiguous:
/// <list type="bullet">
/// <item>A "(0)" right after the country code is the trunk prefix and is dropped; after +86 a bare 0 is too.</item>
/// <item>Inside China, 86 without + or 00 is read as the country code only before an 11-digit mobile number,
/// and a 0 before a mobile number as the old long-distance prefix.</item>
/// <item>Any Unicode decimal digits count (full-width, Arabic-Indic, …), but one number may not mix
/// scripts; ASCII and full-width mix freely, as a Chinese IME produces them.</item>
/// <item>Spaces of any width, hyphens and dashes, dots, slashes and parentheses (also full-width) separate;
/// invisible format characters are ignored; letters, control characters and extensions are rejected.</item>
/// </list>
/// Canonical output read again gives itself, whatever the region.
/// </remarks>
public static class PhoneNumbers
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
            return International(phone, 0);
        }

        var region = PhoneRegion.Find(defaultRegion);
        if (region is null)
        {
            return Invalid($"The default phone region '{defaultRegion}' is not a region FlagApi knows, so a number without a country code cannot be read; write it with + and the country code.");
        }

        var prefixLength = region.InternationalPrefixLength(digits);
        if (prefixLength > 0)
        {
            return International(phone, prefixLength);
        }

        return region.CallingCode == PhoneChinaRules.CallingCode ? NationalChina(digits) : National(region, digits);
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

        var code = PhoneCountryCodes.ReadCode(digits.AsSpan(start));
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
        if (code == PhoneChinaRules.CallingCode)
        {
            // No Chinese national significant number starts with 0, so a 0 right after +86 is the trunk
            // prefix written out of habit ("+86 010 8765 4321").
            if (national.StartsWith('0'))
            {
                national = national[1..];
            }

            var chinaError = PhoneChinaRules.Classify(national, out _);
            return chinaError is null ? E164(code, national) : Invalid(chinaError);
        }

        var error = PhoneCountryCodes.CheckNational(code, national);
        return error is null ? E164(code, national) : Invalid(error);
    }

    private static CanonicalResult NationalChina(string digits)
    {
        if (digits[0] == '0')
        {
            var afterTrunk = digits[1..];
            var trunkError = PhoneChinaRules.Classify(afterTrunk, out var kind);
            if (trunkError is not null)
            {
                return Invalid(trunkError);
            }

            // The 0 is the trunk prefix before an area code, or the long-distance prefix once dialled
            // before a mobile number from a landline in another city ("013800138000").
            return kind is ChinaNumberKind.Landline or ChinaNumberKind.Mobile
                ? E164(PhoneChinaRules.CallingCode, afterTrunk)
                : Invalid("Only an area code or a mobile number follows a leading 0; 400, 800 and short service numbers are written without it.");
        }

        // Chinese data often carries the country code without + or 00 ("8613800138000"); no national
        // number has 13 digits, so 86 followed by a mobile number can only mean that.
        if (digits.Length == 13 && digits.StartsWith(PhoneChinaRules.CallingCode, StringComparison.Ordinal)
            && PhoneChinaRules.Classify(digits[2..], out var bareKind) is null && bareKind == ChinaNumberKind.Mobile)
        {
            return E164(PhoneChinaRules.CallingCode, digits[2..]);
        }

        var error = PhoneChinaRules.Classify(digits, out var nationalKind);
        if (error is not null)
        {
            return Invalid(error);
        }

        return nationalKind == ChinaNumberKind.Landline
            ? Invalid("A landline number is written with a 0 before its area code, for example 010-87654321.")
            : E164(PhoneChinaRules.CallingCode, digits);
    }

    private static CanonicalResult National(PhoneRegion region, string digits)
    {
        var code = region.CallingCode;
        if (region.TrunkPrefix is { } trunk && digits.StartsWith(trunk, StringComparison.Ordinal))
        {
            // Prefer reading the leading digit as the trunk prefix; keep it only when the number is
            // valid with it and not without (Russia's trunk 8 before an 800 number that starts with 8).
            var stripped = digits[trunk.Length..];
            var strippedError = PhoneCountryCodes.CheckNational(code, stripped);
            if (strippedError is null)
            {
                return E164(code, stripped);
            }

            return PhoneCountryCodes.CheckNational(code, digits) is null ? E164(code, digits) : Invalid(strippedError);
        }

        var error = PhoneCountryCodes.CheckNational(code, digits);
        return error is null ? E164(code, digits) : Invalid(error);
    }

    private static CanonicalResult E164(string code, string national) => CanonicalResult.Ok("+" + code + national);

    private static CanonicalResult Invalid(string detail) => CanonicalResult.Invalid(Code, detail);
}
