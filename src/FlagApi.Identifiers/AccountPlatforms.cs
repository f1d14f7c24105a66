using System.Collections.Frozen;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>
/// The fixed list of account platforms and the names people write for them. Platforms are part of the
/// canonical form (and so of every stored hash): adding one is a contract change, renaming one is a migration.
/// </summary>
internal static class AccountPlatforms
{
    public const string WeChat = "wechat";
    public const string Qq = "qq";
    public const string Alipay = "alipay";
    public const string BankCard = "bank_card";
    public const string Weibo = "weibo";
    public const string Douyin = "douyin";
    public const string Kuaishou = "kuaishou";
    public const string Taobao = "taobao";
    public const string Telegram = "telegram";
    public const string WhatsApp = "whatsapp";
    public const string Line = "line";
    public const string Skype = "skype";
    public const string PayPal = "paypal";
    public const string UsdtTrc20 = "usdt_trc20";
    public const string UsdtErc20 = "usdt_erc20";

    /// <summary>"usdt" without a chain: the address itself says which chain it is on.</summary>
    public const string UsdtAnyChain = "usdt";

    public static IReadOnlyList<string> All { get; } =
    [
        WeChat, Qq, Alipay, BankCard, Weibo, Douyin, Kuaishou, Taobao,
        Telegram, WhatsApp, Line, Skype, PayPal, UsdtTrc20, UsdtErc20,
    ];

    public static string AllJoined { get; } = string.Join(", ", All);

    // Keys are folded by Fold, so "Bank Card", "bank-card" and "BANK_CARD" are one key.
    private static readonly FrozenDictionary<string, string> ByName = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["wechat"] = WeChat,
        ["weixin"] = WeChat,
        ["wx"] = WeChat,
        ["微信"] = WeChat,
        ["微信号"] = WeChat,
        ["qq"] = Qq,
        ["qq号"] = Qq,
        ["qq号码"] = Qq,
        ["alipay"] = Alipay,
        ["zfb"] = Alipay,
        ["支付宝"] = Alipay,
        ["支付宝账号"] = Alipay,
        ["bankcard"] = BankCard,
        ["card"] = BankCard,
        ["银行卡"] = BankCard,
        ["银行卡号"] = BankCard,
        ["weibo"] = Weibo,
        ["微博"] = Weibo,
        ["douyin"] = Douyin,
        ["抖音"] = Douyin,
        ["抖音号"] = Douyin,
        ["kuaishou"] = Kuaishou,
        ["快手"] = Kuaishou,
        ["快手号"] = Kuaishou,
        ["taobao"] = Taobao,
        ["淘宝"] = Taobao,
        ["telegram"] = Telegram,
        ["tg"] = Telegram,
        // 电报 and 纸飞机 ("paper plane", after its logo) are what Chinese victims and police reports call Telegram.
        ["电报"] = Telegram,
        ["纸飞机"] = Telegram,
        ["whatsapp"] = WhatsApp,
        ["line"] = Line,
        ["skype"] = Skype,
        ["paypal"] = PayPal,
        ["usdttrc20"] = UsdtTrc20,
        ["trc20"] = UsdtTrc20,
        ["usdterc20"] = UsdtErc20,
        ["erc20"] = UsdtErc20,
        ["usdt"] = UsdtAnyChain,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The canonical platform name for what was written before the colon, or null if unknown.</summary>
    public static string? Resolve(string text) => ByName.GetValueOrDefault(Fold(text));

    private static string Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (c is not (' ' or '-' or '_' or '.'))
            {
                folded.Append(c);
            }
        }

        return folded.ToString();
    }
}
