namespace FlagApi.Identifiers;

internal enum ChinaNumberKind
{
    Mobile,
    Landline,
    NonGeographic,
    ShortService,
}

/// <summary>
/// The PRC national numbering plan (电信网编号计划, MIIT) as FlagApi applies it to the national
/// significant number: what follows +86, or follows the trunk prefix 0 inside China.
/// </summary>
internal static class PhoneChinaRules
{
    public const string CallingCode = "86";

    private const string ServiceNumbers = "110, 119, 120, 122, 100xx, 1010xxxx, 12xxx, 95xxx or 96xxx";

    /// <summary>Why <paramref name="nsn"/> is no Chinese number, or null with its kind.</summary>
    public static string? Classify(string nsn, out ChinaNumberKind kind)
    {
        kind = default;
        if (nsn.Length == 0)
        {
            return "There are no digits after the country code +86.";
        }

        if (IsShortService(nsn))
        {
            kind = ChinaNumberKind.ShortService;
            return null;
        }

        if (nsn.Length > 11)
        {
            return $"A Chinese number has at most 11 digits after the country code 86 (12 with a leading 0); this one has {nsn.Length}.";
        }

        return nsn[0] switch
        {
            '0' => "A Chinese number has at most one leading 0 (the trunk prefix); the area code or mobile number after it never starts with 0.",
            '1' => ClassifyStartingWithOne(nsn, out kind),
            _ when nsn.Length < 7 => $"A {nsn.Length}-digit number is too short for a Chinese number and is not a service number ({ServiceNumbers}).",
            _ when nsn.Length <= 8 => "A landline number without its area code cannot be placed; write it with the area code, for example 010-87654321.",
            // 400 and 800 are nationwide non-geographic (toll-free and shared-cost) numbers: 400/800 + 7 digits.
            _ when nsn.StartsWith("400", StringComparison.Ordinal) || nsn.StartsWith("800", StringComparison.Ordinal) =>
                nsn.Length == 10 ? NonGeographic(out kind) : $"A {nsn[..3]} service number has 10 digits; this one has {nsn.Length}.",
            '2' when nsn[1] == '6' => "There is no Chinese area code 026.",
            // Two-digit area codes (010 Beijing, 020–029 the largest cities) all have 8-digit local numbers.
            '2' => Landline(nsn, 2, 8, out kind),
            // Three-digit area codes 03xx–09xx have 7- or 8-digit local numbers.
            _ => Landline(nsn, 3, 7, out kind),
        };
    }

    /// <summary>
    /// Short numbers reachable nationwide without an area code: emergency (110 police, 112, 119 fire,
    /// 120 ambulance, 122 traffic, 999 Beijing Red Cross ambulance) and 114 directory; carrier customer service
    /// 100xx (10000, 10010, 10086, 10099) and 1010xxxx; public-service hotlines 12xxx (12306, 12315,
    /// 12345, 12381…); enterprise and bank service numbers 95xxx(x) and 96xxx(x), such as 95555 and the
    /// anti-fraud centre's 96110.
    /// </summary>
    private static bool IsShortService(string nsn) => nsn.Length switch
    {
        3 => nsn is "110" or "112" or "114" or "119" or "120" or "122" or "999",
        5 => nsn.StartsWith("100", StringComparison.Ordinal) || nsn.StartsWith("12", StringComparison.Ordinal) || Is95Or96(nsn),
        6 => Is95Or96(nsn),
        8 => nsn.StartsWith("1010", StringComparison.Ordinal),
        _ => false,
    };

    private static bool Is95Or96(string nsn) => nsn.StartsWith("95", StringComparison.Ordinal) || nsn.StartsWith("96", StringComparison.Ordinal);

    // Mobile numbers are 1[3-9] + 9 digits; 10 is Beijing's area code; 11 and 12 begin only short numbers.
    private static string? ClassifyStartingWithOne(string nsn, out ChinaNumberKind kind)
    {
        kind = default;
        var second = nsn.Length > 1 ? nsn[1] : '\0';
        if (second >= '3')
        {
            if (nsn.Length == 11)
            {
                kind = ChinaNumberKind.Mobile;
                return null;
            }

            return $"A Chinese mobile number has 11 digits; this one has {nsn.Length}.";
        }

        if (second == '0' && nsn.Length is >= 9 and <= 11)
        {
            return Landline(nsn, 2, 8, out kind);
        }

        if (nsn.Length == 11)
        {
            return $"A Chinese mobile number starts with 13 to 19; 1{second} is not a mobile prefix.";
        }

        return $"A number starting with 1 must be an 11-digit mobile number, a Beijing landline (10 and 8 digits) or a service number ({ServiceNumbers}); this one is none of them.";
    }

    private static string? Landline(string nsn, int areaLength, int minLocalLength, out ChinaNumberKind kind)
    {
        kind = default;
        var area = nsn[..areaLength];
        var localLength = nsn.Length - areaLength;
        if (localLength < minLocalLength || localLength > 8)
        {
            var expected = minLocalLength == 8 ? "8 digits" : "7 or 8 digits";
            return $"After the area code 0{area} a landline number has {expected}; this one has {localLength}.";
        }

        if (nsn[areaLength] == '0')
        {
            return $"A local number after the area code 0{area} never starts with 0.";
        }

        kind = ChinaNumberKind.Landline;
        return null;
    }

    private static string? NonGeographic(out ChinaNumberKind kind)
    {
        kind = ChinaNumberKind.NonGeographic;
        return null;
    }
}
