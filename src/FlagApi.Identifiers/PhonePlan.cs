using System.Collections.Concurrent;
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
                if (leading.MatchesStart(nsn))
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

    /// <summary>
    /// How many leading digits of <paramref name="nsn"/> begin some number of a known type, the lengths (bit n: length n)
    /// such numbers have, and one of them of the length nearest the number's.
    /// </summary>
    public (int StartLength, uint Lengths, string? Example) KnownRange(string nsn)
    {
        for (var start = nsn.Length; start > 0; start--)
        {
            var lengths = 0u;
            NumberPattern? fitting = null;
            foreach (var region in regions)
            {
                foreach (var pattern in region.Types)
                {
                    var found = pattern.LengthsBeginningWith(nsn.AsSpan(0, start));
                    if (found != 0)
                    {
                        lengths |= found;
                        fitting ??= pattern;
                    }
                }
            }

            if (fitting is not null)
            {
                var example = Enumerable.Range(0, 32).Where(length => (lengths & (1u << length)) != 0)
                    .OrderBy(length => Math.Abs(length - nsn.Length))
                    .Select(length => fitting.Complete(nsn[..start], length))
                    .FirstOrDefault(candidate => candidate is not null);
                return (start, lengths, example);
            }
        }

        return (0, 0, null);
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
                ? DigitPattern.Compile(metadata.LeadingDigits)
                : null;
        }

        public DigitPattern? LeadingDigits { get; }

        public IEnumerable<NumberPattern> Types => specific.Select(pair => pair.Pattern).Append(fixedLine).Append(mobile);

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

    /// <summary>One number description: its possible lengths, checked first, and its national number pattern, matched whole.</summary>
    private sealed class NumberPattern
    {
        private readonly Lazy<DigitPattern>? compiled;
        private readonly uint lengths;

        public NumberPattern(PhoneNumberDesc? desc)
        {
            // Compiled on first use: most types of most regions are never asked about.
            var text = desc?.NationalNumberPattern;
            compiled = string.IsNullOrEmpty(text) ? null : new Lazy<DigitPattern>(() => DigitPattern.Compile(text));
            foreach (var length in desc?.PossibleLengthList ?? [])
            {
                if (length is > 0 and < 32)
                {
                    lengths |= 1u << length;
                }
            }
        }

        public bool Matches(string nsn) =>
            compiled is not null && (lengths == 0 || (nsn.Length < 32 && (lengths & (1u << nsn.Length)) != 0)) && compiled.Value.Matches(nsn);

        /// <summary>The possible lengths (bit n: length n) of the numbers of this type that begin with <paramref name="start"/>.</summary>
        public uint LengthsBeginningWith(ReadOnlySpan<char> start) =>
            compiled is null ? 0 : compiled.Value.LengthsBeginningWith(start) & (lengths == 0 ? uint.MaxValue : lengths);

        public string? Complete(string start, int length) => compiled?.Value.Complete(start, length);
    }
}
