using FlagApi.Identifiers;
using FlagApi.Protection;

namespace FlagApi.Tests;

public class ProtectionSetTests
{
    private static readonly ProtectionSet Set = new(
        [
            Item(1, IdentifierKind.Phone, "+8695555"),
            Item(2, IdentifierKind.Domain, "github.io"),
            Item(3, IdentifierKind.Domain, "github.com"),
            Item(4, IdentifierKind.Domain, "weixin.qq.com"),
            Item(5, IdentifierKind.App, "com.tencent.mm"),
            Item(6, IdentifierKind.Account, "qq:10000"),
            Item(7, IdentifierKind.Domain, "gov.cn"),
            Item(8, IdentifierKind.Domain, "mps.gov.cn"),
            Item(9, IdentifierKind.Domain, "192.0.2.10"),
        ],
        [(IdentifierKind.Domain, "qq.com"), (IdentifierKind.Url, "github.io/")]);

    /// <summary>(kind, entry key, the protected value that refuses it, or null when the entry may be flagged).</summary>
    public static TheoryData<string, string, string?> Entries => new()
    {
        // Phones, apps and accounts: the exact key only.
        { "phone", "+8695555", "+8695555" },
        { "phone", "+86955551", null },
        { "phone", "+8695588", null },
        { "app", "com.tencent.mm", "com.tencent.mm" },
        { "app", "com.tencent.mm.fake", null },
        { "account", "qq:10000", "qq:10000" },
        { "account", "wechat:10000", null },

        // A domain: itself and its parents are refused, down to the top-level label.
        { "domain", "github.com", "github.com" },
        { "domain", "github.io", "github.io" },
        { "domain", "io", "github.io" },
        { "domain", "com", "github.com" },
        { "domain", "weixin.qq.com", "weixin.qq.com" },
        { "domain", "cn", "gov.cn" },
        { "domain", "gov.cn", "gov.cn" },

        // ... its subdomains are not: fraud pages live on hosting platforms.
        { "domain", "evil.github.io", null },
        { "domain", "a.b.github.com", null },
        { "domain", "fake.weixin.qq.com", null },
        { "domain", "notgithub.com", null },
        { "domain", "github.com.evil.example", null },
        { "domain", "fake-police.gov.cn", null },

        // An IP address is a host without parents.
        { "domain", "192.0.2.10", "192.0.2.10" },
        { "domain", "0.2.10", null },

        // A URL entry for a whole host (path "/") is judged as that host; a specific page is allowed.
        { "url", "github.com/", "github.com" },
        { "url", "com/", "github.com" },
        { "url", "github.com/evil/repo", null },
        { "url", "github.com/?tab=repositories", null },
        { "url", "evil.github.io/", null },
        { "url", "192.0.2.10/", "192.0.2.10" },
        { "url", "192.0.2.10/phish.html", null },

        // An override lets exactly its entry through: the domain qq.com, not the URL of its whole host.
        { "domain", "qq.com", null },
        { "url", "github.io/", null },
        { "url", "qq.com/", "weixin.qq.com" },
    };

    [Theory]
    [MemberData(nameof(Entries))]
    public void EntryIsRefusedOnlyWhenItWouldFlagAProtectedIdentifier(string kind, string key, string? refusedFor)
    {
        Assert.True(IdentifierKinds.TryParse(kind, out var parsed));

        var refusal = Set.Check(parsed, key);

        Assert.Equal(refusedFor, refusal?.Protected.Value);
        if (refusal is not null)
        {
            Assert.Contains(refusal.Protected.Value, refusal.Detail, StringComparison.Ordinal);
            Assert.Contains(refusal.Protected.Reason, refusal.Detail, StringComparison.Ordinal);
            Assert.Contains("unless an admin overrides protection for this entry", refusal.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OverrideIsSetAsideWhenAskingWhatItOverrides()
    {
        Assert.Null(Set.Check(IdentifierKind.Domain, "qq.com"));
        Assert.Equal("weixin.qq.com", Set.CheckIgnoringOverrides(IdentifierKind.Domain, "qq.com")?.Protected.Value);
    }

    /// <summary>(kind, canonical lookup, the protected value the lookup names, or null).</summary>
    public static TheoryData<string, string, string?> Lookups => new()
    {
        { "phone", "+8695555", "+8695555" },
        { "phone", "+8613800138000", null },
        { "app", "com.tencent.mm", "com.tencent.mm" },
        { "domain", "github.com", "github.com" },
        { "domain", "evil.github.io", "github.io" },
        { "domain", "qq.com", null },
        { "domain", "open.weixin.qq.com", "weixin.qq.com" },
        { "domain", "www.mps.gov.cn", "mps.gov.cn" },
        { "domain", "fake-police.gov.cn", "gov.cn" },
        { "domain", "io", null },
        { "url", "https://github.com/x", "github.com" },
        { "url", "http://evil.github.io/login.html", "github.io" },
        { "url", "http://github.com.evil.example/", null },
        { "url", "http://192.0.2.10/", "192.0.2.10" },
    };

    [Theory]
    [MemberData(nameof(Lookups))]
    public void LookupNamesTheMostSpecificProtectedIdentifierItIsOrLiesUnder(string kind, string canonical, string? protectedValue)
    {
        Assert.True(IdentifierKinds.TryParse(kind, out var parsed));

        Assert.Equal(protectedValue, Set.Covering(parsed, canonical)?.Value);
    }

    private static ProtectedItem Item(long id, IdentifierKind kind, string value) => new(id, kind, value, value, $"reason {id}");
}
