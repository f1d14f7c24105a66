using System.Collections.Frozen;

namespace FlagApi.Identifiers;

/// <summary>
/// What a default region (ISO 3166-1 alpha-2) means for a number written without a country code:
/// the country calling code it gets, the trunk prefix dialled inside the country, and the
/// international (IDD) prefix dialled to leave it.
/// </summary>
internal sealed record PhoneRegion(string Code, string CallingCode, string? TrunkPrefix, string InternationalPrefix)
{
    // Prefixes from the ITU-T Operational Bulletin annex "Dialling procedures". Regions whose carriers
    // choose the IDD with extra digits (001/002 in Korea, Taiwan, Hong Kong…) are listed with the common
    // 00, which is also accepted everywhere; their carrier prefixes are not recognised, "+" always works.
    private static readonly FrozenDictionary<string, PhoneRegion> All = new PhoneRegion[]
    {
        new("CN", "86", "0", "00"),
        new("US", "1", "1", "011"),
        new("CA", "1", "1", "011"),
        new("GB", "44", "0", "00"),
        new("HK", "852", null, "00"),
        new("MO", "853", null, "00"),
        new("TW", "886", "0", "00"),
        new("SG", "65", null, "00"),
        new("MY", "60", "0", "00"),
        new("JP", "81", "0", "010"),
        new("KR", "82", "0", "00"),
        new("TH", "66", "0", "00"),
        new("PH", "63", "0", "00"),
        new("VN", "84", "0", "00"),
        new("KH", "855", "0", "00"),
        new("MM", "95", "0", "00"),
        new("LA", "856", "0", "00"),
        new("ID", "62", "0", "00"),
        new("IN", "91", "0", "00"),
        new("AE", "971", "0", "00"),
        new("AU", "61", "0", "0011"),
        new("NZ", "64", "0", "00"),
        new("DE", "49", "0", "00"),
        new("FR", "33", "0", "00"),
        new("IT", "39", null, "00"),
        new("ES", "34", null, "00"),
        new("RU", "7", "8", "810"),
    }.ToFrozenDictionary(region => region.Code, StringComparer.OrdinalIgnoreCase);

    public static PhoneRegion? Find(string? code) =>
        code is not null && All.TryGetValue(code.Trim(), out var region) ? region : null;

    /// <summary>The length of the international prefix at the start of <paramref name="digits"/>, or 0.</summary>
    public int InternationalPrefixLength(string digits)
    {
        if (digits.StartsWith(InternationalPrefix, StringComparison.Ordinal))
        {
            return InternationalPrefix.Length;
        }

        // 00 is the ITU-T E.164 recommended international prefix; no region in the table begins a
        // national number with 00, so accepting it everywhere cannot misread a national number.
        return digits.StartsWith("00", StringComparison.Ordinal) ? 2 : 0;
    }
}
