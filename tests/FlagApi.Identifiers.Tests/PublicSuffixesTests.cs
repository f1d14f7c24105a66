using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

/// <summary>
/// The Public Suffix List as FlagApi reads it. The table follows the cases the list's own project checks its
/// algorithm with (unlisted and listed top-level domains, rules of several levels, wildcards and their exceptions,
/// IDN rules in Unicode and in punycode, the private section), on names of our own and rules of the committed copy.
/// </summary>
public class PublicSuffixesTests
{
    /// <summary>(a domain as typed, its registrable domain, or null when the domain is itself a public suffix).</summary>
    public static TheoryData<string, string?> RegistrableDomains => new()
    {
        // A top-level domain the list does not name is a public suffix by the list's implicit rule "*".
        { "example", null },
        { "fraud.example", "fraud.example" },
        { "www.fraud.example", "fraud.example" },
        { "pay.www.fraud.example", "fraud.example" },

        // A top-level domain with one rule.
        { "biz", null },
        { "fake-shop.biz", "fake-shop.biz" },
        { "www.fake-shop.biz", "fake-shop.biz" },

        // A top-level domain with rules of two levels.
        { "com", null },
        { "evil.com", "evil.com" },
        { "a.b.evil.com", "evil.com" },
        { "uk.com", null },
        { "evil.uk.com", "evil.uk.com" },
        { "www.evil.uk.com", "evil.uk.com" },

        // China: second-level and provincial suffixes.
        { "cn", null },
        { "com.cn", null },
        { "gov.cn", null },
        { "bj.cn", null },
        { "fake.com.cn", "fake.com.cn" },
        { "www.fake.com.cn", "fake.com.cn" },
        { "fake-police.gov.cn", "fake-police.gov.cn" },
        { "m.fake-police.gov.cn", "fake-police.gov.cn" },
        { "evil.bj.cn", "evil.bj.cn" },
        { "evil.cn", "evil.cn" },

        // Rules of three levels and more.
        { "jp", null },
        { "kyoto.jp", null },
        { "ide.kyoto.jp", null },
        { "evil.ide.kyoto.jp", "evil.ide.kyoto.jp" },
        { "www.evil.ide.kyoto.jp", "evil.ide.kyoto.jp" },
        { "us", null },
        { "ak.us", null },
        { "k12.ak.us", null },
        { "school.k12.ak.us", "school.k12.ak.us" },
        { "www.school.k12.ak.us", "school.k12.ak.us" },

        // A wildcard makes every name one label below it a suffix; an exception takes one name back.
        { "ck", null },
        { "evil.ck", null },
        { "shop.evil.ck", "shop.evil.ck" },
        { "www.shop.evil.ck", "shop.evil.ck" },
        { "www.ck", "www.ck" },
        { "pay.www.ck", "www.ck" },
        { "kawasaki.jp", "kawasaki.jp" },
        { "ward.kawasaki.jp", null },
        { "evil.ward.kawasaki.jp", "evil.ward.kawasaki.jp" },
        { "city.kawasaki.jp", "city.kawasaki.jp" },
        { "www.city.kawasaki.jp", "city.kawasaki.jp" },
        { "bd", null },
        { "com.bd", null },
        { "evil.com.bd", "evil.com.bd" },

        // IDN rules are written in Unicode in the list and compared in punycode, as canonical domains are.
        { "公司.cn", null },
        { "xn--55qx5d.cn", null },
        { "例子.公司.cn", "xn--fsqu00a.xn--55qx5d.cn" },
        { "www.例子.公司.cn", "xn--fsqu00a.xn--55qx5d.cn" },
        { "www.xn--fsqu00a.xn--55qx5d.cn", "xn--fsqu00a.xn--55qx5d.cn" },
        { "网络.cn", null },
        { "例子.网络.cn", "xn--fsqu00a.xn--io0a7i.cn" },
        { "公司.hk", null },
        { "例子.公司.hk", "xn--fsqu00a.xn--55qx5d.hk" },
        { "例子.com.cn", "xn--fsqu00a.com.cn" },

        // The private section counts as much as the ICANN one: hosting platforms where anyone gets a name.
        { "github.io", null },
        { "evil.github.io", "evil.github.io" },
        { "login.evil.github.io", "evil.github.io" },
        { "blogspot.com", null },
        { "fake-bank.blogspot.com", "fake-bank.blogspot.com" },
        { "azurewebsites.net", null },
        { "phish.azurewebsites.net", "phish.azurewebsites.net" },
        { "s3.amazonaws.com", null },
        { "bucket.s3.amazonaws.com", "bucket.s3.amazonaws.com" },
        { "amazonaws.com", "amazonaws.com" },
        { "x.compute.amazonaws.com", null },
        { "evil.x.compute.amazonaws.com", "evil.x.compute.amazonaws.com" },
        { "compute.amazonaws.com", "amazonaws.com" },

        // Case and the root dot do not matter once the domain is canonical.
        { "EVIL.COM.CN.", "evil.com.cn" },
        { "GitHub.IO", null },
    };

    [Theory]
    [MemberData(nameof(RegistrableDomains))]
    public void ARegistrableDomainIsItsPublicSuffixAndOneLabelMore(string typed, string? registrable)
    {
        var domain = Canonical(typed);

        Assert.Equal(registrable, PublicSuffixes.RegistrableDomain(domain));
        Assert.Equal(registrable is null, PublicSuffixes.IsPublicSuffix(domain));
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("195.127.0.11")]
    [InlineData("[2001:db8::1]")]
    [InlineData("")]
    public void AnAddressIsNoPublicSuffixAndHasNoRegistrableDomain(string host)
    {
        Assert.False(PublicSuffixes.IsPublicSuffix(host));
        Assert.Null(PublicSuffixes.RegistrableDomain(host));
    }

    [Fact]
    public void BothSectionsOfTheCommittedListAreRead()
    {
        // Some 9,500 rules in the 2023 copy, and the names above them; far fewer would mean a part was lost.
        Assert.InRange(PublicSuffixes.List.Count, 9_000, 30_000);
        Assert.True(PublicSuffixes.IsPublicSuffix("ac"));
        Assert.True(PublicSuffixes.IsPublicSuffix("com.cn"));
        Assert.True(PublicSuffixes.IsPublicSuffix("github.io"));
    }

    [Fact]
    public void ALookupAllocatesNothingEvenForAHugeDomain()
    {
        var huge = string.Concat(Enumerable.Repeat("a.", 8_000)) + "evil.com.cn";
        Assert.False(PublicSuffixes.IsPublicSuffix(huge));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _ = PublicSuffixes.IsPublicSuffix(huge);
            _ = PublicSuffixes.IsPublicSuffix("www.fake.com.cn");
            _ = PublicSuffixes.IsPublicSuffix("github.io");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>(a list file, a domain, its registrable domain): the reader on lists small enough to see whole.</summary>
    public static TheoryData<string, string, string?> SmallLists => new()
    {
        // Comments, blank lines, and what follows white space on a rule's line are not rules.
        { "// a comment\n\ncn\ncom.cn  the rest is ignored\n", "a.com.cn", "a.com.cn" },
        { "// com.cn\ncn\n", "a.com.cn", "com.cn" },
        { "\tcom.cn\t\n", "com.cn", null },

        // A rule may be written in any case, and in Unicode.
        { "CN\nCOM.CN\n", "a.com.cn", "a.com.cn" },
        { "cn\n公司.cn\n", "a.xn--55qx5d.cn", "a.xn--55qx5d.cn" },

        // A longer rule is found below names that are not rules themselves.
        { "com\nb.example.com\n", "a.b.example.com", "a.b.example.com" },
        { "com\nb.example.com\n", "example.com", "example.com" },

        // An exception prevails over the wildcard and over any longer rule.
        { "*.ck\n!www.ck\n", "www.ck", "www.ck" },
        { "*.ck\n!www.ck\nx.www.ck\n", "x.www.ck", "www.ck" },
        { "*.ck\n", "a.b.ck", "a.b.ck" },
    };

    [Theory]
    [MemberData(nameof(SmallLists))]
    public void TheReaderFollowsTheListsFormatAndAlgorithm(string file, string domain, string? registrable)
    {
        var list = PublicSuffixList.Parse(new StringReader(file));

        var start = list.SuffixStart(domain);

        Assert.Equal(registrable is null, start == 0);
        if (registrable is not null)
        {
            Assert.EndsWith("." + domain[start..], "." + registrable, StringComparison.Ordinal);
            Assert.Equal(registrable.Count(c => c == '.'), domain[start..].Count(c => c == '.') + 1);
        }
    }

    [Theory]
    [InlineData("a.*.ck")]
    [InlineData("*.*.ck")]
    [InlineData("*ck")]
    [InlineData("!")]
    [InlineData("!*.ck")]
    public void ARuleTheLookupCannotHonourStopsTheReadRatherThanBeingMisread(string rule)
    {
        var error = Assert.Throws<InvalidDataException>(() => PublicSuffixList.Parse(new StringReader("ck\n" + rule + "\n")));

        Assert.Contains("Line 2", error.Message, StringComparison.Ordinal);
    }

    private static string Canonical(string typed)
    {
        var domain = Domains.Canonicalize(typed);
        return domain.IsValid ? domain.Value! : typed.ToLowerInvariant();
    }
}
