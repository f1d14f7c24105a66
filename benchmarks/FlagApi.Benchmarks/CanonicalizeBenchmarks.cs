using System.Globalization;
using BenchmarkDotNet.Attributes;
using FlagApi.Identifiers;

namespace FlagApi.Benchmarks;

/// <summary>Canonicalization of each kind, on inputs spelled as people paste them.</summary>
public class CanonicalizeBenchmarks
{
    // Fields rather than constants, so that the compiler cannot fold anything away.
    private readonly string phone = "+86 138-0013-8000";
    private readonly string url = "HTTPS://Www.Example-Pay.COM:443/account/../login/verify.html?id=42&ref=sms#top";
    private readonly string domain = "WWW.Bank-Secure-Login.CN.";
    private readonly string app = "云客服APP";
    private readonly string account = "WeChat: wxid_Scam_Helper88";

    private const int PhoneMixSize = 1_000;

    private readonly string landline = "010-8765 4321";
    private readonly string foreignPhone = "+44 20 7946 0958";
    private string[] phoneMix = [];

    private readonly string canonicalPhone = "+8613800138000";

    private string canonicalUrl = "";

    [GlobalSetup]
    public void Setup()
    {
        foreach (var (kind, input) in new[]
        {
            (IdentifierKind.Phone, phone), (IdentifierKind.Url, url), (IdentifierKind.Domain, domain),
            (IdentifierKind.App, app), (IdentifierKind.Account, account),
        })
        {
            var result = Identifier.Canonicalize(kind, input);
            if (!result.IsValid)
            {
                throw new InvalidOperationException($"The benchmark's {kind} input '{input}' is refused: {result.ErrorCode}.");
            }
        }

        canonicalUrl = Identifier.Canonicalize(IdentifierKind.Url, url).Value!;
        phoneMix = PhoneMix(new Random(16));
        var refused = phoneMix.Where(input => !Identifier.Canonicalize(IdentifierKind.Phone, input).IsValid).ToList();
        if (refused.Count > 0)
        {
            throw new InvalidOperationException($"The benchmark's phone numbers should all be real numbers; refused: {string.Join(", ", refused.Take(5))}.");
        }
    }

    private static string[] PhoneMix(Random random)
    {
        string Digits(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + random.Next(10))));
        string[] mobileSpellings = ["{0}", "+86 {0}", "+86-{0}", "0086 {0}", "86{0}", "tel:+86{0}"];
        string[] areaCodes = ["10", "20", "21", "755", "571", "28"];
        string[] foreign = ["+1 202 555 {0}", "+44 20 7946 {0}", "+852 5123 {0}", "+886 912 34{0}", "+81 90 1234 {0}", "+65 8123 {0}"];
        var mix = new string[PhoneMixSize];
        for (var i = 0; i < mix.Length; i++)
        {
            var pick = i % 20;
            mix[i] = pick switch
            {
                < 12 => string.Format(CultureInfo.InvariantCulture, mobileSpellings[pick % mobileSpellings.Length], "1" + "3456789"[random.Next(7)] + "8" + Digits(8)),
                < 15 => "0" + areaCodes[random.Next(areaCodes.Length)] + "-" + "8" + Digits(7),
                15 => "400-" + Digits(3) + "-" + Digits(4),
                16 => i % 40 == 16 ? "95" + Digits(3) : "1069" + Digits(10),
                _ => string.Format(CultureInfo.InvariantCulture, foreign[random.Next(foreign.Length)], "0" + Digits(3)),
            };
        }

        return mix;
    }

    [Benchmark(Description = "Identifier.Canonicalize phone")]
    public CanonicalResult CanonicalizePhone() => Identifier.Canonicalize(IdentifierKind.Phone, phone);

    [Benchmark(Description = "Identifier.Canonicalize phone, landline 010-8765 4321")]
    public CanonicalResult CanonicalizeLandline() => Identifier.Canonicalize(IdentifierKind.Phone, landline);

    [Benchmark(Description = "Identifier.Canonicalize phone, +44 20 7946 0958")]
    public CanonicalResult CanonicalizeForeignPhone() => Identifier.Canonicalize(IdentifierKind.Phone, foreignPhone);

    /// <summary>
    /// A police list's mix, each number different: Chinese mobiles spelled six ways (60 %), landlines (15 %), 400/800
    /// (5 %), short service and SMS sender numbers (5 %), numbers of other countries with + (15 %).
    /// </summary>
    [Benchmark(Description = "Identifier.Canonicalize phone, list mix (per number)", OperationsPerInvoke = PhoneMixSize)]
    public int CanonicalizePhoneMix()
    {
        var valid = 0;
        foreach (var input in phoneMix)
        {
            valid += Identifier.Canonicalize(IdentifierKind.Phone, input).IsValid ? 1 : 0;
        }

        return valid;
    }

    [Benchmark(Description = "Phones.Describe +8613800138000 (a phone lookup's type and region)")]
    public PhoneNumberInfo? DescribePhone() => Phones.Describe(canonicalPhone);

    [Benchmark(Description = "Identifier.Canonicalize url")]
    public CanonicalResult CanonicalizeUrl() => Identifier.Canonicalize(IdentifierKind.Url, url);

    [Benchmark(Description = "Identifier.Canonicalize domain")]
    public CanonicalResult CanonicalizeDomain() => Identifier.Canonicalize(IdentifierKind.Domain, domain);

    [Benchmark(Description = "Identifier.Canonicalize app")]
    public CanonicalResult CanonicalizeApp() => Identifier.Canonicalize(IdentifierKind.App, app);

    [Benchmark(Description = "Identifier.Canonicalize account")]
    public CanonicalResult CanonicalizeAccount() => Identifier.Canonicalize(IdentifierKind.Account, account);

    [Benchmark(Description = "Matching.Probes url")]
    public IReadOnlyList<MatchProbe> ProbesOfUrl() => Matching.Probes(IdentifierKind.Url, canonicalUrl);
}
