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
    }

    [Benchmark(Description = "Identifier.Canonicalize phone")]
    public CanonicalResult CanonicalizePhone() => Identifier.Canonicalize(IdentifierKind.Phone, phone);

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
