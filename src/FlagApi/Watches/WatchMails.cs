using System.Globalization;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using FlagApi.Notifications;

namespace FlagApi.Watches;

/// <summary>
/// The mails of a watch, in Chinese and English, rendered whole for the outbox. The "flagged" mail carries the notice a
/// lookup of the flagged entry answers (<see cref="FlagNoticeBuilder"/>), so an owner is told what everyone else sees.
/// </summary>
public sealed class WatchMails(string? portalAddress)
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

    /// <param name="flaggedKind">The kind of the entry that flags the watched identifier: itself, or one that covers it (a URL's domain).</param>
    /// <param name="flaggedValue">That entry's value.</param>
    /// <param name="notice">The entry's notice in the watch's language.</param>
    public (string Subject, string Body) Flagged(Watch watch, IdentifierKind flaggedKind, string flaggedValue, FlagNotice notice, string endCode)
    {
        // A broader entry (a URL's domain) flags the identifier as a lookup of it would find: say which.
        var covered = flaggedKind != watch.Kind || flaggedValue != watch.Value;
        return Zh(watch)
            ? ($"您订阅的{KindZh(watch.Kind)}已被标记：{watch.Query}",
                $"""
                {KindZh(watch.Kind)} {watch.Query} 已被标记为涉诈{(covered ? $"（被标记的是涵盖它的{KindZh(flaggedKind)} {flaggedValue}）" : "")}，查询它的人会看到这一结果和以下告知：

                {notice.Summary}

                {EndZh(watch, endCode)}
                """)
            : ($"Your {KindEn(watch.Kind)} was flagged: {watch.Query}",
                $"""
                The {KindEn(watch.Kind)} {watch.Query} is now flagged as used in fraud{(covered ? $" (the flag is on the {KindEn(flaggedKind)} {flaggedValue}, which covers it)" : "")}; anyone who looks it up sees that, with this notice:

                {notice.Summary}

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
}
