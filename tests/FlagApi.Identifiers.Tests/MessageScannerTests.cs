namespace FlagApi.Identifiers.Tests;

public class MessageScannerTests
{
    private static readonly ListedAppNames Apps = ListedAppNames.From(MessageCorpus.ListedApps);

    [Fact]
    public void TheCorpusHoldsAtLeastFiftyMessages() => Assert.True(MessageCorpus.Messages.Count >= 50);

    [Theory]
    [MemberData(nameof(MessageCorpus.Messages), MemberType = typeof(MessageCorpus))]
    public void EachCorpusMessageYieldsExactlyItsItems(string message, string[] expected)
    {
        var items = MessageScanner.Scan(message, apps: Apps);

        Assert.Equal(expected, items.Select(Describe));
        Assert.All(items, item => Assert.Equal(item.Text, message.Substring(item.Start, item.Length)));
    }

    [Theory]
    [MemberData(nameof(MessageCorpus.Messages), MemberType = typeof(MessageCorpus))]
    public void EachItemCanonicalizesAsASingleLookupWould(string message, string[] expected)
    {
        Assert.NotNull(expected);
        foreach (var item in MessageScanner.Scan(message, apps: Apps))
        {
            Assert.Equal(item.Canonical, Identifier.Canonicalize(item.Kind, item.Canonical).Value);
        }
    }

    public static TheoryData<string, string> ObfuscatedLinks => new()
    {
        { "点击 evil点com/pay 领取", "evil点com/pay" },
        { "点击 evil點com/pay 领取", "evil點com/pay" },
        { "点击 evil。com/pay 领取", "evil。com/pay" },
        { "点击 evil｡com/pay 领取", "evil｡com/pay" },
        { "点击 evil．com/pay 领取", "evil．com/pay" },
        { "click evil[.]com/pay now", "evil[.]com/pay" },
        { "click ht tp://evil.com/pay now", "ht tp://evil.com/pay" },
        { "click HTTP://EVIL.COM/pay now", "HTTP://EVIL.COM/pay" },
        { "click hxxp://evil.com/pay now", "hxxp://evil.com/pay" },
        { "点击ｈｔｔｐ：／／ｅｖｉｌ．ｃｏｍ／ｐａｙ领取", "ｈｔｔｐ：／／ｅｖｉｌ．ｃｏｍ／ｐａｙ" },
        { "click evil\u200B.com/pay now", "evil\u200B.com/pay" },
    };

    [Theory]
    [MemberData(nameof(ObfuscatedLinks))]
    public void ObfuscatedLinksAreFoundWithTheirSpanAsWritten(string message, string written)
    {
        var item = Assert.Single(MessageScanner.Scan(message));

        Assert.Equal(IdentifierKind.Url, item.Kind);
        Assert.Equal(written, item.Text);
        Assert.Equal(message.IndexOf(written, StringComparison.Ordinal), item.Start);
        Assert.Equal("http://evil.com/pay", item.Canonical);
    }

    public static TheoryData<string, string> SplitNumbers => new()
    {
        { "电话13800138000联系", "13800138000" },
        { "电话 138 0013 8000 联系", "138 0013 8000" },
        { "电话 138-0013-8000 联系", "138-0013-8000" },
        { "电话１３８００１３８０００联系", "１３８００１３８０００" },
        { "电话１３８　００１３　８０００联系", "１３８　００１３　８０００" },
        { "电话 1 3 8 0 0 1 3 8 0 0 0 联系", "1 3 8 0 0 1 3 8 0 0 0" },
        { "电话 +86 138 0013 8000 联系", "+86 138 0013 8000" },
        { "电话 (+86) 138 0013 8000 联系", "(+86) 138 0013 8000" },
        { "电话 0086-138-0013-8000 联系", "0086-138-0013-8000" },
        { "电话 138\u200B0013\u200B8000 联系", "138\u200B0013\u200B8000" },
    };

    [Theory]
    [MemberData(nameof(SplitNumbers))]
    public void PhoneNumbersAreFoundHoweverTheyAreSplit(string message, string written)
    {
        var item = Assert.Single(MessageScanner.Scan(message));

        Assert.Equal(IdentifierKind.Phone, item.Kind);
        Assert.Equal(written, item.Text);
        Assert.Equal("+8613800138000", item.Canonical);
    }

    [Fact]
    public void TwoNumbersWrittenSideBySideAreTwoItems()
    {
        var items = MessageScanner.Scan("联系 13800138000 13900139000 均可");

        Assert.Equal(["+8613800138000", "+8613900139000"], items.Select(i => i.Canonical));
    }

    [Fact]
    public void AnIdentifierWrittenTwiceIsFoundTwice()
    {
        var items = MessageScanner.Scan("打 13800138000，打不通再打13800138000");

        Assert.Equal([2, 19], items.Select(i => i.Start));
    }

    public static TheoryData<string> NotPhoneNumbers => new()
    {
        "您的验证码是 13800138000",
        "订单号：13800138000",
        "金额 ¥13800138000",
        "转账 13800138000 元",
        "余额 13800138.00",
        "编号 A13800138000",
        "id13800138000",
        "2024-05-12",
        "2024.05.12",
        "3.1415926",
    };

    [Theory]
    [MemberData(nameof(NotPhoneNumbers))]
    public void DigitsThatTheContextMarksAsNoPhoneNumberAreLeftAlone(string message) =>
        Assert.Empty(MessageScanner.Scan(message));

    [Fact]
    public void AppNamesAreFoundOnlyWhenListed()
    {
        const string message = "请下载云客服并打开";

        Assert.Empty(MessageScanner.Scan(message));
        Assert.Equal("云客服", Assert.Single(MessageScanner.Scan(message, apps: ListedAppNames.From(["云客服"]))).Canonical);
    }

    [Fact]
    public void AnAsciiAppNameIsFoundOnlyAsAWholeWord() =>
        Assert.Empty(MessageScanner.Scan("Install CloudMeetings today", apps: ListedAppNames.From(["cloudmeet"])));

    [Fact]
    public void AnEmailAddressIsNoDomain() =>
        Assert.Empty(MessageScanner.Scan("write to support.team@example-bank.com today"));

    [Fact]
    public void AFileNameIsNoDomain() =>
        Assert.Empty(MessageScanner.Scan("see report.pdf and notes.txt"));

    [Fact]
    public void TextWithBrokenCharactersIsScannedWithoutThrowing()
    {
        var items = MessageScanner.Scan("\uD800 13800138000 \uDC00 evil.com \uFFFF");

        Assert.Equal([IdentifierKind.Phone, IdentifierKind.Domain], items.Select(i => i.Kind));
    }

    [Fact]
    public void TheLongestMessageOfSpacedDigitsIsScannedInBoundedTime()
    {
        var message = string.Concat(Enumerable.Repeat("1 3 8 0 0 1 3 8 0 0 0 ", 5_000 / 22));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var items = MessageScanner.Scan(message);

        Assert.Equal(5_000 / 22, items.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Scanning took {watch.Elapsed}.");
    }

    [Fact]
    public void TheLongestMessageOfLoneDigitsIsScannedInBoundedTime()
    {
        var message = string.Concat(Enumerable.Repeat("4 ", 2_500));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        MessageScanner.Scan(message);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Scanning took {watch.Elapsed}.");
    }

    private static string Describe(MessageItem item) => $"{item.Kind.ToWire()} | {item.Text} | {item.Canonical}";
}
