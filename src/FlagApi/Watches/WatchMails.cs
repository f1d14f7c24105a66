using System.Globalization;
using System.Text;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Notifications;

namespace FlagApi.Watches;

/// <summary>What one source that flags an entry says of itself, for the notice: a published list, or accepted community reports.</summary>
public sealed record NoticeSource(
    string Type, string Label, string? Agency, string? Reference, string? Title, DateOnly? PublishedOn, DateTime AddedAt, string? Reason, string? Contact);

/// <summary>The facts of a flag the owner is told (issue 23, item 1's notice): who flagged it, as what, and how to appeal.</summary>
public sealed record WatchNotice(IdentifierKind Kind, string Value, Category Category, IReadOnlyList<NoticeSource> Sources);

/// <summary>
/// The mails of a watch, in Chinese and English, rendered whole for the outbox. The "flagged" mail carries the notice facts
/// itself for now; it is to be unified with the lookup notice's builder (issue 23, item 1), which was written in parallel.
/// </summary>
public sealed class WatchMails(string? portalAddress, TimeSpan appealServiceLevel)
{
    public const string ConfirmTemplate = "watch.confirm";
    public const string ActiveTemplate = "watch.active";
    public const string RejectedTemplate = "watch.rejected";
    public const string FlaggedTemplate = "watch.flagged";

    public (string Subject, string Body) Confirm(Watch watch, string code, string endCode) => Zh(watch)
        ? ($"确认订阅：{watch.Query} 被标记时通知您",
            $"""
            您的确认码是：{code}
            请在 {Time(watch.CodeExpiresAt!.Value)} 之前，连同订阅时得到的访问令牌提交：POST {Where($"/v1/watches/{watch.Id}/confirm")}（请求头 X-Watch-Token）。

            确认码只证明这个邮箱是您的，不证明{KindZh(watch.Kind)} {watch.Query} 是您的；确认后，审核员会按您的说明核实归属，核实通过后才开始通知。
            如果不是您本人订阅，无需处理：未确认的订阅不会生效。

            {EndZh(watch, endCode)}
            """)
        : ($"Confirm your watch: be told when {watch.Query} is flagged",
            $"""
            Your confirmation code is: {code}
            Enter it before {Time(watch.CodeExpiresAt!.Value)}, with the access token you got when you subscribed: POST {Where($"/v1/watches/{watch.Id}/confirm")} (header X-Watch-Token).

            The code proves that this address is yours, not that the {KindEn(watch.Kind)} {watch.Query} is. Once you confirm, a reviewer checks that it is yours as you described; you are told of flags only after that.
            If you did not subscribe, do nothing: an unconfirmed watch never starts.

            {EndEn(watch, endCode)}
            """);

    public (string Subject, string Body) Active(Watch watch, string endCode) => Zh(watch)
        ? ($"订阅已生效：{watch.Query}",
            $"""
            审核员已核实{KindZh(watch.Kind)} {watch.Query} 归您所有（方式：{VerificationZh(watch.Verification)}）。
            从现在起，它一旦被标记，我们会发邮件告诉您是谁标记的、原因以及如何申诉。

            {EndZh(watch, endCode)}
            """)
        : ($"Your watch is active: {watch.Query}",
            $"""
            A reviewer verified that the {KindEn(watch.Kind)} {watch.Query} is yours (by {VerificationEn(watch.Verification)}).
            From now on, if it is flagged we mail you who flagged it, why, and how to appeal.

            {EndEn(watch, endCode)}
            """);

    public (string Subject, string Body) Rejected(Watch watch, string endCode) => Zh(watch)
        ? ($"订阅未通过核实：{watch.Query}",
            $"""
            审核员未能核实{KindZh(watch.Kind)} {watch.Query} 归您所有，订阅不会生效。
            原因：{watch.DecisionReason}

            您可以用同一邮箱重新订阅，并说明审核员如何核实（{ProofZh(watch.Kind)}）。

            {EndZh(watch, endCode)}
            """)
        : ($"Your watch was not verified: {watch.Query}",
            $"""
            A reviewer could not verify that the {KindEn(watch.Kind)} {watch.Query} is yours, so the watch does not start.
            Reason: {watch.DecisionReason}

            You may subscribe again with the same address and say how a reviewer can check it ({ProofEn(watch.Kind)}).

            {EndEn(watch, endCode)}
            """);

    public (string Subject, string Body) Flagged(Watch watch, WatchNotice notice, string endCode)
    {
        var zh = Zh(watch);
        var sources = new StringBuilder();
        foreach (var source in notice.Sources)
        {
            sources.Append("- ").AppendLine(zh ? SourceZh(source) : SourceEn(source));
            if (source.Reason is { Length: > 0 } reason)
            {
                sources.Append("  ").Append(zh ? "理由：" : "Reason: ").AppendLine(reason);
            }

            if (source.Contact is { Length: > 0 } contact)
            {
                sources.Append("  ").Append(zh ? "联系方式：" : "Contact: ").AppendLine(contact);
            }
        }

        var hours = ((int)Math.Ceiling(appealServiceLevel.TotalHours)).ToString(CultureInfo.InvariantCulture);
        var appeal = Where($"/appeal?kind={watch.Kind.ToWire()}&value={Uri.EscapeDataString(watch.Query)}");

        // A broader entry (a URL's domain) flags the identifier as a lookup of it would find: say which.
        var covering = notice.Value == watch.Value && notice.Kind == watch.Kind ? null : notice;
        return zh
            ? ($"您订阅的{KindZh(watch.Kind)}已被标记：{watch.Query}",
                $"""
                {KindZh(watch.Kind)} {watch.Query} 已被标记为涉诈{(covering is null ? "" : $"（被标记的是涵盖它的{KindZh(covering.Kind)} {covering.Value}）")}，查询它的人会看到这一结果。
                类别：{CategoryZh(notice.Category)}
                标记来源：
                {sources.ToString().TrimEnd()}

                如果这是您的{KindZh(watch.Kind)}且标记有误，请申诉：{appeal}（或 POST {Where("/v1/appeals")}）。
                有帮助的材料：{ProofZh(watch.Kind)}。
                承诺在 {hours} 小时内作出决定。

                {EndZh(watch, endCode)}
                """)
            : ($"Your {KindEn(watch.Kind)} was flagged: {watch.Query}",
                $"""
                The {KindEn(watch.Kind)} {watch.Query} is now flagged as used in fraud{(covering is null ? "" : $" (the flag is on the {KindEn(covering.Kind)} {covering.Value}, which covers it)")}; anyone who looks it up sees that.
                Category: {CategoryEn(notice.Category)}
                Flagged by:
                {sources.ToString().TrimEnd()}

                If it is yours and the flag is wrong, appeal: {appeal} (or POST {Where("/v1/appeals")}).
                What helps: {ProofEn(watch.Kind)}.
                A decision is promised within {hours} hours.

                {EndEn(watch, endCode)}
                """);
    }

    private static bool Zh(Watch watch) => watch.Language != NoticeLanguages.English;

    private string Where(string path) => string.IsNullOrEmpty(portalAddress) ? path : portalAddress.TrimEnd('/') + path;

    private string EndZh(Watch watch, string endCode) =>
        $"退订：DELETE {Where($"/v1/watches/{watch.Id}")}，请求头 X-Watch-Token: {endCode}（或您的访问令牌）。";

    private string EndEn(Watch watch, string endCode) =>
        $"To end this watch: DELETE {Where($"/v1/watches/{watch.Id}")} with the header X-Watch-Token: {endCode} (or your access token).";

    private static string Time(DateTime at) => at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string SourceZh(NoticeSource source) => source.Type == Entries.EntrySourceTypes.List
        ? $"{source.Agency}，名单 {source.Reference}{(source.Title is { Length: > 0 } t ? $"《{t}》" : "")}，发布于 {Day(source)}"
        : $"经审核员采纳的社区举报（{source.Label}），{Day(source)}";

    private static string SourceEn(NoticeSource source) => source.Type == Entries.EntrySourceTypes.List
        ? $"{source.Agency}, list {source.Reference}{(source.Title is { Length: > 0 } t ? $" \"{t}\"" : "")}, published {Day(source)}"
        : $"community reports accepted by a reviewer ({source.Label}), {Day(source)}";

    private static string Day(NoticeSource source) =>
        (source.PublishedOn ?? DateOnly.FromDateTime(source.AddedAt)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string KindZh(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Phone => "电话号码",
        IdentifierKind.Url => "网址",
        IdentifierKind.Domain => "域名",
        IdentifierKind.App => "应用",
        _ => "账号",
    };

    private static string KindEn(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Phone => "phone number",
        IdentifierKind.Url => "web address",
        IdentifierKind.Domain => "domain",
        IdentifierKind.App => "app",
        _ => "account",
    };

    /// <summary>What shows a reviewer that an identifier of this kind is the owner's (docs/api-v1.md, "Watching an identifier").</summary>
    private static string ProofZh(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Phone => "运营商的实名登记证明、审核员回拨该号码，或到场核验身份证件",
        IdentifierKind.Url or IdentifierKind.Domain => "审核员可核验的域名 DNS TXT 记录或网站上的指定页面",
        IdentifierKind.App => "开发者后台或应用商店对开发者身份的确认",
        _ => "平台对账号归属的确认",
    };

    private static string ProofEn(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Phone => "the carrier's real-name registration record, a reviewer's call back to the number, or an identity document checked in person",
        IdentifierKind.Url or IdentifierKind.Domain => "control of the domain shown by a DNS TXT record or a page on the site that a reviewer checks",
        IdentifierKind.App => "the developer account's or the app store's confirmation that you are the developer",
        _ => "the platform's confirmation that the account is yours",
    };

    private static string VerificationZh(Verification? verification) => verification switch
    {
        Verification.CarrierRealName => "运营商实名登记",
        Verification.Callback => "回拨核实",
        Verification.InPersonId => "到场核验身份证件",
        Verification.PlatformConfirmation => "平台确认",
        _ => "其他方式",
    };

    private static string VerificationEn(Verification? verification) => verification switch
    {
        Verification.CarrierRealName => "the carrier's real-name record",
        Verification.Callback => "calling the number back",
        Verification.InPersonId => "an identity document checked in person",
        Verification.PlatformConfirmation => "the platform's confirmation",
        _ => "other means",
    };

    private static string CategoryZh(Category category) => category switch
    {
        Category.TaskBrushing => "刷单返利",
        Category.LoanOrCard => "贷款、办信用卡",
        Category.ImpersonatingAuthorities => "冒充公检法",
        Category.InvestmentRomance => "投资理财、网恋交友（杀猪盘）",
        Category.ImpersonatingAcquaintance => "冒充熟人、领导",
        Category.FakeCustomerService => "冒充电商、物流客服",
        Category.FakeCreditRepair => "注销校园贷、修复征信",
        Category.Gambling => "网络赌博",
        Category.RemoteControlApp => "远程控制、共享屏幕",
        _ => "其他",
    };

    private static string CategoryEn(Category category) => category switch
    {
        Category.TaskBrushing => "paid \"task\" or order-brushing scam",
        Category.LoanOrCard => "loan or credit card scam",
        Category.ImpersonatingAuthorities => "pretending to be police, a court or prosecutors",
        Category.InvestmentRomance => "investment or romance scam (\"pig butchering\")",
        Category.ImpersonatingAcquaintance => "pretending to be a friend or your boss",
        Category.FakeCustomerService => "fake shop or delivery customer service",
        Category.FakeCreditRepair => "fake credit-record repair or student-loan cancellation",
        Category.Gambling => "online gambling",
        Category.RemoteControlApp => "remote control or screen sharing",
        _ => "other",
    };
}
