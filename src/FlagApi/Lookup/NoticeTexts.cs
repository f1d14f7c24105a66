using System.Globalization;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Notifications;

namespace FlagApi.Lookup;

/// <summary>The notice's words in Chinese and English: each category as a reason, the proof that helps each kind, the sentences around them.</summary>
internal static class NoticeTexts
{
    private static readonly Dictionary<Category, (string Zh, string En)> Reasons = new()
    {
        [Category.TaskBrushing] = (
            "用于刷单返利类诈骗：以“做任务”“刷单”给佣金为名，诱导先垫付资金。",
            "Used in paid \"task\" or order-brushing scams, which have people pay in advance for commissions that never come."),
        [Category.LoanOrCard] = (
            "用于虚假贷款、办卡类诈骗：以放贷、办信用卡为名收取保证金、手续费。",
            "Used in fake loan or credit card scams, which charge deposits or fees for a loan or card that never comes."),
        [Category.ImpersonatingAuthorities] = (
            "用于冒充公检法等政府机关的诈骗。",
            "Used to impersonate the police, prosecutors, courts or other authorities."),
        [Category.InvestmentRomance] = (
            "用于虚假投资理财或网络交友（“杀猪盘”）类诈骗。",
            "Used in fake investment or online romance scams."),
        [Category.ImpersonatingAcquaintance] = (
            "用于冒充熟人、领导的诈骗。",
            "Used to impersonate an acquaintance, a relative or a superior and ask for money."),
        [Category.FakeCustomerService] = (
            "用于冒充电商、物流客服的诈骗，以退款、理赔为名骗取钱款。",
            "Used to impersonate a shop's or a courier's customer service and take money under the pretext of a refund or compensation."),
        [Category.FakeCreditRepair] = (
            "用于虚假征信类诈骗，以“消除不良记录”“注销校园贷”为名骗取钱款。",
            "Used in fake credit repair scams, which promise to erase a bad credit record or close a student loan account for money."),
        [Category.Gambling] = (
            "用于网络赌博或为赌博引流。",
            "Used for online gambling or to draw people to it."),
        [Category.RemoteControlApp] = (
            "用于诱导安装远程控制或屏幕共享软件，以操控受害人的手机或银行账户。",
            "Used to get people to install remote control or screen sharing software and take over their phone or bank account."),
        [Category.Other] = (
            "经核实用于电信网络诈骗。",
            "Confirmed as used in telecom or online fraud."),
    };

    private static readonly Dictionary<IdentifierKind, (string[] Zh, string[] En)> Evidence = new()
    {
        [IdentifierKind.Phone] = (
            ["运营商出具的该号码实名登记证明（营业厅或运营商 App 可开具）", "显示您何时开始使用该号码的开户记录或近期话费账单"],
            ["The carrier's real-name registration certificate for the number (from its service hall or app)", "The activation record or a recent bill showing since when the number is yours"]),
        [IdentifierKind.Url] = (
            ["以您或您单位名义的域名注册信息或 ICP 备案记录", "与注册人一致的营业执照或身份证明"],
            ["The domain's registration or ICP filing record in your or your organization's name", "A business licence or identity document matching the registrant"]),
        [IdentifierKind.Domain] = (
            ["以您或您单位名义的域名注册信息或 ICP 备案记录", "与注册人一致的营业执照或身份证明"],
            ["The domain's registration or ICP filing record in your or your organization's name", "A business licence or identity document matching the registrant"]),
        [IdentifierKind.App] = (
            ["应用商店的开发者账号确认或软件著作权登记证书", "开发者的营业执照"],
            ["The app store's confirmation of your developer account, or the software copyright certificate", "The developer's business licence"]),
        [IdentifierKind.Account] = (
            ["平台出具的账号归属确认（平台客服或安全中心可开具）", "账号实名认证页面的截图"],
            ["The platform's confirmation that the account is yours (from its customer service or security centre)", "A screenshot of the account's real-name verification page"]),
    };

    public static string Reason(Category category, string language) =>
        language == NoticeLanguages.English ? Reasons[category].En : Reasons[category].Zh;

    public static IReadOnlyList<string> EvidenceFor(IdentifierKind kind, string language) =>
        language == NoticeLanguages.English ? Evidence[kind].En : Evidence[kind].Zh;

    public static string DecisionTime(int hours, string language) => language == NoticeLanguages.English
        ? string.Create(CultureInfo.InvariantCulture, $"within {hours} {(hours == 1 ? "hour" : "hours")} of filing the appeal")
        : string.Create(CultureInfo.InvariantCulture, $"提交申诉后 {hours} 小时内");

    /// <summary>The source of one listing in words: the agency and its list, or a confirmed report.</summary>
    public static string ListedBy(NoticeListing listing, string language)
    {
        var english = language == NoticeLanguages.English;
        if (listing.Agency is null)
        {
            return listing.Source == "report"
                ? english ? "a community report confirmed by a reviewer" : "经审核确认的公众举报"
                : listing.Label;
        }

        var date = (listing.PublishedOn ?? DateOnly.FromDateTime(listing.ListedAt)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return english
            ? $"{listing.Agency} (list {listing.Reference}, {date})"
            : $"{listing.Agency}（名单 {listing.Reference}，{date}）";
    }

    public static string Summary(FlagNotice notice)
    {
        var english = notice.Language == NoticeLanguages.English;
        var by = string.Join(english ? "; " : "；", notice.ListedBy.Select(l => ListedBy(l, notice.Language)));
        var reasons = notice.ListedBy.Count == 0 ? notice.Reason : string.Join(" ", notice.ListedBy.Select(l => l.Reason).Distinct());
        var contacts = notice.ListedBy.Select(l => l.Contact).OfType<string>().Distinct().ToList();
        var where = notice.Appeal.Portal is { } portal
            ? english ? $"at {portal} or through the API {notice.Appeal.Api}" : $"可在 {portal} 或通过接口 {notice.Appeal.Api} 申诉"
            : english ? $"through the API {notice.Appeal.Api}" : $"可通过接口 {notice.Appeal.Api} 申诉";
        var evidence = string.Join(english ? "; " : "；", notice.Evidence);
        if (english)
        {
            return (by.Length > 0 ? $"Flagged by {by}. " : "Flagged. ") + $"Reason: {reasons}"
                + (contacts.Count > 0 ? $" Contact: {string.Join("; ", contacts)}." : string.Empty)
                + $" If it is yours and this is wrong, appeal free of charge {where}; a decision is promised {notice.Appeal.DecisionTime}."
                + $" Proof that helps: {evidence}.";
        }

        return (by.Length > 0 ? $"标记来源：{by}。" : string.Empty) + $"原因：{reasons}"
            + (contacts.Count > 0 ? $"联系方式：{string.Join("；", contacts)}。" : string.Empty)
            + $"如它属于您且标记有误，{where}，申诉免费；承诺{notice.Appeal.DecisionTime}作出决定。"
            + $"有助于申诉的材料：{evidence}。";
    }
}
