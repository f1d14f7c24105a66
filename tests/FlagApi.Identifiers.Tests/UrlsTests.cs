using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

public class UrlsTests
{
    /// <summary>
    /// Every Canonicalize(...) line of Safe Browsing v4 "URLs and Hashing", section Canonicalization, verbatim.
    /// The C escapes \x01 \x80 \t \r \n are the characters U+0001, U+0080, tab, CR and LF.
    /// </summary>
    public static TheoryData<string, string> PublishedVectors => new()
    {
        { "http://host/%25%32%35", "http://host/%25" },
        { "http://host/%25%32%35%25%32%35", "http://host/%25%25" },
        { "http://host/%2525252525252525", "http://host/%25" },
        { "http://host/asdf%25%32%35asd", "http://host/asdf%25asd" },
        { "http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25" },
        { "http://www.google.com/", "http://www.google.com/" },
        { "http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/%77%77%77%2E%65%62%61%79%2E%63%6F%6D/", "http://168.188.99.26/.secure/www.ebay.com/" },
        { "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/", "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/" },
        { "http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B", "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+" },
        { "http://3279880203/blah", "http://195.127.0.11/blah" },
        { "http://www.google.com/blah/..", "http://www.google.com/" },
        { "www.google.com/", "http://www.google.com/" },
        { "www.google.com", "http://www.google.com/" },
        { "http://www.evil.com/blah#frag", "http://www.evil.com/blah" },
        { "http://www.GOOgle.com/", "http://www.google.com/" },
        { "http://www.google.com.../", "http://www.google.com/" },
        { "http://www.google.com/foo\tbar\rbaz\n2", "http://www.google.com/foobarbaz2" },
        { "http://www.google.com/q?", "http://www.google.com/q?" },
        { "http://www.google.com/q?r?", "http://www.google.com/q?r?" },
        { "http://www.google.com/q?r?s", "http://www.google.com/q?r?s" },
        { "http://evil.com/foo#bar#baz", "http://evil.com/foo" },
        { "http://evil.com/foo;", "http://evil.com/foo;" },
        { "http://evil.com/foo?bar;", "http://evil.com/foo?bar;" },
        { "http://\x01\u0080.com/", "http://%01%80.com/" },
        { "http://notrailingslash.com", "http://notrailingslash.com/" },
        { "http://www.gotaport.com:1234/", "http://www.gotaport.com/" },
        { "  http://www.google.com/  ", "http://www.google.com/" },
        { "http:// leadingspace.com/", "http://%20leadingspace.com/" },
        { "http://%20leadingspace.com/", "http://%20leadingspace.com/" },
        { "%20leadingspace.com/", "http://%20leadingspace.com/" },
        { "https://www.securesite.com/", "https://www.securesite.com/" },
        { "http://host.com/ab%23cd", "http://host.com/ab%23cd" },
        { "http://host.com//twoslashes?more//slashes", "http://host.com/twoslashes?more//slashes" },
    };

    /// <summary>Cases beyond the page: what users paste, IP spellings, IDN, IPv6, and the browser's reading of the authority.</summary>
    public static TheoryData<string, string> MoreCanonicalForms => new()
    {
        // IPv4 in every legal spelling (inet_aton; the page: "octal, hex, and fewer than four components").
        { "http://0xC37F000B/", "http://195.127.0.11/" },
        { "http://0303.0177.0.013/", "http://195.127.0.11/" },
        { "http://0x12.0x43.0x44.0x01/", "http://18.67.68.1/" },
        { "http://012.034.01.055/", "http://10.28.1.45/" },
        { "http://12.0x12.01234/", "http://12.18.2.156/" },
        { "http://167838211/", "http://10.1.2.3/" },
        { "http://4294967295/", "http://255.255.255.255/" },
        { "http://127.1/", "http://127.0.0.1/" },
        { "http://1.2.515/x", "http://1.2.2.3/x" },
        { "http://192.168.0.1:80/index.html", "http://192.168.0.1/index.html" },
        { "3279880203/blah", "http://195.127.0.11/blah" },
        { "http://１２７．０．０．１/", "http://127.0.0.1/" },
        { "http://0x7f.1/", "http://127.0.0.1/" },
        { "http://017700000001/", "http://127.0.0.1/" },
        { "http://3232235777/", "http://192.168.1.1/" },

        // A host that only looks numeric is no address, and Safe Browsing keeps it as a name ("if the hostname can
        // be parsed as an IPv4 address"): neither refused nor read as some other address.
        { "http://1.2.3.09/", "http://1.2.3.09/" },
        { "http://4294967296/", "http://4294967296/" },
        { "http://0X100000000/", "http://0x100000000/" },
        { "http://1.2.3.999/", "http://1.2.3.999/" },
        { "http://123.123.0.0.1/", "http://123.123.0.0.1/" },
        { "http://08.1.1.1/", "http://08.1.1.1/" },
        { "http://Evil.123/", "http://evil.123/" },

        // IDN hosts become punycode; the same host escaped as UTF-8 bytes meets the same form.
        { "http://www.ümlat.com/", "http://www.xn--mlat-zra.com/" },
        { "http://www.%C3%BCmlat.com/", "http://www.xn--mlat-zra.com/" },
        { "http://例子.测试/", "http://xn--fsqu00a.xn--0zwm56d/" },
        { "例子.测试/路径?查=询", "http://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84?%E6%9F%A5=%E8%AF%A2" },
        { "http://例子。测试/", "http://xn--fsqu00a.xn--0zwm56d/" },
        { "http://ＥＶＩＬ．ｅｘａｍｐｌｅ/", "http://evil.example/" },
        { "http://MÜNCHEN.example/", "http://xn--mnchen-3ya.example/" },
        { "http://XN--FSQU00A.example/", "http://xn--fsqu00a.example/" },

        // Each label is decided on its own: one label that is no valid IDN stays bytes, the others are punycode,
        // and 。 separates labels either way (found by CanonicalizerPropertyTests).
        { "http://\ufffd.e.\u3002", "http://%EF%BF%BD.e/" },
        { "http://%80.例子.测试/", "http://%80.xn--fsqu00a.xn--0zwm56d/" },
        { "http://\ufffd。例子/", "http://%EF%BF%BD.xn--fsqu00a/" },

        // IPv6 literals stay bracketed, lowercase and normalized.
        { "http://[2001:db8::1]/", "http://[2001:db8::1]/" },
        { "http://[2001:0DB8:0000::1]:8080/a", "http://[2001:db8::1]/a" },
        { "http://[FEDC:BA98:7654:3210:FEDC:BA98:7654:3210]:80/index.html", "http://[fedc:ba98:7654:3210:fedc:ba98:7654:3210]/index.html" },
        { "http://[::192.9.5.5]/ipng", "http://[::192.9.5.5]/ipng" },
        { "[2001:470:1:18::114]/a/b", "http://[2001:470:1:18::114]/a/b" },

        // ... except an IPv4-mapped one, which is the IPv4 host it maps: a flagged 1.2.3.4 must meet it.
        { "http://[::ffff:1.2.3.4]/", "http://1.2.3.4/" },
        { "http://[::FFFF:0102:0304]:8080/a", "http://1.2.3.4/a" },
        { "[::ffff:c37f:b]/blah", "http://195.127.0.11/blah" },

        // Host rules.
        { "http://..google.com/foo.html", "http://google.com/foo.html" },
        { "http://google...com/foo.html", "http://google.com/foo.html" },
        { "http://google.com.:8080/foo.html", "http://google.com/foo.html" },
        { "http://W!eird<>Ho$^.com/", "http://w!eird<>ho$^.com/" },
        { "http://i.have.way.too.many.dots.com/", "http://i.have.way.too.many.dots.com/" },
        { "http://some%1bhost.com/%1b", "http://some%1Bhost.com/%1B" },
        { "HTTPS://Evil.Example/Path", "https://evil.example/Path" },
        { "www.google.com:80", "http://www.google.com/" },
        { "www.google.com:8080/foo.html", "http://www.google.com/foo.html" },
        { "//evil.example/x", "http://evil.example/x" },
        { "http://evil.example:/", "http://evil.example/" },

        // User name and password are dropped; the host is what the browser would visit.
        { "http://user:pass@evil.example/login", "http://evil.example/login" },
        { "http://good.example@evil.example/", "http://evil.example/" },
        { "http://good.example%2F@evil.example/", "http://evil.example/" },
        { "http://evil.example\\@good.example/", "http://evil.example/@good.example/" },
        { "http:\\\\evil.example\\a\\b", "http://evil.example/a/b" },

        // Path rules apply to the path only.
        { "http://a.com/foo/.././bar/./../foo.html", "http://a.com/foo.html" },
        { "http://a.com//a//b///c////", "http://a.com/a/b/c/" },
        { "http://a.com/a/b/c/..", "http://a.com/a/b/" },
        { "http://a.com/a/.", "http://a.com/a/" },
        { "http://a.com/../../x", "http://a.com/x" },
        { "http://a.com/a/...", "http://a.com/a/..." },
        { "http://a.com/%2e%2E/x", "http://a.com/x" },
        { "http://a.com/a%2fb", "http://a.com/a/b" },
        { "http://a.com?x=1", "http://a.com/?x=1" },
        { "http://a.com/p?a=/./b/../c//d#frag", "http://a.com/p?a=/./b/../c//d" },
        { "http://a.com/%3F", "http://a.com/?" },
        { "http://a.com/x%3Fy=1", "http://a.com/x?y=1" },
        { "http://a.com/b/..%3F/x", "http://a.com/?/x" },
        { "http://a.com/.%3Fjs", "http://a.com/?js" },
        { "http://a.com/x%0Ay", "http://a.com/x%0Ay" },
        { "http://a.com/x%00y", "http://a.com/x%00y" },
        { "http://a.com/x%7Fy%7e", "http://a.com/x%7Fy~" },
        { "http://a.com/路径", "http://a.com/%E8%B7%AF%E5%BE%84" },
        { "http://a.com/ü", "http://a.com/%C3%BC" },
        { "http://a.com/\ud83d\ude00", "http://a.com/%F0%9F%98%80" },

        // What people paste: spaces around, full-width space from Chinese text.
        { "\u3000https://evil.example/\u3000", "https://evil.example/" },
        { "\t\nhttp://evil.example/\r\n", "http://evil.example/" },
    };

    public static TheoryData<string, string> Rejections => new()
    {
        { "", "empty" },
        { "   ", "empty" },
        { "\t\r\n", "empty" },
        { "\u3000", "empty" },
        { "javascript:alert(1)", "http and https" },
        { "mailto:bryner@google.com", "http and https" },
        { "ftp://ftp.myfiles.com/", "http and https" },
        { "data:text/html,<script>", "http and https" },
        { "file:///etc/passwd", "http and https" },
        { "tel:10086", "http and https" },
        { "http:evil.example", "//" },
        { ":", "host" },
        { "/blah", "host" },
        { "#ref", "host" },
        { "/blah#ref", "host" },
        { "?query#ref", "host" },
        { "/blah?query#ref", "host" },
        { "/blah;param", "host" },
        { "http://#ref", "host" },
        { "http:///blah#ref", "host" },
        { "http://?query#ref", "host" },
        { "http:///blah?query#ref", "host" },
        { "http:///blah;param", "host" },
        { "http:///blah;param?query#ref", "host" },
        { "http://", "host" },
        { "http://.../", "host" },
        { "http://user@/", "host" },
        { "evil", "dot" },
        { "localhost/", "dot" },
        { "call me now", "dot" },
        { "www.google.com:xxyy/foo.html:80", "port" },
        { "http://evil.example:80a/", "port" },
        { "http://2001:db8::1/", "brackets" },
        { "http://[2001:db8::1/", "“]”" },
        { "http://[not-an-address]/", "IPv6" },
        { "http://[2001:db8::1]x/", "port" },
        { "http://[::ffff:1.2.3.4:5]/", "IPv6" },
        { "http://evil%2Fexample.com/", "“/”" },
        { "http://evil%3Fexample.com/", "“?”" },

        // No DNS name is longer (RFC 1035: 63 octets a label, 253 characters a name), so no such host can be reached.
        { "http://" + new string('a', 64) + ".example/", "63" },
        { "http://www." + string.Concat(Enumerable.Range(0, 30).Select(i => (char)('一' + (i * 331)))) + ".example/", "63" },
        { "http://" + string.Concat(Enumerable.Repeat("%80", 64)) + ".example/", "63" },
        { "http://" + string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".example/", "253" },
        { "http://" + string.Concat(Enumerable.Repeat("a.", 2044)) + "example/", "253" },
    };

    [Theory]
    [MemberData(nameof(PublishedVectors))]
    public void PublishedSafeBrowsingVectorsCanonicalizeExactlyAsThePageSays(string input, string expected)
    {
        var result = Urls.Canonicalize(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [MemberData(nameof(MoreCanonicalForms))]
    public void EverySpellingOfAUrlMeetsOneCanonicalForm(string input, string expected)
    {
        var result = Urls.Canonicalize(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [MemberData(nameof(PublishedVectors))]
    [MemberData(nameof(MoreCanonicalForms))]
    public void CanonicalizingACanonicalUrlReturnsItUnchanged(string input, string expected)
    {
        _ = input;
        var again = Urls.Canonicalize(expected);
        Assert.True(again.IsValid, again.ToString());
        Assert.Equal(expected, again.Value);
    }

    [Fact]
    public void AUrlWhoseCanonicalFormIsLongerThanTheInputLimitIsRefusedSoItsCanonicalFormIsAlwaysReadable()
    {
        // 1,200 characters of e and a combining accent escape to 4,200: found by CanonicalizerPropertyTests in a host,
        // where DNS's limits now refuse it first.
        var input = "http://a.example/" + string.Concat(Enumerable.Repeat("e\u0301", 600));
        Assert.True(input.Length <= IdentifierOptions.Default.MaxInputLength);

        var result = Identifier.Canonicalize(IdentifierKind.Url, input);

        Assert.Equal("invalid_url", result.ErrorCode);
        Assert.Contains("once canonicalized", result.ErrorDetail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void WhatIsNotAnHttpUrlIsRejectedWithAReason(string input, string reasonMentions)
    {
        var result = Urls.Canonicalize(input);
        Assert.False(result.IsValid, $"accepted as {result.Value}");
        Assert.Equal("invalid_url", result.ErrorCode);
        Assert.Contains(reasonMentions, result.ErrorDetail, StringComparison.Ordinal);
        Assert.EndsWith(".", result.ErrorDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://www.google.com/", "www.google.com/")]
    [InlineData("https://www.google.com/", "www.google.com/")]
    [InlineData("http://a.b.c/1/2.html?param=1", "a.b.c/1/2.html?param=1")]
    [InlineData("http://[2001:db8::1]/a", "[2001:db8::1]/a")]
    [InlineData("http://www.google.com/q?", "www.google.com/q?")]
    public void ExpressionIsHostPathAndQueryWithoutScheme(string canonical, string expected)
    {
        Assert.Equal(expected, Urls.Expression(canonical));
    }

    [Theory]
    [InlineData("http://www.google.com/", "www.google.com")]
    [InlineData("https://a.b.c/1/2.html?param=1", "a.b.c")]
    [InlineData("http://195.127.0.11/blah", "195.127.0.11")]
    [InlineData("http://[2001:db8::1]/a", "[2001:db8::1]")]
    [InlineData("http://%20leadingspace.com/", "%20leadingspace.com")]
    public void HostIsTheCanonicalHost(string canonical, string expected)
    {
        Assert.Equal(expected, Urls.Host(canonical));
    }

    [Fact]
    public void PublishedExampleWithQueryGivesItsEightExpressions()
    {
        Assert.Equal(
            [
                "a.b.c/1/2.html?param=1", "a.b.c/1/2.html", "a.b.c/", "a.b.c/1/",
                "b.c/1/2.html?param=1", "b.c/1/2.html", "b.c/", "b.c/1/",
            ],
            Urls.Expressions("http://a.b.c/1/2.html?param=1"));
    }

    [Fact]
    public void PublishedExampleWithSevenHostComponentsSkipsAllButTheLastFive()
    {
        Assert.Equal(
            [
                "a.b.c.d.e.f.g/1.html", "a.b.c.d.e.f.g/",
                "c.d.e.f.g/1.html", "c.d.e.f.g/",
                "d.e.f.g/1.html", "d.e.f.g/",
                "e.f.g/1.html", "e.f.g/",
                "f.g/1.html", "f.g/",
            ],
            Urls.Expressions("http://a.b.c.d.e.f.g/1.html"));
    }

    [Fact]
    public void PublishedExampleWithAnIpAddressDoesNotSplitTheHost()
    {
        Assert.Equal(["1.2.3.4/1/", "1.2.3.4/"], Urls.Expressions("http://1.2.3.4/1/"));
    }

    [Theory]
    [InlineData("http://a.b.c/1/2/3/4/5/", "a.b.c/1/2/3/4/5/|a.b.c/|a.b.c/1/|a.b.c/1/2/|a.b.c/1/2/3/|b.c/1/2/3/4/5/|b.c/|b.c/1/|b.c/1/2/|b.c/1/2/3/")]
    [InlineData("http://a.b.c.d.e/1.html", "a.b.c.d.e/1.html|a.b.c.d.e/|b.c.d.e/1.html|b.c.d.e/|c.d.e/1.html|c.d.e/|d.e/1.html|d.e/")]
    [InlineData("http://a.b/", "a.b/")]
    [InlineData("http://b/", "b/")]
    [InlineData("http://a.b/?", "a.b/?|a.b/")]
    [InlineData("http://[2001:470:1:18::114]/a/b", "[2001:470:1:18::114]/a/b|[2001:470:1:18::114]/|[2001:470:1:18::114]/a/")]
    [InlineData("http://1.2.3.4/a/b", "1.2.3.4/a/b|1.2.3.4/|1.2.3.4/a/")]
    [InlineData("http://a.com/a/b/c/d/e.html?123", "a.com/a/b/c/d/e.html?123|a.com/a/b/c/d/e.html|a.com/|a.com/a/|a.com/a/b/|a.com/a/b/c/")]
    [InlineData("http://a.b.c.d.e.f.g.h.i/", "a.b.c.d.e.f.g.h.i/|e.f.g.h.i/|f.g.h.i/|g.h.i/|h.i/")]
    [InlineData("http://a.1.2.3.4/x", "a.1.2.3.4/x|a.1.2.3.4/")]
    [InlineData("http://1.2.3.999/", "1.2.3.999/")]
    [InlineData("http://x.1.2.300000/", "x.1.2.300000/|1.2.300000/")]
    [InlineData("http://1.2.3.09/", "1.2.3.09/|2.3.09/|3.09/")]
    public void ExpressionsAreHostSuffixesTimesPathPrefixes(string canonical, string expected)
    {
        Assert.Equal(expected.Split('|'), Urls.Expressions(canonical));
    }

    [Theory]
    [MemberData(nameof(PublishedVectors))]
    [MemberData(nameof(MoreCanonicalForms))]
    public void ExpressionsAreDistinctBoundedAndIncludeTheUrlItself(string input, string canonical)
    {
        _ = input;
        var expressions = Urls.Expressions(canonical);
        Assert.Equal(expressions.Count, expressions.Distinct(StringComparer.Ordinal).Count());
        Assert.InRange(expressions.Count, 1, 30);
        Assert.Equal(Urls.Expression(canonical), expressions[0]);
    }

    [Theory]
    [InlineData("b.c/1/", "http://a.b.c/1/2.html?x=1")]
    [InlineData("evil.example/", "https://www.evil.example/login.php")]
    [InlineData("evil.example/", "http://EVIL.example.:8080/")]
    [InlineData("evil.example/pay/", "http://evil.example/pay/confirm?id=7")]
    [InlineData("195.127.0.11/blah", "http://3279880203/blah")]
    [InlineData("xn--fsqu00a.xn--0zwm56d/", "http://www.例子.测试/index.html")]
    [InlineData("xn--fsqu00a.xn--0zwm56d/", "http://%80.例子.测试/index.html")]
    [InlineData("e.x/", "http://\ufffd.e.x\u3002/")]
    public void AFlaggedExpressionCoversTheUrlsBelowIt(string flagged, string url)
    {
        var canonical = Urls.Canonicalize(url);
        Assert.True(canonical.IsValid, canonical.ToString());
        Assert.Contains(flagged, Urls.Expressions(canonical.Value!));
    }

    [Theory]
    [InlineData("evil.example/", "http://evil.example.com/")]
    [InlineData("evil.example/", "http://evil-example.com/")]
    [InlineData("evil.example/", "http://notevil.example/")]
    [InlineData("evil.example/", "http://evil.examples/")]
    [InlineData("evil.example/pay/", "http://evil.example/payment/")]
    [InlineData("evil.example/pay", "http://evil.example/pay/")]
    [InlineData("evil.example/a?x=1", "http://evil.example/a?x=2")]
    [InlineData("1.2.3.4/", "http://1.2.3.45/")]
    [InlineData("2.3.4/", "http://1.2.3.4/")]
    [InlineData("com/", "http://evil.com/")]
    public void LookAlikeUrlsDoNotMatchAFlaggedExpression(string flagged, string url)
    {
        var canonical = Urls.Canonicalize(url);
        Assert.True(canonical.IsValid, canonical.ToString());
        Assert.DoesNotContain(flagged, Urls.Expressions(canonical.Value!));
    }

    [Theory]
    [InlineData("http://evil.example/", "http://evil.example.com/")]
    [InlineData("http://evil.example/", "http://evil-example.com/")]
    [InlineData("http://evil.example/a", "http://evil.example/A")]
    [InlineData("http://evil.example/a?b", "http://evil.example/a%3Fb%3F")]
    [InlineData("http://evil.example/%2525", "http://evil.example/%2526")]
    [InlineData("https://evil.example/", "ftp://evil.example/")]
    public void DifferentUrlsStayDifferent(string first, string second)
    {
        Assert.NotEqual(Urls.Canonicalize(first).Value, Urls.Canonicalize(second).Value);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("http//evil.example")]
    public void ExpressionOfSomethingThatIsNotACanonicalUrlIsAProgrammingError(string notCanonical)
    {
        Assert.Throws<ArgumentException>(() => Urls.Expression(notCanonical));
    }

    [Fact]
    public void ALoneSurrogateInThePathBecomesTheReplacementCharacter()
    {
        // Not theory data: test runners serialize theory arguments and would replace the lone surrogate themselves.
        Assert.Equal("http://a.com/%EF%BF%BDx", Urls.Canonicalize("http://a.com/\ud800x").Value);
        Assert.Equal("http://a.com/%EF%BF%BD", Urls.Canonicalize("http://a.com/\udc00").Value);
        Assert.Equal("http://a.com/x%EF%BF%BD", Urls.Canonicalize("http://a.com/x\ud83d").Value);
    }

    [Fact]
    public void VeryLongInputIsHandledQuicklyAndWithoutThrowing()
    {
        var longPath = "http://evil.example/" + string.Concat(Enumerable.Repeat("a/../%25", 20_000));
        var longEscapes = "http://evil.example/" + new string('%', 50_000) + string.Concat(Enumerable.Repeat("%25", 20_000)) + "41";
        var longHost = "http://" + string.Concat(Enumerable.Repeat("a.", 30_000)) + "example/";

        Assert.True(Urls.Canonicalize(longPath).IsValid);
        // Fifty thousand bare '%', twenty thousand that unescape to '%', and the last of those eats "41" as %41 = 'A'.
        Assert.Equal("http://evil.example/" + string.Concat(Enumerable.Repeat("%25", 69_999)) + "A", Urls.Canonicalize(longEscapes).Value);
        Assert.Contains("253", Urls.Canonicalize(longHost).ErrorDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void NastyRandomStringsNeverThrowAndWhatIsAcceptedIsStable()
    {
        string[] pieces =
        [
            "http://", "https://", "HTTP:\\\\", "//", "/", "\\", ".", "..", "/./", "/../", ":", "::", "[", "]", "@", "?", "#",
            "%", "%2", "%25", "%2e", "%2F", "%3F", "%23", "%40", "%5C", "%C3%BC", "%80", "%ff", "%00", "0x", "0", "07", "255",
            "4294967295", "a", "Z", "evil", "example", "com", "xn--", "xn--fsqu00a", "例子", "测试", "ü", "ß", "。", "．", "ｅ",
            "％", "／", "１", "\u0080", "\u009f", "\u00a0", "\u3000", "\ud800", "\udc00", "\ud83d\ude00", "\uffff", "\0",
            "\x01", "\t", "\r", "\n", " ", "~", "*", "_", "-", "<", ">", "\"", "'", "javascript:", "mailto:", "1", "2001:db8",
        ];
        var random = new Random(20240607);
        var failures = new List<string>();
        for (var i = 0; i < 10_000; i++)
        {
            var count = random.Next(0, 12);
            var input = string.Concat(Enumerable.Range(0, count).Select(_ => random.Next(4) == 0
                ? ((char)random.Next(0, 0x10000)).ToString()
                : pieces[random.Next(pieces.Length)]));

            var result = Urls.Canonicalize(input);
            if (!result.IsValid)
            {
                Assert.Equal("invalid_url", result.ErrorCode);
                Assert.False(string.IsNullOrWhiteSpace(result.ErrorDetail));
                continue;
            }

            var again = Urls.Canonicalize(result.Value!);
            if (again.Value != result.Value)
            {
                failures.Add($"{Escape(input)} → {result.Value} → {again}");
            }

            var expressions = Urls.Expressions(result.Value!);
            Assert.Equal(Urls.Expression(result.Value!), expressions[0]);
            _ = Domains.SelfAndParents(Urls.Host(result.Value!));
        }

        Assert.Empty(failures);
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
}
