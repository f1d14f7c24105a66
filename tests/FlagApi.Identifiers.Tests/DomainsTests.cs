using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

public class DomainsTests
{
    public static TheoryData<string, string> CanonicalForms => new()
    {
        // The examples of docs/product.md.
        { "Evil.Example.", "evil.example" },
        { "www.evil.example", "www.evil.example" },
        { "例子.测试", "xn--fsqu00a.xn--0zwm56d" },
        { "xn--fsqu00a.xn--0zwm56d", "xn--fsqu00a.xn--0zwm56d" },
        { "XN--FSQU00A.XN--0ZWM56D", "xn--fsqu00a.xn--0zwm56d" },

        // Case, spaces around, the root dot.
        { "EVIL.EXAMPLE", "evil.example" },
        { "  evil.example  ", "evil.example" },
        { "\tevil.example\r\n", "evil.example" },
        { "\u3000evil.example\u3000", "evil.example" },
        { "evil.example.", "evil.example" },
        { "a.b.evil.example", "a.b.evil.example" },

        // Full-width input, as Chinese input methods type it.
        { "ｅｖｉｌ．ｅｘａｍｐｌｅ", "evil.example" },
        { "ＥＶＩＬ。ＥＸＡＭＰＬＥ", "evil.example" },
        { "evil。example", "evil.example" },
        { "evil｡example", "evil.example" },
        { "例子。测试。", "xn--fsqu00a.xn--0zwm56d" },

        // IDN.
        { "www.ümlat.com", "www.xn--mlat-zra.com" },
        { "MÜNCHEN.de", "xn--mnchen-3ya.de" },
        { "💩.la", "xn--ls8h.la" },
        { "例子.中国", "xn--fsqu00a.xn--fiqs8s" },
        { "bücher.example", "xn--bcher-kva.example" },

        // Real names with underscores and hyphens.
        { "_dmarc.evil.example", "_dmarc.evil.example" },
        { "my_shop.evil.example", "my_shop.evil.example" },
        { "evil-example.com", "evil-example.com" },
        { "a--b.example", "a--b.example" },
        { "123.evil.example", "123.evil.example" },
        { "evil.example.com", "evil.example.com" },

        // A pasted URL stands for its host.
        { "https://evil.example/path", "evil.example" },
        { "http://Evil.Example.:8080/login?x=1#top", "evil.example" },
        { "evil.example/path", "evil.example" },
        { "evil.example:8080", "evil.example" },
        { "https://user:pw@www.例子.测试/", "www.xn--fsqu00a.xn--0zwm56d" },
        { "http://3279880203/blah", "195.127.0.11" },

        // IP addresses are accepted as their canonical form, the same a URL host would get.
        { "195.127.0.11", "195.127.0.11" },
        { "3279880203", "195.127.0.11" },
        { "0xC3.0x7F.0.0xB", "195.127.0.11" },
        { "127.1", "127.0.0.1" },
        { "１２７．０．０．１", "127.0.0.1" },
        { "0x7f.1", "127.0.0.1" },
        { "017700000001", "127.0.0.1" },
        { "3232235777", "192.168.1.1" },
        { "2001:0DB8:0000::1", "[2001:db8::1]" },
        { "[2001:db8::1]", "[2001:db8::1]" },
        { "http://[2001:db8::1]:443/", "[2001:db8::1]" },

        // An IPv4-mapped IPv6 address is the IPv4 address it maps.
        { "[::ffff:1.2.3.4]", "1.2.3.4" },
        { "::ffff:0102:0304", "1.2.3.4" },
        { "http://[::FFFF:7F00:1]/", "127.0.0.1" },

        // A name that only looks numeric is no address; it stays a name, as in a URL.
        { "1.2.3.09", "1.2.3.09" },
        { "1.2.3.999", "1.2.3.999" },
        { "Evil.123", "evil.123" },
        { "0X1.0X100000000", "0x1.0x100000000" },
        { "http://1.2.3.09/", "1.2.3.09" },
    };

    public static TheoryData<string, string> Rejections => new()
    {
        { "", "empty" },
        { "   ", "empty" },
        { "\u3000", "empty" },
        { ".", "only a dot" },
        { "evil", "two labels" },
        { "localhost", "two labels" },
        { "localhost.", "two labels" },
        { "例子", "two labels" },
        { ".evil.example", "empty label" },
        { "evil..example", "empty label" },
        { "evil.example..", "empty label" },
        { "evil example.com", "space" },
        { "evil.exam ple", "space" },
        { "evil!.example", "“!”" },
        { "evil%20.example", "“%”" },
        { "*.evil.example", "Wildcards" },
        { "evil\u0001.example", "U+0001" },
        { new string('a', 64) + ".example", "63" },
        { string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".example", "253" },
        { "xn--zzzzzzzzz.example", "punycode" },
        { "xn--.example", "punycode" },
        { "-.-", "hyphen" },
        { "-evil.example", "hyphen" },
        { "evil-.example", "hyphen" },
        { "www.evil.example-", "hyphen" },
        { "https://-/", "hyphen" },
        { "ü-.example", "internationalized" },
        { "xn---tda.example", "punycode" },
        { "4294967296", "two labels" },
        { "0x100000000", "two labels" },
        { "mailto:evil@evil.example", "http and https" },
        { "javascript:alert(1)", "http and https" },
        { "https://", "host" },
        { "https://evil/", "two labels" },
        { "http://evil%20site.example/", "“%”" },
    };

    [Theory]
    [MemberData(nameof(CanonicalForms))]
    public void EverySpellingOfADomainMeetsOneCanonicalForm(string input, string expected)
    {
        var result = Domains.Canonicalize(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [MemberData(nameof(CanonicalForms))]
    public void CanonicalizingACanonicalDomainReturnsItUnchanged(string input, string expected)
    {
        _ = input;
        Assert.Equal(expected, Domains.Canonicalize(expected).Value);
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void WhatIsNotADomainIsRejectedWithAReason(string input, string reasonMentions)
    {
        var result = Domains.Canonicalize(input);
        Assert.False(result.IsValid, $"accepted as {result.Value}");
        Assert.Equal("invalid_domain", result.ErrorCode);
        Assert.Contains(reasonMentions, result.ErrorDetail, StringComparison.Ordinal);
        Assert.EndsWith(".", result.ErrorDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void ALoneSurrogateIsRejectedByItsCodePoint()
    {
        // Not theory data: test runners serialize theory arguments and would turn the lone surrogate into U+FFFD.
        var result = Domains.Canonicalize("evil\ud800.example");
        Assert.Equal("invalid_domain", result.ErrorCode);
        Assert.Contains("U+D800", result.ErrorDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.b.evil.example", "a.b.evil.example|b.evil.example|evil.example")]
    [InlineData("evil.example", "evil.example")]
    [InlineData("www.xn--fsqu00a.xn--0zwm56d", "www.xn--fsqu00a.xn--0zwm56d|xn--fsqu00a.xn--0zwm56d")]
    [InlineData("a.b.c.d.e.f.g.h", "a.b.c.d.e.f.g.h|b.c.d.e.f.g.h|c.d.e.f.g.h|d.e.f.g.h|e.f.g.h|f.g.h|g.h")]
    [InlineData("195.127.0.11", "195.127.0.11")]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData("[2001:db8::1]", "[2001:db8::1]")]
    [InlineData("[::192.9.5.5]", "[::192.9.5.5]")]
    [InlineData("host", "host")]
    [InlineData("1.2.3.4.evil.example", "1.2.3.4.evil.example|2.3.4.evil.example|3.4.evil.example|4.evil.example|evil.example")]
    [InlineData("a.1.2.3.4", "a.1.2.3.4")]
    [InlineData("1.2.3.999", "1.2.3.999")]
    [InlineData("x.1.2.300000", "x.1.2.300000|1.2.300000")]
    [InlineData("1.2.3.09", "1.2.3.09|2.3.09|3.09")]
    public void SelfAndParentsListsEveryParentOfAtLeastTwoLabels(string host, string expected)
    {
        Assert.Equal(expected.Split('|'), Domains.SelfAndParents(host));
    }

    [Fact]
    public void OnlyParentsThatFitInADnsNameAreListedAboveAHugeHost()
    {
        var host = string.Concat(Enumerable.Repeat("a.", 2_044)) + "example";

        var hosts = Domains.SelfAndParents(host);

        Assert.Equal(host, hosts[0]);
        Assert.Equal("a.example", hosts[^1]);
        Assert.All(hosts.Skip(1), parent => Assert.InRange(parent.Length, 9, 253));
        Assert.Equal(123, hosts.Count - 1); // "a." 1 to 123 times before "example"
    }

    [Theory]
    [InlineData("evil.example", "evil.example.com")]
    [InlineData("evil.example", "evil-example.com")]
    [InlineData("evil.example", "notevil.example")]
    [InlineData("evil.example", "evil.examples")]
    [InlineData("evil.example", "example")]
    [InlineData("xn--fsqu00a.xn--0zwm56d", "xn--fsqu00a.xn--0zwm56d.com")]
    public void LookAlikeDomainsAreNotCoveredByAFlaggedDomain(string flagged, string other)
    {
        Assert.NotEqual(Domains.Canonicalize(flagged).Value, Domains.Canonicalize(other).Value);
        Assert.DoesNotContain(flagged, Domains.SelfAndParents(other));
    }

    [Theory]
    [InlineData("evil.example", "evil.example")]
    [InlineData("EVIL.example.", "evil.example")]
    [InlineData("www.evil.example", "www.evil.example")]
    [InlineData("例子.测试", "xn--fsqu00a.xn--0zwm56d")]
    [InlineData("ｅｖｉｌ．ｅｘａｍｐｌｅ", "evil.example")]
    [InlineData("www.ümlat.com", "www.xn--mlat-zra.com")]
    [InlineData("3279880203", "195.127.0.11")]
    [InlineData("[2001:0db8::1]", "[2001:db8::1]")]
    [InlineData("_dmarc.evil.example", "_dmarc.evil.example")]
    public void ADomainAndTheHostOfAUrlOnItAgree(string spelling, string canonical)
    {
        Assert.Equal(canonical, Domains.Canonicalize(spelling).Value);
        var url = Urls.Canonicalize("http://" + spelling + "/page");
        Assert.True(url.IsValid, url.ToString());
        Assert.Equal(canonical, Urls.Host(url.Value!));
    }

    [Fact]
    public void NastyRandomStringsNeverThrowAndWhatIsAcceptedIsStable()
    {
        string[] pieces =
        [
            ".", "..", "。", "．", "｡", "-", "_", "*", " ", "\u3000", ":", "/", "[", "]", "@", "%", "%20", "xn--", "xn--fsqu00a",
            "evil", "EXAMPLE", "com", "例子", "测试", "ü", "ｅ", "１", "0x", "0", "255", "4294967296", "https://", "\ud800",
            "\udc00", "\ud83d\ude00", "\u0080", "\0", "\t", "\u00ad", "\u200d", "⒈", "％", "／", new string('a', 64),
        ];
        var random = new Random(7);
        var failures = new List<string>();
        for (var i = 0; i < 10_000; i++)
        {
            var count = random.Next(0, 10);
            var input = string.Concat(Enumerable.Range(0, count).Select(_ => random.Next(4) == 0
                ? ((char)random.Next(0, 0x10000)).ToString()
                : pieces[random.Next(pieces.Length)]));

            var result = Domains.Canonicalize(input);
            if (!result.IsValid)
            {
                Assert.Equal("invalid_domain", result.ErrorCode);
                Assert.False(string.IsNullOrWhiteSpace(result.ErrorDetail));
                continue;
            }

            if (Domains.Canonicalize(result.Value!).Value != result.Value)
            {
                failures.Add($"{input} → {result.Value}");
            }

            Assert.Equal(result.Value, Domains.SelfAndParents(result.Value!)[0]);
        }

        Assert.Empty(failures);
    }
}
