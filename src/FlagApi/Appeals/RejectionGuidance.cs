using FlagApi.Identifiers;

namespace FlagApi.Appeals;

/// <summary>
/// What would change a rejection (issue 23, item 5): the reviewer's own words when they gave them, else what evidence helps
/// for the identifier's kind, in the language the appeal was filed in. The Anti-Telecom-Fraud Law (art. 31–32) asks that a
/// person told of a restriction is also told what documents a remedy needs.
/// </summary>
public static class RejectionGuidance
{
    public const int MaxLength = ReviewService.MaxReasonLength;

    public static string For(string? reviewerText, IdentifierKind kind, string language) =>
        string.IsNullOrWhiteSpace(reviewerText) ? Default(kind, language) : reviewerText;

    public static string Default(IdentifierKind kind, string language) => (kind, language == "en") switch
    {
        (IdentifierKind.Phone, true) =>
            "A certificate from your carrier that the number is registered in your real name, with the date you got it. If the number was reissued to you, say from when you hold it (\"new owner since\").",
        (IdentifierKind.Phone, false) =>
            "运营商出具的实名登记证明（号码登记在您名下，并注明开户日期）。如果号码是二次放号后分配给您的，请注明您从哪天开始使用（\"新机主起始日期\"）。",
        (IdentifierKind.Url or IdentifierKind.Domain, true) =>
            "Proof that you control the site (the domain's registration in your name, or your ICP filing) and that the content the flag names is gone or was never yours.",
        (IdentifierKind.Url or IdentifierKind.Domain, false) =>
            "能证明您控制该网站的材料（以您名义的域名注册信息或ICP备案），以及被标记的内容已删除或从不属于您的说明。",
        (IdentifierKind.App, true) =>
            "The developer account or app store listing in your name, and the store's confirmation of the app's current version.",
        (IdentifierKind.App, false) =>
            "以您名义的开发者账号或应用商店页面，以及应用商店对该应用当前版本的确认。",
        (IdentifierKind.Account, true) =>
            "A confirmation from the platform that the account is verified in your name and, if it was stolen, the platform's record of when you recovered it.",
        (IdentifierKind.Account, false) =>
            "平台出具的账号实名归属确认；如果账号曾被盗用，还需平台关于您找回账号时间的记录。",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
