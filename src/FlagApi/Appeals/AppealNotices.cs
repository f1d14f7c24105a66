using System.Globalization;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Notifications;

namespace FlagApi.Appeals;

/// <summary>A message to the appellant, rendered in the appeal's language.</summary>
public sealed record AppealNotice(string Template, string Subject, string Body);

/// <summary>
/// What the appellant is told when their appeal is filed, when a reviewer asks for information, and when it is decided or
/// closed, in Chinese or English as the appeal was filed. Never the access token: a message can be read by whoever reaches
/// the mailbox or the phone, and the token opens the appeal; the tracking code alone does not.
/// </summary>
public static class AppealNotices
{
    /// <summary>The events that send a message, as <see cref="AppealEvent.Action"/> names them.</summary>
    public static readonly IReadOnlySet<string> Actions = new HashSet<string>(StringComparer.Ordinal)
    {
        "submitted", "info_requested", "approved", "rejected", "resolved",
    };

    private static readonly TimeSpan BeijingOffset = TimeSpan.FromHours(8);

    /// <param name="trackingPage">The portal's tracking page (Portal:OfficialAddress + /track), or null when no address is set.</param>
    /// <param name="rejectionCooldown">Appeals:RejectionCooldown: a rejected appellant is told from when they may appeal again.</param>
    public static AppealNotice? Render(Appeal appeal, AppealEvent appealEvent, string? trackingPage, TimeSpan rejectionCooldown)
    {
        if (!Actions.Contains(appealEvent.Action))
        {
            return null;
        }

        var en = appeal.Language == NoticeLanguages.English;
        var code = appeal.TrackingCode;
        var what = en ? $"{KindEn(appeal.Kind)} {appeal.Query}" : $"{KindZh(appeal.Kind)} {appeal.Query}";
        var decidedAt = appeal.DecidedAt ?? appealEvent.At;
        var message = appealEvent.PublicMessage?.Trim();
        var track = en
            ? $"Follow it on the tracking page, {trackingPage ?? "/track on the FlagApi portal"}, with the tracking code {code} and the access token you were shown when you filed. This message never contains the token, and nobody from us will ask you for it."
            : $"请在查询页面（{trackingPage ?? "FlagApi 门户的 /track 页面"}）用查询码 {code} 和提交时显示给您的访问令牌查看进度。本邮件和短信不会包含访问令牌，我们的工作人员也不会向您索要。";

        return (appealEvent.Action, en) switch
        {
            ("submitted", true) => new("appeal.submitted",
                $"Appeal {code} received",
                $"""
                We received your appeal against the flag on {what}.

                Tracking code: {code}
                A decision is due by {En(appeal.DueBy)}.

                {track}
                """),
            ("submitted", false) => new("appeal.submitted",
                $"申诉 {code} 已收到",
                $"""
                我们已收到您对{what}的申诉。

                查询码：{code}
                我们将在 {Zh(appeal.DueBy)} 前作出决定。

                {track}
                """),
            ("info_requested", true) => new("appeal.info_requested",
                $"Appeal {code}: more information needed",
                $"""
                The reviewer of your appeal {code} ({what}) needs more information:

                {message}

                Answer on the tracking page; the appeal waits for your answer. {track}
                """),
            ("info_requested", false) => new("appeal.info_requested",
                $"申诉 {code}：需要补充材料",
                $"""
                审核人员需要您为申诉 {code}（{what}）补充以下信息：

                {message}

                请在查询页面答复，申诉将在您答复后继续审核。{track}
                """),
            ("approved", true) => new("appeal.approved",
                $"Appeal {code} approved",
                $"""
                Your appeal {code} was approved on {En(decidedAt)}: the flag on {what} is removed.

                Reason: {message}

                {track}
                """),
            ("approved", false) => new("appeal.approved",
                $"申诉 {code} 已通过",
                $"""
                您的申诉 {code} 已于 {Zh(decidedAt)} 通过，{what}的标记已解除。

                理由：{message}

                {track}
                """),
            ("rejected", true) => new("appeal.rejected",
                $"Appeal {code} rejected",
                $"""
                Your appeal {code} against the flag on {what} was rejected on {En(decidedAt)}.

                Reason: {message}

                What would change the decision: {RejectionGuidance.For(appeal.WhatWouldChange, appeal.Kind, NoticeLanguages.English)}

                You may appeal again from {En(decidedAt + rejectionCooldown)}, with what answers the reason above.

                {track}
                """),
            ("rejected", false) => new("appeal.rejected",
                $"申诉 {code} 未通过",
                $"""
                您对{what}的申诉 {code} 已于 {Zh(decidedAt)} 被驳回。

                理由：{message}

                怎样可以改变这一决定：{RejectionGuidance.For(appeal.WhatWouldChange, appeal.Kind, NoticeLanguages.Chinese)}

                您可以在 {Zh(decidedAt + rejectionCooldown)} 之后针对上述理由补充材料再次申诉。

                {track}
                """),
            ("resolved", true) => new("appeal.resolved",
                $"Appeal {code} closed: the flag is removed",
                $"""
                The flag on {what} was removed on {En(appealEvent.At)}, so your appeal {code} is closed without a decision of its own.
                {(string.IsNullOrEmpty(message) ? "" : $"\n{message}\n")}
                {track}
                """),
            _ => new("appeal.resolved",
                $"申诉 {code} 已结束：标记已解除",
                $"""
                {what}的标记已于 {Zh(appealEvent.At)} 解除，因此您的申诉 {code} 无需再审核，已结束。
                {(string.IsNullOrEmpty(message) ? "" : $"\n{message}\n")}
                {track}
                """),
        };
    }

    private static string En(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    // Mainland readers keep Beijing time; the appeal's own times are UTC.
    private static string Zh(DateTime utc) => (utc + BeijingOffset).ToString("yyyy年M月d日 HH:mm（北京时间）", CultureInfo.InvariantCulture);

    private static string KindEn(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Phone => "the phone number",
        IdentifierKind.Url => "the web address",
        IdentifierKind.Domain => "the domain",
        IdentifierKind.App => "the app",
        _ => "the account",
    };

    private static string KindZh(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Phone => "电话号码",
        IdentifierKind.Url => "网址",
        IdentifierKind.Domain => "域名",
        IdentifierKind.App => "应用",
        _ => "账号",
    };
}
