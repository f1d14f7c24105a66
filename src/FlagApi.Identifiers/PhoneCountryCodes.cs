using System.Collections.Frozen;

namespace FlagApi.Identifiers;

/// <summary>
/// Country calling codes assigned in ITU-T E.164 (the "List of ITU-T Recommendation E.164 assigned
/// country codes", complement to E.164), and rough lengths of the national significant number (NSN)
/// that follows them.
/// </summary>
internal static class PhoneCountryCodes
{
    // Spare and withdrawn codes are left out on purpose (e.g. 259 Zanzibar, 388 ETNS, 671 Guam and
    // 684 American Samoa, both now under +1; 871–874 Inmarsat ocean regions, retired in 2008), and so
    // is 379, which is reserved for the Vatican but has no numbers (the Vatican uses +39 06 698).
    // The codes are prefix-free by design of E.164, which is what makes reading them digit by digit unambiguous.
    private static readonly FrozenSet<string> Assigned = new[]
    {
        "1",
        "20", "211", "212", "213", "216", "218",
        "220", "221", "222", "223", "224", "225", "226", "227", "228", "229",
        "230", "231", "232", "233", "234", "235", "236", "237", "238", "239",
        "240", "241", "242", "243", "244", "245", "246", "247", "248", "249",
        "250", "251", "252", "253", "254", "255", "256", "257", "258",
        "260", "261", "262", "263", "264", "265", "266", "267", "268", "269",
        "27", "290", "291", "297", "298", "299",
        "30", "31", "32", "33", "34",
        "350", "351", "352", "353", "354", "355", "356", "357", "358", "359",
        "36",
        "370", "371", "372", "373", "374", "375", "376", "377", "378",
        "380", "381", "382", "383", "385", "386", "387", "389",
        "39",
        "40", "41", "420", "421", "423", "43", "44", "45", "46", "47", "48", "49",
        "500", "501", "502", "503", "504", "505", "506", "507", "508", "509",
        "51", "52", "53", "54", "55", "56", "57", "58",
        "590", "591", "592", "593", "594", "595", "596", "597", "598", "599",
        "60", "61", "62", "63", "64", "65", "66",
        "670", "672", "673", "674", "675", "676", "677", "678", "679",
        "680", "681", "682", "683", "685", "686", "687", "688", "689",
        "690", "691", "692",
        "7",
        "800", "808", "81", "82", "84",
        "850", "852", "853", "855", "856", "86",
        "870", "878", "880", "881", "882", "883", "886", "888",
        "90", "91", "92", "93", "94", "95",
        "960", "961", "962", "963", "964", "965", "966", "967", "968",
        "970", "971", "972", "973", "974", "975", "976", "977", "979",
        "98",
        "991", "992", "993", "994", "995", "996", "998",
    }.ToFrozenSet(StringComparer.Ordinal);

    // NSN lengths (and the digits an NSN may start with) for the countries FlagApi's users meet most;
    // the national numbering plans published to the ITU. Any other code gets the generic bounds below.
    private static readonly FrozenDictionary<string, NationalLength> Lengths = new Dictionary<string, NationalLength>(StringComparer.Ordinal)
    {
        ["7"] = new(10, 10, "34789"),
        ["33"] = new(9, 9, "123456789"),
        ["34"] = new(9, 9, "56789"),
        ["39"] = new(6, 12, "0123456789"),
        ["44"] = new(7, 10, "1235789"),
        ["49"] = new(5, 13, "123456789"),
        ["60"] = new(8, 10, "123456789"),
        ["61"] = new(9, 10, "123456789"),
        ["62"] = new(8, 12, "123456789"),
        ["63"] = new(8, 10, "123456789"),
        ["64"] = new(8, 10, "2345689"),
        ["65"] = new(8, 11, "1356789"),
        ["66"] = new(8, 9, "123456789"),
        ["81"] = new(9, 10, "123456789"),
        ["82"] = new(8, 10, "123456789"),
        ["84"] = new(8, 10, "123456789"),
        ["91"] = new(10, 10, "123456789"),
        ["95"] = new(7, 10, "123456789"),
        ["852"] = new(8, 9, "2345689"),
        ["853"] = new(8, 8, "2689"),
        ["855"] = new(8, 9, "123456789"),
        ["856"] = new(8, 10, "23"),
        ["886"] = new(8, 9, "23456789"),
        ["971"] = new(8, 9, "2345679"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>E.164: an international number has at most 15 digits, country code included.</summary>
    internal const int MaxDigits = 15;

    // The shortest NSNs in use are four digits (Niue, Tokelau); anything shorter is a local short code
    // that cannot be dialled from abroad.
    private const int GenericMinNationalLength = 4;

    /// <summary>Reads the country calling code at the start of <paramref name="digits"/>, or returns null.</summary>
    internal static string? ReadCode(ReadOnlySpan<char> digits)
    {
        var lookup = Assigned.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var length = 1; length <= 3 && length <= digits.Length; length++)
        {
            if (lookup.TryGetValue(digits[..length], out var code))
            {
                return code;
            }
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="national"/> cannot follow <c>+code</c>, or null when its length and first digit
    /// are plausible. CN (+86) numbers have stricter rules of their own.
    /// </summary>
    internal static string? CheckNational(string code, string national)
    {
        if (national.Length == 0)
        {
            return $"There are no digits after the country code +{code}.";
        }

        if (code.Length + national.Length > MaxDigits)
        {
            return $"The number has {code.Length + national.Length} digits with its country code; E.164 allows at most {MaxDigits}.";
        }

        if (code == "1")
        {
            return CheckNorthAmerican(national);
        }

        if (!Lengths.TryGetValue(code, out var rule))
        {
            rule = new NationalLength(GenericMinNationalLength, MaxDigits - code.Length, null);
        }

        if (rule.FirstDigits is not null && !rule.FirstDigits.Contains(national[0], StringComparison.Ordinal))
        {
            return national[0] == '0'
                ? $"A number after +{code} does not start with 0; leave out the trunk prefix 0 used inside the country."
                : $"No number after +{code} starts with {national[0]}.";
        }

        if (national.Length < rule.Min || national.Length > rule.Max)
        {
            var expected = rule.Min == rule.Max ? $"{rule.Min}" : $"{rule.Min} to {rule.Max}";
            return $"A number after +{code} has {expected} digits; this one has {national.Length}.";
        }

        return null;
    }

    // North American Numbering Plan: NPA-NXX-XXXX, where area code (NPA) and exchange (NXX) both
    // start with 2–9 and neither is an N11 service code such as 411 or 911.
    private static string? CheckNorthAmerican(string national)
    {
        if (national.Length != 10)
        {
            return $"A North American (+1) number has 10 digits after the 1; this one has {national.Length}.";
        }

        if (national[0] < '2' || national[3] < '2')
        {
            return "A North American (+1) area code and exchange each start with a digit from 2 to 9.";
        }

        if ((national[1] == '1' && national[2] == '1') || (national[4] == '1' && national[5] == '1'))
        {
            return "A North American (+1) area code or exchange cannot be an N11 service code such as 911.";
        }

        return null;
    }

    private sealed record NationalLength(int Min, int Max, string? FirstDigits);
}
