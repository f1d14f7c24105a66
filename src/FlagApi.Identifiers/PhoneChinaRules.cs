using System.Collections.Concurrent;

namespace FlagApi.Identifiers;

/// <summary>
/// What FlagApi knows of China's numbering plan (电信网编号计划, MIIT) that libphonenumber does not carry: numbers
/// dialled without an area code that fraud reports and police lists name every day. Everything else about +86
/// comes from the reference (<see cref="PhoneReference"/>).
/// </summary>
internal static class PhoneChinaRules
{
    public const string CallingCode = "86";

    /// <summary>106 and up to 17 more digits: the longest sender numbers carriers assign to bulk SMS gateways.</summary>
    public const int MaxSmsSenderDigits = 20;

    public const string ServiceNumbers = "110, 119, 120, 122, 100xx, 1010xxxx, 12xxx, 95xxx or 96xxx";

    /// <summary>
    /// Short numbers reachable nationwide without an area code: emergency (110 police, 112, 119 fire, 120 ambulance,
    /// 122 traffic, 999 Beijing Red Cross ambulance) and 114 directory; carrier customer service 100xx (10000, 10010,
    /// 10086, 10099) and 1010xxxx; public-service hotlines 12xxx (12306, 12315, 12345, 12381…); enterprise and bank
    /// service numbers 95xxx(x) and 96xxx(x), such as 95555 and the anti-fraud centre's 96110. libphonenumber keeps
    /// short numbers apart from E.164 numbers; FlagApi flags them like any other number, as <c>+86</c> and their digits.
    /// </summary>
    public static bool IsShortService(ReadOnlySpan<char> nsn) => nsn.Length switch
    {
        3 => nsn is "110" or "112" or "114" or "119" or "120" or "122" or "999",
        5 => nsn.StartsWith("100") || nsn.StartsWith("12") || Is95Or96(nsn),
        6 => Is95Or96(nsn),
        8 => nsn.StartsWith("1010"),
        _ => false,
    };

    /// <summary>
    /// Sender numbers of bulk SMS gateways: 106 and 5 to 17 more digits (1069 0123 4567 89). Most fraud SMS arrive from
    /// them, and they are no E.164 numbers (they are longer than 15 digits with +86 and cannot be called), so the
    /// reference refuses them. 106 with exactly 7 more digits reads the same as a Beijing landline 010 6xxx xxxx.
    /// </summary>
    public static bool IsSmsSender(ReadOnlySpan<char> nsn) =>
        nsn.Length is >= 8 and <= MaxSmsSenderDigits && nsn.StartsWith("106");

    /// <summary>A mobile number's shape: 1[3-9] and 9 more digits. New ranges (146, 148, 149 data SIMs) reach people before the reference's data.</summary>
    public static bool IsMobileShape(ReadOnlySpan<char> nsn) =>
        nsn.Length == 11 && nsn[0] == '1' && nsn[1] is >= '3' and <= '9';

    /// <summary>
    /// Ranges of China's mobile virtual network operators (虚拟运营商: 162, 165, 167, 170, 171), which police statistics
    /// single out as over-represented in fraud calls. An attribute for people and apps to weigh, never a flag.
    /// </summary>
    public static bool IsVirtualOperator(ReadOnlySpan<char> nsn) =>
        IsMobileShape(nsn) && nsn[..3] is "162" or "165" or "167" or "170" or "171";

    private static readonly ConcurrentDictionary<string, bool> AreaCodes = new(StringComparer.Ordinal);

    /// <summary>
    /// A city's own service number written with its area code (0755-96123, 021-962288): an area code the reference
    /// knows, then 95 or 96 and 3 or 4 digits.
    /// </summary>
    public static bool IsCityServiceNumber(string nsn)
    {
        for (var areaLength = 2; areaLength <= 3 && areaLength < nsn.Length; areaLength++)
        {
            var local = nsn.AsSpan(areaLength);
            if (local.Length is 5 or 6 && local[0] == '9' && local[1] is '5' or '6' && IsAreaCode(nsn[..areaLength]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAreaCode(string area) => AreaCodes.GetOrAdd(area, static code =>
    {
        // Any eight- or seven-digit local number after the code that the reference knows as a landline makes it an area code.
        foreach (var length in (ReadOnlySpan<int>)[8, 7])
        {
            for (var fill = '2'; fill <= '8'; fill++)
            {
                if (PhoneReference.IsFixedLine(CallingCode, code + new string(fill, length)))
                {
                    return true;
                }
            }
        }

        return false;
    });

    private static bool Is95Or96(ReadOnlySpan<char> nsn) => nsn.StartsWith("95") || nsn.StartsWith("96");
}
