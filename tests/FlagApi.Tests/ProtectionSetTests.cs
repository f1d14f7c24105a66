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
        [(IdentifierKind.Domain, "qq.com"), (IdentifierKind.Url, "github.io/"), (IdentifierKind.Domain, "co.uk")]);

    /// <summary>What refuses an entry that is a public suffix: the Public Suffix List, not a protected identifier.</summary>
    private const string PublicSuffix = "(public suffix)";

    /// <summary>(kind, entry key, the protected value that refuses it, <see cref="PublicSuffix"/>, or null when the entry may be flagged).</summary>
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
        { "domain", "weixin.qq.com", "weixin.qq.com" },

        // A public suffix is refused whether or not anything under it is protected, and before any protection is.
        { "domain", "github.io", PublicSuffix },
        { "domain", "io", PublicSuffix },
        { "domain", "com", PublicSuffix },
        { "domain", "cn", PublicSuffix },
        { "domain", "gov.cn", PublicSuffix },
        { "domain", "com.cn", PublicSuffix },
        { "domain", "blogspot.com", PublicSuffix },
        { "domain", "azurewebsites.net", PublicSuffix },
        { "domain", "fake.com.cn", null },
        { "domain", "evil.azurewebsites.net", null },

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
        { "url", "com/", PublicSuffix },
        { "url", "com.cn/", PublicSuffix },
        { "url", "blogspot.com/", PublicSuffix },
        { "url", "com.cn/evil.html", null },
        { "url", "fake.com.cn/", null },
        { "url", "github.com/evil/repo", null },
        { "url", "github.com/?tab=repositories", null },
        { "url", "evil.github.io/", null },
        { "url", "192.0.2.10/", "192.0.2.10" },
        { "url", "192.0.2.10/phish.html", null },

        // An override lets exactly its entry through: the domain qq.com, not the URL of its whole host; nor any
        // public suffix, which no override can let through.
        { "domain", "qq.com", null },
        { "url", "qq.com/", "weixin.qq.com" },
        { "url", "github.io/", PublicSuffix },
        { "domain", "co.uk", PublicSuffix },
    };

    [Theory]
    [MemberData(nameof(Entries))]
    public void EntryIsRefusedOnlyWhenItWouldFlagAProtectedIdentifier(string kind, string key, string? refusedFor)
    {
        Assert.True(IdentifierKinds.TryParse(kind, out var parsed));

        var refusal = Set.Check(parsed, key);

        Assert.Equal(refusedFor, refusal is { Protected: null } ? PublicSuffix : refusal?.Protected?.Value);
        if (refusal?.Protected is { } item)
        {
            Assert.Contains(item.Value, refusal.Detail, StringComparison.Ordinal);
            Assert.Contains(item.Reason, refusal.Detail, StringComparison.Ordinal);
            Assert.Contains("unless an admin overrides protection for this entry", refusal.Detail, StringComparison.Ordinal);
        }
        else if (refusal is not null)
        {
            Assert.Contains("public suffix", refusal.Detail, StringComparison.Ordinal);
            Assert.Contains("no override can let a public suffix be flagged", refusal.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void APublicSuffixIsRefusedWithoutAnyProtectedIdentifier()
    {
        var refusal = ProtectionSet.Empty.Check(IdentifierKind.Domain, "com.cn");

        Assert.Null(refusal?.Protected);
        Assert.Contains("domain com.cn is a public suffix", refusal?.Detail, StringComparison.Ordinal);
        Assert.Contains("evil.com.cn", refusal?.Detail, StringComparison.Ordinal);
        Assert.Null(ProtectionSet.Empty.Check(IdentifierKind.Domain, "fake.com.cn"));
    }

    [Fact]
    public void OverrideIsSetAsideWhenAskingWhatItOverrides()
    {
        Assert.Null(Set.Check(IdentifierKind.Domain, "qq.com"));
        Assert.Equal("weixin.qq.com", Set.CheckIgnoringOverrides(IdentifierKind.Domain, "qq.com")?.Protected?.Value);
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
