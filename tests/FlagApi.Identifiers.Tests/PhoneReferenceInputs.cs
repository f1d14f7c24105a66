using System.Globalization;
using System.Text;
using PhoneNumbers;

namespace FlagApi.Identifiers.Tests;

/// <summary>
/// Seeded phone inputs for the differential test against libphonenumber: real numbers of 40 countries taken from the
/// reference's own examples and changed digit by digit, China's common spellings, and hostile strings.
/// </summary>
internal static class PhoneReferenceInputs
{
    public static readonly string[] Regions =
    [
        "CN", "HK", "MO", "TW", "MM", "US", "CA", "GB", "DE", "FR", "IT", "ES", "RU", "KZ", "JP", "KR", "SG", "MY", "TH", "PH",
        "VN", "KH", "LA", "ID", "IN", "AE", "AU", "NZ", "KE", "NG", "ZA", "BD", "PK", "SA", "TR", "EG", "BR", "MX", "AR", "UA",
    ];

    private static readonly PhoneNumberType[] Types =
        [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST, PhoneNumberType.VOIP];

    // Area codes of Chinese cities, and codes that no city has, so both sides of the landline rules come up.
    private static readonly string[] ChineseAreaCodes =
        ["10", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "311", "340", "349", "371", "431", "512", "571", "591", "595", "600", "755", "757", "769", "898", "951", "991", "999"];

    private static readonly string[] HostilePieces =
        ["+", "-", " ", "(", ")", "(0)", "0", "00", "86", "\u3000", "\u00A0", "\u202F", "\u200E", "\u200B", "－", "．", "ext", "#", "*", "x", "a", "転", "tel:", ";", ",", "\t"];

    public static IReadOnlyList<string> All(int seed)
    {
        var random = new Random(seed);
        var util = PhoneNumberUtil.GetInstance();
        var inputs = new List<string>();

        foreach (var region in Regions)
        {
            foreach (var type in Types)
            {
                var example = util.GetExampleNumberForType(region, type);
                if (example is null)
                {
                    continue;
                }

                var nsn = util.GetNationalSignificantNumber(example);
                var code = example.CountryCode.ToString(CultureInfo.InvariantCulture);
                for (var variant = 0; variant < 24; variant++)
                {
                    var digits = Vary(random, nsn, variant);
                    foreach (var spelling in Spellings(random, util, region, code, digits))
                    {
                        inputs.Add(spelling);
                    }
                }
            }
        }

        for (var i = 0; i < 3_000; i++)
        {
            inputs.Add(China(random));
        }

        for (var i = 0; i < 2_000; i++)
        {
            inputs.Add(Hostile(random, inputs[random.Next(inputs.Count)]));
        }

        return inputs;
    }

    /// <summary>The example's digits, the same with its last digits changed, one digit more or less.</summary>
    private static string Vary(Random random, string nsn, int variant)
    {
        var digits = new StringBuilder(nsn);
        var changed = Math.Min(variant % 5, nsn.Length - 1);
        for (var i = 0; i < changed; i++)
        {
            digits[nsn.Length - 1 - i] = (char)('0' + random.Next(10));
        }

        switch (variant % 7)
        {
            case 5:
                digits.Append((char)('0' + random.Next(10)));
                break;
            case 6 when digits.Length > 4:
                digits.Length--;
                break;
        }

        return digits.ToString();
    }

    private static IEnumerable<string> Spellings(Random random, PhoneNumberUtil util, string region, string code, string nsn)
    {
        yield return "+" + code + nsn;
        yield return "00" + code + " " + Grouped(random, nsn);
        yield return "+" + code + " " + Grouped(random, nsn);
        var metadata = util.GetMetadataForRegion(region);
        if (metadata.HasNationalPrefix)
        {
            // The trunk prefix written after the country code, out of habit or in brackets.
            yield return "+" + code + " " + metadata.NationalPrefix + Grouped(random, nsn);
            yield return "+" + code + " (" + metadata.NationalPrefix + ")" + Grouped(random, nsn);
        }

        if (region == "CN")
        {
            yield return (metadata.HasNationalPrefix && !nsn.StartsWith('1') ? "0" : "") + Grouped(random, nsn);
            yield return "86 " + Grouped(random, nsn);
        }

        yield return FullWidth("+" + code + nsn);
    }

    private static string China(Random random)
    {
        var digits = random.Next(8) switch
        {
            0 or 1 => "1" + (char)('3' + random.Next(7)) + Digits(random, 9),
            2 or 3 => "0" + ChineseAreaCodes[random.Next(ChineseAreaCodes.Length)] + Digits(random, 6 + random.Next(4)),
            4 => (random.Next(2) == 0 ? "400" : "800") + Digits(random, 6 + random.Next(3)),
            5 => "1" + Digits(random, 10),
            6 => ChineseAreaCodes[random.Next(ChineseAreaCodes.Length)] + Digits(random, 7 + random.Next(2)),
            _ => "0" + ChineseAreaCodes[random.Next(3, ChineseAreaCodes.Length)] + "9" + (char)('5' + random.Next(2)) + Digits(random, 3 + random.Next(2)),
        };
        var prefix = random.Next(8) switch
        {
            0 => "+86 ",
            1 => "0086 ",
            2 => "86 ",
            3 => "+86 (0)",
            4 => "17951 ",
            _ => "",
        };
        if (prefix.Length > 0 && digits.StartsWith('0') && prefix != "17951 ")
        {
            digits = digits[1..];
        }

        return prefix + Grouped(random, digits);
    }

    private static string Hostile(Random random, string seed)
    {
        var text = new StringBuilder(seed);
        var edits = 1 + random.Next(3);
        for (var i = 0; i < edits; i++)
        {
            var at = random.Next(text.Length + 1);
            if (random.Next(3) > 0 || at == text.Length)
            {
                text.Insert(at, HostilePieces[random.Next(HostilePieces.Length)]);
            }
            else
            {
                text.Remove(at, 1);
            }
        }

        return text.ToString();
    }

    private static string Grouped(Random random, string digits)
    {
        var separator = random.Next(5) switch
        {
            0 => " ",
            1 => "-",
            2 => ".",
            3 => "\u3000",
            _ => "",
        };
        var text = new StringBuilder();
        for (var i = 0; i < digits.Length; i++)
        {
            if (i > 0 && i % 4 == 3)
            {
                text.Append(separator);
            }

            text.Append(digits[i]);
        }

        return text.ToString();
    }

    private static string FullWidth(string text) =>
        string.Concat(text.Select(c => c switch
        {
            >= '0' and <= '9' => (char)('０' + (c - '0')),
            '+' => '＋',
            _ => c,
        }));

    private static string Digits(Random random, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + random.Next(10))));
}
