namespace FlagApi.Identifiers;

/// <summary>
/// Payment and social accounts (docs/product.md: kind <c>account</c>) as <c>platform:id</c>, with the platform from a
/// fixed list (<see cref="Platforms"/>) and the id in the platform's canonical spelling.
/// </summary>
/// <remarks>
/// <para>
/// The input is NFKC-normalized first, so a full-width colon (<c>QQ：123456</c>) or full-width digits work;
/// format characters (zero-width spaces, a BOM from a CSV file) are dropped and control characters rejected.
/// The platform is matched case-insensitively, ignoring spaces, <c>-</c>, <c>_</c> and <c>.</c>, and may be
/// written as a common alias (<c>微信</c>, <c>wx</c>, <c>支付宝</c>, <c>zfb</c>, <c>银行卡</c>, <c>tg</c>, …).
/// </para>
/// <para>
/// Ids: QQ numbers as digits; WeChat ids, Telegram usernames and other handles lowercased (those platforms
/// treat them case-insensitively); email addresses lowercased; phone numbers as E.164, where a bare
/// 11-digit mainland mobile number becomes <c>+86…</c>; bank cards as 12 to 19 Luhn-valid digits; USDT
/// addresses checked against their checksums (TRC-20 kept as written because Base58 is case-sensitive,
/// ERC-20 lowercased). <c>usdt:</c> without a chain is accepted and resolved from the address's shape.
/// </para>
/// </remarks>
public static class Accounts
{
    // Longer than any id on any platform (an email address is at most 254), so longer input is not an account.
    private const int MaxInputLength = 512;

    private const int MaxEchoedPlatformLength = 24;

    /// <summary>The canonical platform names, in the order problem details list them.</summary>
    public static IReadOnlyList<string> Platforms => AccountPlatforms.All;

    public static CanonicalResult Canonicalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (AppText.FindInvalidUnicode(input, "account value") is { } problem)
        {
            return AccountIdRules.Bad(problem);
        }

        var text = AppText.WithoutFormatCharacters(input).Trim();
        if (text.Length == 0)
        {
            return AccountIdRules.Bad("The account value is empty. " + ExpectedFormat);
        }

        if (text.Length > MaxInputLength)
        {
            return AccountIdRules.Bad($"The account value is {text.Length} characters long; at most {MaxInputLength} are accepted.");
        }

        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return AccountIdRules.Bad($"The account value contains the control character U+{(int)c:X4}, which no platform allows in an id.");
            }
        }

        if (!AppText.TryNormalizeKC(text, out text))
        {
            return AccountIdRules.Bad("The account value is not valid Unicode text.");
        }

        // U+2236 RATIO looks like a colon and Chinese input methods produce it; NFKC leaves it alone.
        var separator = text.AsSpan().IndexOfAny(':', '\u2236');
        if (separator < 0)
        {
            return AccountIdRules.Bad("The account has no platform. " + ExpectedFormat);
        }

        var platformText = text[..separator].Trim();
        var id = text[(separator + 1)..].Trim();
        if (platformText.Length == 0)
        {
            return AccountIdRules.Bad("The account has no platform before the colon. " + ExpectedFormat);
        }

        var platform = AccountPlatforms.Resolve(platformText);
        if (platform is null)
        {
            return AccountIdRules.Bad(UnknownPlatform(platformText));
        }

        if (id.Length == 0)
        {
            return AccountIdRules.Bad($"The {platform} account has no id after the colon.");
        }

        if (platform == AccountPlatforms.UsdtAnyChain)
        {
            platform = id.StartsWith('T') ? AccountPlatforms.UsdtTrc20
                : id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? AccountPlatforms.UsdtErc20
                : null;
            if (platform is null)
            {
                return AccountIdRules.Bad(
                    "The USDT address is neither a TRC-20 (TRON) address starting with T nor an ERC-20 (Ethereum) address starting with 0x; write usdt_trc20: or usdt_erc20:.");
            }
        }

        var result = AccountIdRules.Canonicalize(platform, id);
        return result.IsValid ? CanonicalResult.Ok(platform + ":" + result.Value) : result;
    }

    private static string ExpectedFormat { get; } =
        "Write an account as platform:id, for example wechat:wxid_abc or qq:123456; the platforms are "
        + AccountPlatforms.AllJoined + " (common names such as 微信, 支付宝 or 银行卡 work too).";

    private static string UnknownPlatform(string platformText)
    {
        var lower = platformText.ToLowerInvariant();
        if (lower is "http" or "https")
        {
            return "This looks like a web address; look it up as kind url or domain, not account.";
        }

        var named = platformText.Length <= MaxEchoedPlatformLength ? $"'{platformText}'" : "The text before the colon";
        return $"{named} is not a known account platform; the platforms are {AccountPlatforms.AllJoined}.";
    }
}
