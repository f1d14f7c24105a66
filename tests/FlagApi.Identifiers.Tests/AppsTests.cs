using System.Text;
using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

public class AppsTests
{
    public static TheoryData<string, string> SpacingAndPunctuation => new()
    {
        { "云客服", "云客服" },
        { "云 客 服", "云客服" },
        { "云客服 ", "云客服" },
        { "  云客服\t\n", "云客服" },
        { "「云客服」", "云客服" },
        { "《云客服》", "云客服" },
        { "“云客服”", "云客服" },
        { "\"云客服\"", "云客服" },
        { "云·客·服", "云客服" },
        { "云-客_服", "云客服" },
        { "云客服。", "云客服" },
        { "【官方】云客服！", "官方云客服" },
        { "云\u3000客服", "云客服" },
        { "及时服务", "及时服务" },
        { "及时 服务", "及时服务" },
        { "  --  云客服  --  ", "云客服" },
    };

    public static TheoryData<string, string> WidthAndCase => new()
    {
        { "Zoom云会议", "zoom云会议" },
        { "Zoom 云会议", "zoom云会议" },
        { "ZOOM云会议", "zoom云会议" },
        { "ｚｏｏｍ云会议", "zoom云会议" },
        { "Ｚｏｏｍ　云会议", "zoom云会议" },
        { "ZoOm\u00A0云会议", "zoom云会议" },
        { "ｶﾞｲﾄﾞ", "ガイド" },
        { "ｻﾎﾟｰﾄ", "サポート" },
        { "腾讯会议", "腾讯会议" },
        { "ＱＱ安全中心", "qq安全中心" },
        { "１２３云客服", "123云客服" },
    };

    public static TheoryData<string, string> StylisedLetters => new()
    {
        { "𝐙𝐨𝐨𝐦", "zoom" },
        { "𝒁𝒐𝒐𝒎", "zoom" },
        { "Ⓩⓞⓞⓜ", "zoom" },
        { "ℤ𝕠𝕠𝕞", "zoom" },
        { "云客服①", "云客服1" },
        { "ﬁnance", "finance" },
        { "㈱云客服", "株云客服" },
    };

    public static TheoryData<string, string> InvisibleCharacters => new()
    {
        { "云\u200B客服", "云客服" },
        { "云\u200C客\u200D服", "云客服" },
        { "\uFEFF云客服", "云客服" },
        { "云客\u00AD服", "云客服" },
        { "\u202E云客服\u202C", "云客服" },
        { "云客服\u2060", "云客服" },
        { "Zoom\u200E云会议", "zoom云会议" },
    };

    public static TheoryData<string, string> SymbolsAndEmoji => new()
    {
        { "云客服™", "云客服" },
        { "云客服®", "云客服" },
        { "云客服©", "云客服" },
        { "云客服\u2120", "云客服" },
        { "🔥云客服🔥", "云客服" },
        { "✅️云客服", "云客服" },
        { "云客服❤️", "云客服" },
        { "👨‍👩‍👧云客服", "云客服" },
        { "👍🏽云客服", "云客服" },
        { "🇨🇳云客服", "云客服" },
        { "Google+", "google" },
        { "云客服$¥", "云客服" },
        { "1️⃣号客服", "1号客服" },
        { "云客服\uE000", "云客服" },
    };

    public static TheoryData<string, string> OtherScripts => new()
    {
        { "카카오톡", "카카오톡" },
        { "LINE マンガ", "lineマンガ" },
        { "Cafe\u0301", "café" },
        { "CAFÉ", "café" },
        { "हिन्दी", "हिन्दी" },
        { "ΣΟΦΙΑ", "σοφια" },
        { "Тинькофф", "тинькофф" },
        { "云客服\uFE00", "云客服" },
    };

    public static TheoryData<string, string> AppSuffixes => new()
    {
        { "云客服APP", "云客服app" },
        { "云客服App", "云客服app" },
        { "云客服 app", "云客服app" },
        { "云客服ＡＰＰ", "云客服app" },
        { "云客服.app", "云客服app" },
    };

    public static TheoryData<string, string> InstallerFiles => new()
    {
        { "云客服.apk", "云客服" },
        { "云客服.APK", "云客服" },
        { "云客服 .apk", "云客服" },
        { "云客服．ａｐｋ", "云客服" },
        { "及时服务.ipa", "及时服务" },
        { "「云客服.apk」", "云客服" },
        { "云客服_v2.3.apk", "云客服v23" },
        { "com.example.remote.apk", "com.example.remote" },
        { "com.example.remote.apk.apk", "com.example.remote" },
        { "Remote.apk", "remote" },
    };

    public static TheoryData<string, string> PackageIds => new()
    {
        { "com.tencent.mm", "com.tencent.mm" },
        { "COM.Tencent.MM", "com.tencent.mm" },
        { "com.example.remote", "com.example.remote" },
        { "  com.example.remote  ", "com.example.remote" },
        { "「com.example.remote」", "com.example.remote" },
        { "com.example.remote.", "com.example.remote" },
        { "ｃｏｍ．ｔｅｎｃｅｎｔ．ｍｍ", "com.tencent.mm" },
        { "com.example_app.v2", "com.example_app.v2" },
        { "com.my-company.Remote-Help", "com.my-company.remote-help" },
        { "com.atebits.Tweetie2", "com.atebits.tweetie2" },
        { "us.zoom.videomeetings", "us.zoom.videomeetings" },
        { "com.foo_", "com.foo_" },
        { "com.foo-", "com.foo-" },
        { "com.123", "com.123" },
        { "com.tencent\u200B.mm", "com.tencent.mm" },
    };

    public static TheoryData<string, string> NamesShapedLikePackageIds => new()
    {
        { "Zoom.us", "zoom.us" },
        { "ZOOM.US", "zoom.us" },
        { "zoom.us", "zoom.us" },
        { "Dr.Fone", "dr.fone" },
    };

    public static TheoryData<string, string> DottedNames => new()
    {
        { "Zoom us", "zoomus" },
        { "Zoom. us", "zoomus" },
        { "com..example", "comexample" },
        { "1.5倍速", "15倍速" },
        { "2.0", "20" },
        { "云客服.com", "云客服com" },
        { "com.example remote", "comexampleremote" },
    };

    public static TheoryData<string, string> Valid
    {
        get
        {
            var all = new TheoryData<string, string>();
            foreach (var set in new[]
            {
                SpacingAndPunctuation, WidthAndCase, StylisedLetters, InvisibleCharacters, SymbolsAndEmoji,
                OtherScripts, AppSuffixes, InstallerFiles, PackageIds, NamesShapedLikePackageIds, DottedNames,
            })
            {
                foreach (var row in set)
                {
                    all.Add(row.Data.Item1, row.Data.Item2);
                }
            }

            return all;
        }
    }

    [Theory]
    [MemberData(nameof(SpacingAndPunctuation))]
    public void SpacesAndPunctuationAroundAndInsideANameAreIgnored(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(WidthAndCase))]
    public void FullWidthHalfWidthAndCaseSpellingsMeet(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(StylisedLetters))]
    public void StylisedLettersUsedToDodgeFiltersFoldToPlainOnes(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(InvisibleCharacters))]
    public void InvisibleCharactersAreIgnored(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(SymbolsAndEmoji))]
    public void SymbolsAndEmojiDecorateANameWithoutChangingIt(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(OtherScripts))]
    public void NamesInOtherScriptsKeepTheirLettersAndMarks(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(AppSuffixes))]
    public void AppSuffixIsKeptBecauseMatchingIsExact(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(InstallerFiles))]
    public void InstallerFileNameMeetsTheAppItInstalls(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void PackageIdsAreLowercased(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(NamesShapedLikePackageIds))]
    public void NameShapedLikeAPackageIdKeepsItsDots(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(DottedNames))]
    public void DottedTextThatIsNotAPackageIdIsAName(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(Valid))]
    public void CanonicalFormIsItsOwnCanonicalForm(string input, string expected)
    {
        _ = input;
        AssertCanonical(expected, expected);
    }

    [Theory]
    [InlineData("云客服", "云客服2")]
    [InlineData("云客服", "云客服app")]
    [InlineData("云客服", "云客")]
    [InlineData("及时服务", "即时服务")]
    [InlineData("Zoom云会议", "Zoom会议")]
    [InlineData("com.example.remote", "com.example.remote2")]
    [InlineData("com.example.remote", "com.example")]
    [InlineData("com.example_remote.app", "com.example-remote.app")]
    [InlineData("Zoom.us", "Zoom us")]
    [InlineData("云客服1", "云客服l")]
    [InlineData("café", "cafe")]
    [InlineData("ガイド", "カイト")]
    public void DifferentAppsStayDifferent(string first, string second)
    {
        var a = Apps.Canonicalize(first);
        var b = Apps.Canonicalize(second);
        Assert.True(a.IsValid, a.ToString());
        Assert.True(b.IsValid, b.ToString());
        Assert.NotEqual(a.Value, b.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("  --  ")]
    [InlineData("。。。")]
    [InlineData("「」")]
    [InlineData("™")]
    [InlineData("🔥🔥")]
    [InlineData("\u200B\u200D\uFEFF")]
    [InlineData("\u0000\u0007")]
    [InlineData("\u0301\u0301")]
    public void ValueWithNoLettersOrDigitsIsRejected(string input) =>
        AssertRejected(input, "letters or digits");

    // Built here rather than passed in: xUnit's discovery serializes theory data as UTF-8, which turns a lone
    // surrogate into U+FFFD before the test sees it.
    [Theory]
    [InlineData("云客", 0xD800, "服")]
    [InlineData("云客服", 0xDC00, "")]
    [InlineData("", 0xD83D, "")]
    [InlineData("", 0xDBFF, "云客服")]
    public void LoneSurrogatesAreRejectedAsInvalidUnicode(string before, int surrogate, string after) =>
        AssertRejected(before + (char)surrogate + after, "surrogate");

    [Fact]
    public void SurrogatesInTheWrongOrderAreRejectedAsInvalidUnicode() =>
        AssertRejected("\uDC00\uD800", "surrogate");

    [Theory]
    [InlineData("云客\uFFFD服")]
    [InlineData("云客服\uFFFF")]
    [InlineData("云客服\uFDD0")]
    [InlineData("云客服\U0001FFFE")]
    public void DamagedOrNoncharacterTextIsRejected(string input) =>
        AssertRejected(input, "U+");

    [Fact]
    public void NameOfTwoHundredCharactersIsAccepted()
    {
        var name = string.Join(" ", Enumerable.Repeat("云", 200));
        AssertCanonical(name, new string('云', 200));
    }

    [Fact]
    public void NameLongerThanTwoHundredCharactersIsRejected() =>
        AssertRejected(new string('云', 201), "at most 200");

    [Fact]
    public void NameLongerThanTwoHundredCodePointsOutsideTheBmpIsRejected() =>
        AssertRejected(string.Concat(Enumerable.Repeat("𠀀", 201)), "at most 200");

    [Fact]
    public void LongPaddingAroundAShortNameIsNotCountedAgainstTheLimit() =>
        AssertCanonical(new string(' ', 5000) + "云客服" + new string('-', 5000), "云客服");

    [Fact]
    public void PackageIdLongerThanTwoHundredCharactersIsRejected() =>
        AssertRejected("com." + new string('a', 197), "at most 200");

    [Fact]
    public void NeverThrowsAndValidResultsAreStableOnHostileInput()
    {
        var random = new Random(20240917);
        for (var i = 0; i < 10_000; i++)
        {
            var input = Hostile(random, i);
            var result = Apps.Canonicalize(input);
            if (result.IsValid)
            {
                Assert.False(string.IsNullOrEmpty(result.Value));
                Assert.Equal(result.Value, Apps.Canonicalize(result.Value!).Value);
            }
            else
            {
                Assert.Equal("invalid_app", result.ErrorCode);
                Assert.False(string.IsNullOrWhiteSpace(result.ErrorDetail));
            }
        }
    }

    private static readonly string[] Pieces =
    [
        "云", "客服", "ｚｏｏｍ", "ｶﾞ", "Ⓩ", "𝐙", "\u0301", "\u20E3", "\uFE0F", "🔥", "👨‍👩‍👧", "™", "®", "+", ".",
        ".apk", ".ipa", "com.", "_", "-", " ", "\u3000", "「", "」", "\u200B", "\u200D", "\uFEFF", "\u0000", "\u001F",
        "\uD800", "\uDC00", "\uFFFD", "\uFFFF", "\uFDFA", "İ", "ß", "ǅ", "ᾼ", "\u0345", "\u0F73", "\U000E0041",
    ];

    // Mostly short strings mixing the pieces above with arbitrary UTF-16 units; a few 100,000-character ones.
    private static string Hostile(Random random, int iteration)
    {
        if (iteration % 1000 == 999)
        {
            return (iteration / 1000 % 3) switch
            {
                0 => new string('a', 100_000),
                1 => string.Concat(Enumerable.Repeat("云 ", 50_000)),
                _ => string.Concat(Enumerable.Range(0, 100_000).Select(_ => (char)random.Next(0x10000))),
            };
        }

        var text = new StringBuilder();
        var length = random.Next(0, 24);
        for (var i = 0; i < length; i++)
        {
            switch (random.Next(5))
            {
                case 0:
                case 1:
                    text.Append(Pieces[random.Next(Pieces.Length)]);
                    break;
                case 2:
                    text.Append((char)random.Next(0x10000));
                    break;
                case 3:
                    var scalar = random.Next(0x110000);
                    text.Append(scalar is >= 0xD800 and <= 0xDFFF ? "?" : char.ConvertFromUtf32(scalar));
                    break;
                default:
                    text.Append((char)random.Next(0x20, 0x7F));
                    break;
            }
        }

        return text.ToString();
    }

    private static void AssertCanonical(string input, string expected)
    {
        var result = Apps.Canonicalize(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
    }

    private static void AssertRejected(string input, string detailMentions)
    {
        var result = Apps.Canonicalize(input);
        Assert.False(result.IsValid, result.Value);
        Assert.Equal("invalid_app", result.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(result.ErrorDetail));
        Assert.Contains(detailMentions, result.ErrorDetail, StringComparison.Ordinal);
    }
}
