using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace FlagApi.Identifiers;

/// <summary>
/// Google's libphonenumber (libphonenumber-csharp) as FlagApi's reference for every country: calling codes,
/// international and trunk prefixes, possible lengths, number types and regions all come from its metadata.
/// </summary>
internal static class PhoneReference
{
    /// <summary>E.164: an international number has at most 15 digits, country code included.</summary>
    public const int MaxE164Digits = 15;

    /// <summary>The longest national significant number libphonenumber knows (German and Nigerian 0800 numbers).</summary>
    public const int MaxNationalDigits = 17;

    // libphonenumber's region code for non-geographic entities (+800, +882…).
    public const string NonGeographic = "001";

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    private static readonly FrozenSet<string> CallingCodes =
        Util.GetSupportedCallingCodes().Select(code => code.ToString(CultureInfo.InvariantCulture)).ToFrozenSet(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, Regex> InternationalPrefixes = new(StringComparer.Ordinal);

    /// <summary>The metadata of a region (ISO 3166-1 alpha-2, any case, padded or not), or null if libphonenumber has none.</summary>
    public static PhoneMetadata? Region(string? code)
    {
        var trimmed = code?.Trim();
        return trimmed is { Length: 2 } ? Util.GetMetadataForRegion(trimmed.ToUpperInvariant()) : null;
    }

    /// <summary>The calling code that begins <paramref name="digits"/>; E.164 codes are prefix-free, so the first match is the only one.</summary>
    public static string? ReadCallingCode(ReadOnlySpan<char> digits)
    {
        var lookup = CallingCodes.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var length = 1; length <= 3 && length <= digits.Length; length++)
        {
            if (lookup.TryGetValue(digits[..length], out var code))
            {
                return code;
            }
        }

        return null;
    }

    /// <summary>The metadata that governs numbers after <c>+code</c>: its main country's, or a non-geographic entity's (+800, +882…).</summary>
    public static PhoneMetadata MetadataFor(string callingCode)
    {
        var code = int.Parse(callingCode, CultureInfo.InvariantCulture);
        var region = Util.GetRegionCodeForCountryCode(code);
        return region == NonGeographic
            ? Util.GetMetadataForNonGeographicalRegion(code)
            : Util.GetMetadataForRegion(region);
    }

    /// <summary>The length of the region's international (IDD) prefix at the start of <paramref name="digits"/>, or 0.</summary>
    public static int InternationalPrefixLength(PhoneMetadata region, string digits)
    {
        if (!region.HasInternationalPrefix)
        {
            return 0;
        }

        var pattern = InternationalPrefixes.GetOrAdd(
            region.InternationalPrefix,
            static prefix => new Regex("^(?:" + prefix + ")", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        var match = pattern.Match(digits);
        return match.Success ? match.Length : 0;
    }

    /// <summary>
    /// Strips the region's trunk prefix (and a carrier-selection code where the region has them, such as China's
    /// IP-dial prefixes 17951 and 12593) the way libphonenumber does; returns the national significant number.
    /// </summary>
    public static string StripNationalPrefix(PhoneMetadata region, string digits, out string carrierCode)
    {
        if (!region.HasNationalPrefixTransformRule || region.NationalPrefixTransformRule.Length == 0)
        {
            return NationalPrefixes.GetOrAdd(region.Id, static (_, metadata) => new NationalPrefix(metadata), region).Strip(digits, out carrierCode);
        }

        // A transform rule (Argentina's 15 before a mobile, for one) rewrites the number; libphonenumber does that itself.
        var number = new StringBuilder(digits);
        var carrier = new StringBuilder();
        Util.MaybeStripNationalPrefixAndCarrierCode(number, region, carrier);
        carrierCode = carrier.ToString();
        return number.ToString();
    }

    private static readonly ConcurrentDictionary<string, NationalPrefix> NationalPrefixes = new(StringComparer.Ordinal);

    /// <summary>
    /// libphonenumber's maybeStripNationalPrefixAndCarrierCode for regions without a transform rule, on patterns
    /// compiled once: strip what the region's national-prefix-for-parsing pattern matches at the start, unless the
    /// number was a number of the plan with it and is none without it.
    /// </summary>
    private sealed class NationalPrefix
    {
        private readonly Regex? prefix;
        private readonly DigitPattern general;
        private readonly int groups;

        public NationalPrefix(PhoneMetadata metadata)
        {
            if (metadata.HasNationalPrefixForParsing && metadata.NationalPrefixForParsing.Length > 0)
            {
                prefix = new Regex("^(?:" + metadata.NationalPrefixForParsing + ")", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                groups = prefix.GetGroupNumbers().Length - 1;
            }

            general = DigitPattern.Compile(metadata.GeneralDesc.NationalNumberPattern);
        }

        public string Strip(string digits, out string carrierCode)
        {
            carrierCode = string.Empty;
            if (prefix is null || digits.Length == 0 || prefix.Match(digits) is not { Success: true } match)
            {
                return digits;
            }

            var rest = digits[match.Length..];
            if (general.Matches(digits) && !general.Matches(rest))
            {
                return digits;
            }

            if (groups > 0 && match.Groups[groups].Success)
            {
                carrierCode = match.Groups[1].Value;
            }

            return rest;
        }
    }

    public static PhoneNumber Number(string callingCode, string nsn)
    {
        var builder = new PhoneNumber.Builder()
            .SetCountryCode(int.Parse(callingCode, CultureInfo.InvariantCulture))
            .SetNationalNumber(ulong.Parse(nsn, CultureInfo.InvariantCulture));
        var zeros = nsn.AsSpan().IndexOfAnyExcept('0');
        if (zeros > 0)
        {
            // Italian fixed lines keep their leading 0 after +39 (+39 06 …).
            builder.SetNumberOfLeadingZeros(zeros);
        }

        return builder.Build();
    }

    public static bool IsValid(string callingCode, string nsn) =>
        nsn.Length <= MaxNationalDigits && Plan(callingCode).IsValid(nsn);

    private static PhonePlan Plan(string callingCode) => PhonePlan.For(int.Parse(callingCode, CultureInfo.InvariantCulture));

    public static PhoneNumberUtil.ValidationResult Possibility(string callingCode, string nsn) =>
        Util.IsPossibleNumberWithReason(Number(callingCode, nsn));

    public static (PhoneNumberType Type, string? Region) Classify(string callingCode, string nsn) =>
        nsn.Length <= MaxNationalDigits ? Plan(callingCode).Classify(nsn) : (PhoneNumberType.UNKNOWN, null);

    public static bool IsFixedLine(string callingCode, string nsn) =>
        nsn.Length <= MaxNationalDigits
        && Plan(callingCode).Type(nsn) is PhoneNumberType.FIXED_LINE or PhoneNumberType.FIXED_LINE_OR_MOBILE;

    /// <summary>The region of a calling code that only one region uses (+86 CN, +852 HK), else null (+1, +7, +44, +800).</summary>
    public static string? OnlyRegionOf(string callingCode)
    {
        var regions = Util.GetRegionCodesForCountryCode(int.Parse(callingCode, CultureInfo.InvariantCulture));
        return regions.Count == 1 && regions[0] != NonGeographic ? regions[0] : null;
    }

    /// <summary>The national lengths the country's plan allows, in words ("7 to 10", "9", "8 or 10").</summary>
    public static string PossibleLengths(PhoneMetadata metadata) => Words([.. metadata.GeneralDesc.PossibleLengthList]);

    public static string Words(IReadOnlyList<int> lengths)
    {
        if (lengths.Count == 0)
        {
            return "no";
        }

        if (lengths.Count > 2 && lengths[^1] - lengths[0] == lengths.Count - 1)
        {
            return $"{lengths[0]} to {lengths[^1]}";
        }

        return lengths.Count == 1
            ? lengths[0].ToString(CultureInfo.InvariantCulture)
            : string.Join(", ", lengths.Take(lengths.Count - 1)) + " or " + lengths[^1].ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The longest start of <paramref name="nsn"/> that begins some number the reference knows as assigned, the national
    /// lengths such numbers have, and the length of their area (or destination) code.
    /// </summary>
    public static KnownRange FindKnownRange(string callingCode, string nsn)
    {
        var (start, lengths, example) = Plan(callingCode).KnownRange(nsn);
        var areaCodeLength = 0;
        var codeLength = 0;
        if (example is not null)
        {
            var number = Number(callingCode, example);
            areaCodeLength = Util.GetLengthOfGeographicalAreaCode(number);
            codeLength = Math.Max(areaCodeLength, Util.GetLengthOfNationalDestinationCode(number));
        }

        return new KnownRange(start, [.. Enumerable.Range(0, 32).Where(length => (lengths & (1u << length)) != 0)], codeLength, areaCodeLength);
    }
}

/// <param name="StartLength">How many leading digits begin numbers the reference knows (0: none).</param>
/// <param name="Lengths">The national lengths of those numbers.</param>
/// <param name="CodeLength">The length of their area or destination code, 0 when the plan has none.</param>
/// <param name="AreaCodeLength">The length of their area code when they are geographic numbers, else 0.</param>
internal sealed record KnownRange(int StartLength, IReadOnlyList<int> Lengths, int CodeLength, int AreaCodeLength);
