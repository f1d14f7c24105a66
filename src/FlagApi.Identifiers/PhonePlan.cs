using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace FlagApi.Identifiers;

/// <summary>
/// The number patterns of one calling code's plans from libphonenumber's metadata, compiled once, deciding validity
/// and type exactly as libphonenumber's <c>IsValidNumber</c> and <c>GetNumberType</c> do. The library interprets its
/// patterns afresh on each call, which made checking one number cost several microseconds; a police list holds
/// 100,000 numbers. PhoneReferenceTests holds the two to the same answers.
/// </summary>
internal sealed class PhonePlan
{
    private static readonly ConcurrentDictionary<int, PhonePlan> Plans = new();

    private readonly RegionPlan[] regions;

    private PhonePlan(RegionPlan[] regions) => this.regions = regions;

    public static PhonePlan For(int callingCode) => Plans.GetOrAdd(callingCode, static code =>
    {
        var util = PhoneNumberUtil.GetInstance();
        var regionCodes = util.GetRegionCodesForCountryCode(code);
        var plans = regionCodes.Count == 1 && regionCodes[0] == PhoneReference.NonGeographic
            ? [new RegionPlan(util.GetMetadataForNonGeographicalRegion(code))]
            : regionCodes.Select(region => util.GetMetadataForRegion(region)).Where(metadata => metadata is not null).Select(metadata => new RegionPlan(metadata)).ToArray();
        return new PhonePlan(plans);
    });

    public bool IsValid(string nsn)
    {
        if (regions.Length == 1)
        {
            return regions[0].IsValid(nsn);
        }

        return Type(nsn) != PhoneNumberType.UNKNOWN;
    }

    public PhoneNumberType Type(string nsn) => Classify(nsn).Type;

    /// <summary>
    /// The number's type and the region it belongs to; as libphonenumber, the first region whose leading digits it
    /// begins with or whose plan knows it. The region is null when no plan knows the number, or for +800 and the like.
    /// </summary>
    public (PhoneNumberType Type, string? Region) Classify(string nsn)
    {
        foreach (var region in regions)
        {
            if (regions.Length > 1 && region.LeadingDigits is { } leading)
            {
                if (leading.IsMatch(nsn))
                {
                    var type = region.Type(nsn);
                    return (type, type == PhoneNumberType.UNKNOWN ? null : region.Code);
                }
            }
            else if (region.Type(nsn) is var type && type != PhoneNumberType.UNKNOWN)
            {
                return (type, region.Code);
            }
        }

        return (PhoneNumberType.UNKNOWN, null);
    }

    private sealed class RegionPlan
    {
        private readonly NumberPattern general;
        private readonly (PhoneNumberType Type, NumberPattern Pattern)[] specific;
        private readonly NumberPattern fixedLine;
        private readonly NumberPattern mobile;
        private readonly bool sameMobileAndFixedLine;

        public RegionPlan(PhoneMetadata metadata)
        {
            general = new NumberPattern(metadata.GeneralDesc);
            specific =
            [
                (PhoneNumberType.PREMIUM_RATE, new NumberPattern(metadata.PremiumRate)),
                (PhoneNumberType.TOLL_FREE, new NumberPattern(metadata.TollFree)),
                (PhoneNumberType.SHARED_COST, new NumberPattern(metadata.SharedCost)),
                (PhoneNumberType.VOIP, new NumberPattern(metadata.Voip)),
                (PhoneNumberType.PERSONAL_NUMBER, new NumberPattern(metadata.PersonalNumber)),
                (PhoneNumberType.PAGER, new NumberPattern(metadata.Pager)),
                (PhoneNumberType.UAN, new NumberPattern(metadata.Uan)),
                (PhoneNumberType.VOICEMAIL, new NumberPattern(metadata.Voicemail)),
            ];
            fixedLine = new NumberPattern(metadata.FixedLine);
            mobile = new NumberPattern(metadata.Mobile);
            sameMobileAndFixedLine = metadata.SameMobileAndFixedLinePattern;
            Code = metadata.Id == PhoneReference.NonGeographic ? null : metadata.Id;
            LeadingDigits = metadata.HasLeadingDigits && metadata.LeadingDigits.Length > 0
                ? new Regex("^(?:" + metadata.LeadingDigits + ")", Options, Timeout)
                : null;
        }

        public Regex? LeadingDigits { get; }

        public string? Code { get; }

        /// <summary>Whether any type knows the number: the order of the types does not matter, so the commonest come first.</summary>
        public bool IsValid(string nsn)
        {
            if (!general.Matches(nsn))
            {
                return false;
            }

            if (mobile.Matches(nsn) || fixedLine.Matches(nsn))
            {
                return true;
            }

            foreach (var (_, pattern) in specific)
            {
                if (pattern.Matches(nsn))
                {
                    return true;
                }
            }

            return false;
        }

        // The order is libphonenumber's (getNumberTypeHelper): special rates first, then fixed line and mobile.
        public PhoneNumberType Type(string nsn)
        {
            if (!general.Matches(nsn))
            {
                return PhoneNumberType.UNKNOWN;
            }

            foreach (var (type, pattern) in specific)
            {
                if (pattern.Matches(nsn))
                {
                    return type;
                }
            }

            if (fixedLine.Matches(nsn))
            {
                return sameMobileAndFixedLine || mobile.Matches(nsn) ? PhoneNumberType.FIXED_LINE_OR_MOBILE : PhoneNumberType.FIXED_LINE;
            }

            return !sameMobileAndFixedLine && mobile.Matches(nsn) ? PhoneNumberType.MOBILE : PhoneNumberType.UNKNOWN;
        }
    }

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>One number description: its possible lengths, checked first, and its national number pattern, matched whole.</summary>
    private sealed class NumberPattern
    {
        private readonly Regex? pattern;
        private readonly ulong lengths;

        public NumberPattern(PhoneNumberDesc? desc)
        {
            var text = desc?.NationalNumberPattern;
            pattern = string.IsNullOrEmpty(text) ? null : new Regex("^(?:" + text + ")\\z", Options, Timeout);
            foreach (var length in desc?.PossibleLengthList ?? [])
            {
                if (length is > 0 and < 64)
                {
                    lengths |= 1UL << length;
                }
            }
        }

        public bool Matches(string nsn) =>
            pattern is not null && (lengths == 0 || nsn.Length < 64 && (lengths & (1UL << nsn.Length)) != 0) && pattern.IsMatch(nsn);
    }
}
