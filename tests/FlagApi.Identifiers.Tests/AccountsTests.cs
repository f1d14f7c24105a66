using System.Text;
using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

public class AccountsTests
{
    public static TheoryData<string, string> SpecExamples => new()
    {
        { "wechat:wxid_abc", "wechat:wxid_abc" },
        { "qq:123456", "qq:123456" },
        { "alipay:13800138000", "alipay:+8613800138000" },
        { "alipay:user@example.com", "alipay:user@example.com" },
        { "bank_card:6222 0212 3456 7890 128", "bank_card:6222021234567890128" },
        { "bank_card:6222-0212-3456-7890-128", "bank_card:6222021234567890128" },
    };

    public static TheoryData<string, string> PlatformSpellings => new()
    {
        { "WeChat: wxid_ABC", "wechat:wxid_abc" },
        { "WECHAT:wxid_abc", "wechat:wxid_abc" },
        { "  QQ : 123456  ", "qq:123456" },
        { "Bank Card:6222021234567890128", "bank_card:6222021234567890128" },
        { "BANK-CARD:6222021234567890128", "bank_card:6222021234567890128" },
        { "bankcard:6222021234567890128", "bank_card:6222021234567890128" },
        { "AliPay:13800138000", "alipay:+8613800138000" },
        { "WhatsApp:+12025550143", "whatsapp:+12025550143" },
        { "USDT-TRC20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "usdt_trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" },
    };

    public static TheoryData<string, string> Separators => new()
    {
        { "QQ：123456", "qq:123456" },
        { "微信：wxid_abc", "wechat:wxid_abc" },
        { "ＱＱ：１２３４５６", "qq:123456" },
        { "qq∶123456", "qq:123456" },
        { "qq﹕123456", "qq:123456" },
        { "qq　:　123456", "qq:123456" },
    };

    public static TheoryData<string, string> Aliases => new()
    {
        { "微信:wxid_abc", "wechat:wxid_abc" },
        { "weixin:wxid_abc", "wechat:wxid_abc" },
        { "wx:wxid_abc", "wechat:wxid_abc" },
        { "微信号:wxid_abc", "wechat:wxid_abc" },
        { "QQ号:123456", "qq:123456" },
        { "支付宝:13800138000", "alipay:+8613800138000" },
        { "zfb:user@example.com", "alipay:user@example.com" },
        { "银行卡:6222021234567890128", "bank_card:6222021234567890128" },
        { "card:6222021234567890128", "bank_card:6222021234567890128" },
        { "抖音:scam.shop", "douyin:scam.shop" },
        { "微博:1642909335", "weibo:1642909335" },
        { "快手:ks_scam", "kuaishou:ks_scam" },
        { "淘宝:tb12345678", "taobao:tb12345678" },
        { "tg:scam_bot", "telegram:scam_bot" },
        { "电报:scam_bot", "telegram:scam_bot" },
        { "纸飞机:scam_bot", "telegram:scam_bot" },
        { "trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "usdt_trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" },
        { "erc20:0xde709f2102306220921060314715629080e2fb77", "usdt_erc20:0xde709f2102306220921060314715629080e2fb77" },
    };

    public static TheoryData<string, string> WeChatIds => new()
    {
        { "wechat:wxid_ABC", "wechat:wxid_abc" },
        { "wechat:wxid_2a4b6c8d0e1f22", "wechat:wxid_2a4b6c8d0e1f22" },
        { "wechat:wxid_abcdefghijklmnopqrstuvwxyz0123", "wechat:wxid_abcdefghijklmnopqrstuvwxyz0123" },
        { "wechat:Scam_Helper-01", "wechat:scam_helper-01" },
        { "wechat:abcdef", "wechat:abcdef" },
        { "wechat:a1234567890123456789", "wechat:a1234567890123456789" },
        { "wechat:ｓｃａｍ＿ｈｅｌｐｅｒ", "wechat:scam_helper" },
    };

    public static TheoryData<string, string> PhoneNumbers => new()
    {
        { "wechat:13800138000", "wechat:+8613800138000" },
        { "wechat:+86 138 0013 8000", "wechat:+8613800138000" },
        { "wechat:0086 13800138000", "wechat:+8613800138000" },
        { "wechat:86-138-0013-8000", "wechat:+8613800138000" },
        { "wechat:(+86) 138-0013-8000", "wechat:+8613800138000" },
        { "wechat:１３８００１３８０００", "wechat:+8613800138000" },
        { "wechat:+1 (202) 555-0143", "wechat:+12025550143" },
        { "alipay:199 0000 0000", "alipay:+8619900000000" },
        { "alipay:+8613800138000", "alipay:+8613800138000" },
        { "alipay:00852 9123 4567", "alipay:+85291234567" },
        { "whatsapp:+1 202-555-0143", "whatsapp:+12025550143" },
        { "whatsapp:13800138000", "whatsapp:+8613800138000" },
        { "whatsapp:https://wa.me/8613800138000", "whatsapp:+8613800138000" },
        { "telegram:+86 138 0013 8000", "telegram:+8613800138000" },
        { "paypal:+44 7700 900123", "paypal:+447700900123" },
        { "whatsapp:+254 0724 040680", "whatsapp:+254724040680" },
        { "telegram:+44 020 7946 0958", "telegram:+442079460958" },
    };

    public static TheoryData<string, string> BankCards => new()
    {
        { "bank_card:6222021234567890128", "bank_card:6222021234567890128" },
        { "bank_card:６２２２ ０２１２ ３４５６ ７８９０ １２８", "bank_card:6222021234567890128" },
        { "bank_card:6222－0212－3456－7890－128", "bank_card:6222021234567890128" },
        { "bank_card:6222\u30000212\u30003456\u30007890\u3000128", "bank_card:6222021234567890128" },
        { "bank_card:4111 1111 1111 1111", "bank_card:4111111111111111" },
        { "bank_card:6228480402564890018", "bank_card:6228480402564890018" },
        { "bank_card:123456789015", "bank_card:123456789015" },
        { "bank_card:6258 0712 3412 3419", "bank_card:6258071234123419" },
        { "银行卡：6217 0000 1001 2345 677", "bank_card:6217000010012345677" },
    };

    public static TheoryData<string, string> QqNumbers => new()
    {
        { "qq:10000", "qq:10000" },
        { "qq:12345678901", "qq:12345678901" },
        { "qq: 987654321 ", "qq:987654321" },
    };

    public static TheoryData<string, string> EmailAddresses => new()
    {
        { "alipay:User.Name@Example.COM", "alipay:user.name@example.com" },
        { "alipay:scam+refund@mail.example.cn", "alipay:scam+refund@mail.example.cn" },
        { "alipay:ＵＳＥＲ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "alipay:user@example.com" },
        { "paypal:Refund.Desk@Example.org", "paypal:refund.desk@example.org" },
        { "skype:Scammer@Outlook.com", "skype:scammer@outlook.com" },
    };

    public static TheoryData<string, string> Handles => new()
    {
        { "telegram:@ScamBot_01", "telegram:scambot_01" },
        { "telegram:https://t.me/ScamBot01", "telegram:scambot01" },
        { "telegram:t.me/scam_bot/", "telegram:scam_bot" },
        { "telegram:123456789", "telegram:123456789" },
        { "douyin:@Scam.Shop_01", "douyin:scam.shop_01" },
        { "kuaishou:KS-Scam_01", "kuaishou:ks-scam_01" },
        { "weibo:1642909335", "weibo:1642909335" },
        { "weibo:@官方客服ABC", "weibo:官方客服abc" },
        { "weibo:客服_小王", "weibo:客服_小王" },
        { "taobao:小明的店", "taobao:小明的店" },
        { "taobao:TB_Shop-01", "taobao:tb_shop-01" },
        { "line:@Scam.Line", "line:scam.line" },
        { "line:scam_line-01", "line:scam_line-01" },
        { "skype:live:.cid.0123ABCD", "skype:live:.cid.0123abcd" },
        { "skype:Scammer.Name", "skype:scammer.name" },
        { "paypal:paypal.me/ScamShop", "paypal:scamshop" },
        { "paypal:https://www.paypal.me/ScamShop/", "paypal:scamshop" },
        { "alipay:2088123412341234", "alipay:2088123412341234" },
    };

    public static TheoryData<string, string> WalletAddresses => new()
    {
        { "usdt_trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "usdt_trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" },
        { "usdt_trc20:TA4Y62o6YC2Zsck9rZVGTvqW1AQ7X9zTnj", "usdt_trc20:TA4Y62o6YC2Zsck9rZVGTvqW1AQ7X9zTnj" },
        { "usdt_trc20: TRcvCk5fLxxgRc7KopfPXb3GzUqZMjcKkn ", "usdt_trc20:TRcvCk5fLxxgRc7KopfPXb3GzUqZMjcKkn" },
        { "usdt:T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb", "usdt_trc20:T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb" },
        { "usdt_erc20:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "usdt_erc20:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed" },
        { "usdt_erc20:0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "usdt_erc20:0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359" },
        { "usdt_erc20:0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "usdt_erc20:0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb" },
        { "usdt_erc20:0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "usdt_erc20:0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb" },
        { "usdt_erc20:0X52908400098527886E0F7030069857D2E4169EE7", "usdt_erc20:0x52908400098527886e0f7030069857d2e4169ee7" },
        { "usdt:0x27b1fdb04752bbc536007a920d24acb045561c26", "usdt_erc20:0x27b1fdb04752bbc536007a920d24acb045561c26" },
    };

    public static TheoryData<string, string> InvisibleCharacters => new()
    {
        { "\uFEFFqq:123456", "qq:123456" },
        { "qq:123\u200B456", "qq:123456" },
        { "wechat:wxid_\u200Dabc", "wechat:wxid_abc" },
        { "\u202Aalipay:13800138000\u202C", "alipay:+8613800138000" },
        { "qq:123456\r\n", "qq:123456" },
    };

    public static TheoryData<string, string> Valid
    {
        get
        {
            var all = new TheoryData<string, string>();
            foreach (var set in new[]
            {
                SpecExamples, PlatformSpellings, Separators, Aliases, WeChatIds, PhoneNumbers, BankCards,
                QqNumbers, EmailAddresses, Handles, WalletAddresses, InvisibleCharacters,
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
    [MemberData(nameof(SpecExamples))]
    public void SpecExamplesCanonicalizeToPlatformAndId(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(PlatformSpellings))]
    public void PlatformIsCaseInsensitiveAndIgnoresSpacesHyphensAndUnderscores(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(Separators))]
    public void FullWidthColonSeparatesPlatformFromId(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(Aliases))]
    public void ChineseAndShortPlatformNamesAreAliases(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(WeChatIds))]
    public void WeChatIdsAreLowercased(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(PhoneNumbers))]
    public void PhoneNumbersBecomeE164WithMainlandMobilesUnderPlus86(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(BankCards))]
    public void BankCardsAreLuhnValidDigitsOnly(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(QqNumbers))]
    public void QqNumbersAreDigits(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(EmailAddresses))]
    public void EmailAddressesAreLowercased(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(Handles))]
    public void HandlesLoseTheirAtSignAndLinkAndAreLowercased(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(WalletAddresses))]
    public void UsdtAddressesPassTheirChecksumAndKeepOneSpelling(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(InvisibleCharacters))]
    public void InvisibleFormatCharactersAndTrailingNewlinesAreIgnored(string input, string expected) =>
        AssertCanonical(input, expected);

    [Theory]
    [MemberData(nameof(Valid))]
    public void CanonicalFormIsItsOwnCanonicalForm(string input, string expected)
    {
        _ = input;
        AssertCanonical(expected, expected);
    }

    [Theory]
    [InlineData("qq:13800138000", "wechat:13800138000")]
    [InlineData("qq:123456", "wechat:wxid_123456")]
    [InlineData("bank_card:6222021234567890128", "bank_card:6228480402564890018")]
    [InlineData("bank_card:4111111111111111", "bank_card:6258071234123419")]
    [InlineData("alipay:13800138000", "alipay:13800138001")]
    [InlineData("alipay:13800138000", "wechat:13800138000")]
    [InlineData("telegram:scam_bot", "line:scam_bot")]
    [InlineData("telegram:+8613800138000", "whatsapp:+8613800138000")]
    [InlineData("wechat:wxid_abc", "wechat:wxid_abd")]
    [InlineData("usdt_trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "usdt_trc20:TA4Y62o6YC2Zsck9rZVGTvqW1AQ7X9zTnj")]
    [InlineData("alipay:user@example.com", "paypal:user@example.com")]
    public void DifferentAccountsStayDifferent(string first, string second)
    {
        var a = Accounts.Canonicalize(first);
        var b = Accounts.Canonicalize(second);
        Assert.True(a.IsValid, a.ToString());
        Assert.True(b.IsValid, b.ToString());
        Assert.NotEqual(a.Value, b.Value);
    }

    [Fact]
    public void QqNumberIsNotAWeChatAccount()
    {
        AssertCanonical("qq:123456", "qq:123456");
        AssertRejected("wechat:123456", "phone number");
    }

    [Theory]
    [InlineData("wxid_abc")]
    [InlineData("123456")]
    [InlineData("user@example.com")]
    [InlineData("6222021234567890128")]
    public void MissingPlatformIsRejectedWithTheExpectedFormatAndThePlatforms(string input)
    {
        var detail = AssertRejected(input, "platform:id");
        foreach (var platform in Accounts.Platforms)
        {
            Assert.Contains(platform, detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(":123456", "before the colon")]
    [InlineData("facebook:scammer", "'facebook' is not a known account platform")]
    [InlineData("icq:123456", "not a known account platform")]
    [InlineData("微信支付:wxid_abc", "not a known account platform")]
    [InlineData("https://example.com/pay", "web address")]
    public void UnknownPlatformIsRejected(string input, string detailMentions) =>
        AssertRejected(input, detailMentions);

    [Fact]
    public void LongUnknownPlatformIsNotEchoedBack() =>
        AssertRejected(new string('x', 100) + ":123456", "The text before the colon is not a known account platform");

    [Theory]
    [InlineData("wechat:")]
    [InlineData("qq:   ")]
    [InlineData("bank_card:\u200B")]
    [InlineData("微信：")]
    public void EmptyIdIsRejected(string input) =>
        AssertRejected(input, "no id");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\uFEFF\u200B")]
    public void EmptyValueIsRejected(string input) =>
        AssertRejected(input, "empty");

    [Theory]
    [InlineData("qq:012345", "QQ number")]
    [InlineData("qq:1234", "QQ number")]
    [InlineData("qq:123456789012", "QQ number")]
    [InlineData("qq:abc123", "QQ number")]
    [InlineData("qq:123 456", "QQ number")]
    [InlineData("wechat:1abcdef", "WeChat id")]
    [InlineData("wechat:abcde", "WeChat id")]
    [InlineData("wechat:a12345678901234567890", "WeChat id")]
    [InlineData("wechat:scam helper", "WeChat id")]
    [InlineData("wechat:微信用户", "WeChat id")]
    [InlineData("wechat:12345678901", "mainland mobile")]
    [InlineData("wechat:+86 10 8765 4321", "mainland mobile")]
    [InlineData("wechat:+1 234", "has 10 digits")]
    [InlineData("alipay:user@", "email")]
    [InlineData("alipay:user@localhost", "email")]
    [InlineData("alipay:us..er@example.com", "email")]
    [InlineData("alipay:user@@example.com", "email")]
    [InlineData("alipay:scammer", "Alipay account")]
    [InlineData("alipay:2088123412341", "mainland mobile")]
    [InlineData("telegram:abcd", "Telegram username")]
    [InlineData("telegram:1scambot", "Telegram username")]
    [InlineData("telegram:1234", "Telegram user id")]
    [InlineData("whatsapp:scammer", "WhatsApp")]
    [InlineData("whatsapp:12345", "mainland mobile")]
    [InlineData("douyin:a", "Douyin")]
    [InlineData("douyin:scam-shop", "Douyin")]
    [InlineData("kuaishou:快手用户", "Kuaishou")]
    [InlineData("weibo:0123456", "Weibo uid")]
    [InlineData("weibo:客服 小王", "Weibo")]
    [InlineData("taobao:a", "Taobao")]
    [InlineData("line:abc", "LINE")]
    [InlineData("skype:1scammer", "Skype")]
    [InlineData("skype:scam@", "Skype")]
    [InlineData("paypal:scam@example", "PayPal")]
    [InlineData("paypal:scam_shop", "PayPal")]
    public void IdThatDoesNotFitThePlatformIsRejected(string input, string detailMentions) =>
        AssertRejected(input, detailMentions);

    [Theory]
    [InlineData("bank_card:6222021234567890127")]
    [InlineData("bank_card:4111 1111 1111 1112")]
    [InlineData("bank_card:6228480402564890081")]
    [InlineData("银行卡:123456789012")]
    public void BankCardFailingTheLuhnCheckIsRejectedAsAMistypedDigit(string input) =>
        AssertRejected(input, "check digit");

    [Theory]
    [InlineData("bank_card:12345678903", "12 to 19 digits")]
    [InlineData("bank_card:62220212345678901280", "12 to 19 digits")]
    [InlineData("bank_card:6222O21234567890128", "only digits")]
    [InlineData("bank_card:6222/0212/3456/7890/128", "only digits")]
    public void BankCardWithWrongLengthOrNonDigitsIsRejected(string input, string detailMentions) =>
        AssertRejected(input, detailMentions);

    [Theory]
    [InlineData("usdt_trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "checksum")]
    [InlineData("usdt_trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6", "34 Base58")]
    [InlineData("usdt_trc20:tr7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "starts with T")]
    [InlineData("usdt_trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj0t", "cannot contain 0")]
    [InlineData("usdt_erc20:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "EIP-55")]
    [InlineData("usdt_erc20:0xfb6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "EIP-55")]
    [InlineData("usdt_erc20:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", "40 hexadecimal")]
    [InlineData("usdt_erc20:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "40 hexadecimal")]
    [InlineData("usdt_erc20:5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00", "40 hexadecimal")]
    [InlineData("usdt:abc", "usdt_trc20")]
    public void WalletAddressThatFailsItsShapeOrChecksumIsRejected(string input, string detailMentions) =>
        AssertRejected(input, detailMentions);

    [Theory]
    [InlineData("wechat:wxid\u0000abc")]
    [InlineData("qq:123\t456")]
    [InlineData("qq:\u0007123456")]
    [InlineData("alipay:user\u0085@example.com")]
    [InlineData("wechat\u001B:wxid_abc")]
    public void ControlCharactersAreRejected(string input) =>
        AssertRejected(input, "control character");

    // Built here rather than passed in: xUnit's discovery serializes theory data as UTF-8, which turns a lone
    // surrogate into U+FFFD before the test sees it.
    [Theory]
    [InlineData("qq:123", 0xD800, "456")]
    [InlineData("wechat:wxid_abc", 0xDC00, "")]
    [InlineData("", 0xDBFF, "qq:123456")]
    public void LoneSurrogatesAreRejectedAsInvalidUnicode(string before, int surrogate, string after) =>
        AssertRejected(before + (char)surrogate + after, "surrogate");

    [Theory]
    [InlineData("qq:123\uFFFD456")]
    [InlineData("wechat:wxid_abc\uFFFF")]
    public void DamagedOrNoncharacterTextIsRejected(string input) =>
        AssertRejected(input, "U+");

    [Fact]
    public void InputLongerThanAnyAccountIsRejected() =>
        AssertRejected("qq:" + new string('1', 600), "at most 512");

    [Theory]
    [InlineData("qq:09876", "09876")]
    [InlineData("wechat:12912345678", "12912345678")]
    [InlineData("bank_card:6222021234567890127", "6222021234567890127")]
    [InlineData("alipay:victim@", "victim")]
    [InlineData("telegram:1234", "1234")]
    public void ProblemDetailNeverRepeatsTheId(string input, string id)
    {
        var detail = AssertRejected(input, string.Empty);
        Assert.DoesNotContain(id, detail, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryPlatformInTheListIsAcceptedUnderItsOwnName()
    {
        var sample = new Dictionary<string, string>
        {
            ["wechat"] = "wxid_abc",
            ["qq"] = "123456",
            ["alipay"] = "user@example.com",
            ["bank_card"] = "6222021234567890128",
            ["weibo"] = "1642909335",
            ["douyin"] = "scam.shop",
            ["kuaishou"] = "ks_scam",
            ["taobao"] = "tb12345678",
            ["telegram"] = "scam_bot",
            ["whatsapp"] = "+8613800138000",
            ["line"] = "scam.line",
            ["skype"] = "live:scammer",
            ["paypal"] = "user@example.com",
            ["usdt_trc20"] = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            ["usdt_erc20"] = "0xde709f2102306220921060314715629080e2fb77",
        };
        Assert.Equal(sample.Keys.Order(), Accounts.Platforms.Order());
        foreach (var (platform, id) in sample)
        {
            AssertCanonical($"{platform}:{id}", $"{platform}:{id}");
        }
    }

    [Fact]
    public void NeverThrowsAndValidResultsAreStableOnHostileInput()
    {
        var random = new Random(20240918);
        for (var i = 0; i < 10_000; i++)
        {
            var input = Hostile(random, i);
            var result = Accounts.Canonicalize(input);
            if (result.IsValid)
            {
                Assert.Contains(':', result.Value!);
                Assert.Equal(result.Value, Accounts.Canonicalize(result.Value!).Value);
            }
            else
            {
                Assert.Equal("invalid_account", result.ErrorCode);
                Assert.False(string.IsNullOrWhiteSpace(result.ErrorDetail));
            }
        }
    }

    private static readonly string[] Platforms =
    [
        "wechat:", "qq:", "alipay:", "bank_card:", "weibo:", "douyin:", "kuaishou:", "taobao:", "telegram:",
        "whatsapp:", "line:", "skype:", "paypal:", "usdt_trc20:", "usdt_erc20:", "usdt:", "微信：", "QQ：", "tg:",
    ];

    private static readonly string[] Pieces =
    [
        "wxid_", "abc", "ABC", "1", "3", "8", "0", "138", "+86", "00", "@", "example.com", ".", "-", "_", " ", "\u3000",
        "：", ":", "∶", "t.me/", "wa.me/", "live:", "0x", "T", "R7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "６", "ｚ", "云",
        "\u200B", "\uFEFF", "\u0000", "\t", "\n", "\uD800", "\uDC00", "\uFFFD", "\uFFFF", "🔥", "\u0301", "İ", "ß", "K",
    ];

    // Mostly a platform prefix and a jumble of id-like pieces and arbitrary UTF-16 units; a few 100,000-character ones.
    private static string Hostile(Random random, int iteration)
    {
        if (iteration % 1000 == 999)
        {
            return (iteration / 1000 % 3) switch
            {
                0 => "qq:" + new string('1', 100_000),
                1 => new string(' ', 100_000) + "qq:123456",
                _ => string.Concat(Enumerable.Range(0, 100_000).Select(_ => (char)random.Next(0x10000))),
            };
        }

        var text = new StringBuilder();
        if (random.Next(4) != 0)
        {
            text.Append(Platforms[random.Next(Platforms.Length)]);
        }

        var length = random.Next(0, 20);
        for (var i = 0; i < length; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                case 1:
                case 2:
                    text.Append(Pieces[random.Next(Pieces.Length)]);
                    break;
                case 3:
                    text.Append((char)random.Next(0x10000));
                    break;
                case 4:
                    text.Append((char)('0' + random.Next(10)));
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
        var result = Accounts.Canonicalize(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
    }

    private static string AssertRejected(string input, string detailMentions)
    {
        var result = Accounts.Canonicalize(input);
        Assert.False(result.IsValid, result.Value);
        Assert.Equal("invalid_account", result.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(result.ErrorDetail));
        Assert.Contains(detailMentions, result.ErrorDetail, StringComparison.Ordinal);
        return result.ErrorDetail!;
    }
}
