using System.Globalization;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>
/// What an id looks like on each platform, and its canonical spelling. The ids here are already NFKC-normalized
/// and trimmed, and never empty. Problem sentences never repeat the id: docs/product.md forbids account ids in logs.
/// </summary>
internal static class AccountIdRules
{
    public const string Code = "invalid_account";

    private static readonly string[] LinkSchemes = ["https://", "http://"];

    public static CanonicalResult Bad(string detail) => CanonicalResult.Invalid(Code, detail);

    public static CanonicalResult Canonicalize(string platform, string id) => platform switch
    {
        AccountPlatforms.WeChat => WeChat(id),
        AccountPlatforms.Qq => Qq(id),
        AccountPlatforms.Alipay => Alipay(id),
        AccountPlatforms.BankCard => BankCard(id),
        AccountPlatforms.Weibo => Weibo(id),
        AccountPlatforms.Douyin => AsciiHandle(
            WithoutAt(id), 2, 30, "_.", letterFirst: false,
            "A Douyin id (抖音号) has 2 to 30 letters, digits, '_' or '.'."),
        AccountPlatforms.Kuaishou => AsciiHandle(
            WithoutAt(id), 2, 30, "_.-", letterFirst: false,
            "A Kuaishou id (快手号) has 2 to 30 letters, digits, '_', '.' or '-'."),
        AccountPlatforms.Taobao => UnicodeHandle(
            id, 2, 30, "_-",
            "A Taobao member name has 2 to 30 letters (Chinese or Latin), digits, '_' or '-'."),
        AccountPlatforms.Telegram => Telegram(id),
        AccountPlatforms.WhatsApp => WhatsApp(id),
        AccountPlatforms.Line => AsciiHandle(
            WithoutAt(id), 4, 20, "._-", letterFirst: false,
            "A LINE id has 4 to 20 letters, digits, '.', '_' or '-'."),
        AccountPlatforms.Skype => Skype(id),
        AccountPlatforms.PayPal => PayPal(id),
        AccountPlatforms.UsdtTrc20 => AccountCryptoAddresses.Trc20(id),
        AccountPlatforms.UsdtErc20 => AccountCryptoAddresses.Erc20(id),
        _ => Bad($"Accounts on {platform} have no id rules."),
    };

    private static CanonicalResult WeChat(string id)
    {
        var phone = Phone(id, "WeChat");
        if (phone is not null)
        {
            return phone.Value;
        }

        var lower = id.ToLowerInvariant();

        // System-assigned wxid_ ids predate the 6-20 character rule and can be longer.
        if (lower.StartsWith("wxid_", StringComparison.Ordinal) && lower.Length <= 40 && IsAsciiHandle(lower.AsSpan(5), "_-"))
        {
            return CanonicalResult.Ok(lower);
        }

        return AsciiHandle(
            lower, 6, 20, "_-", letterFirst: true,
            "A WeChat id starts with a letter and has 6 to 20 letters, digits, '_' or '-'; a wxid_… id or a mobile number is accepted too.");
    }

    private static CanonicalResult Qq(string id) =>
        IsDigits(id, 5, 11) && id[0] != '0'
            ? CanonicalResult.Ok(id)
            : Bad("A QQ number has 5 to 11 digits and does not start with 0.");

    private static CanonicalResult Alipay(string id)
    {
        if (id.Contains('@', StringComparison.Ordinal))
        {
            return Email(id) ?? Bad("The Alipay account looks like an email address but is not a valid one (name@domain.example).");
        }

        // Alipay's own user ids (支付宝用户号) are 16 digits starting with 2088.
        if (IsDigits(id, 16, 16) && id.StartsWith("2088", StringComparison.Ordinal))
        {
            return CanonicalResult.Ok(id);
        }

        return Phone(id, "Alipay")
            ?? Bad("An Alipay account is a mobile number, an email address, or a 16-digit user id starting with 2088.");
    }

    private static CanonicalResult BankCard(string id)
    {
        var digits = new StringBuilder(id.Length);
        foreach (var c in id)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is not (' ' or '-'))
            {
                return Bad("A bank card number has only digits; spaces and hyphens between groups are ignored.");
            }
        }

        var number = digits.ToString();
        if (number.Length is < 12 or > 19)
        {
            return Bad($"A bank card number has 12 to 19 digits; this one has {number.Length}.");
        }

        return PassesLuhn(number)
            ? CanonicalResult.Ok(number)
            : Bad("The bank card number fails the Luhn check: its last digit (the check digit) does not fit the others, so a digit was probably mistyped.");
    }

    private static CanonicalResult Weibo(string id)
    {
        id = WithoutAt(id);
        if (IsDigits(id, 1, int.MaxValue))
        {
            return IsDigits(id, 5, 16) && id[0] != '0'
                ? CanonicalResult.Ok(id)
                : Bad("A numeric Weibo uid has 5 to 16 digits and does not start with 0.");
        }

        return UnicodeHandle(
            id, 1, 30, "_-",
            "A Weibo account is a numeric uid or a nickname of at most 30 letters (Chinese or Latin), digits, '_' or '-'.");
    }

    private static CanonicalResult Telegram(string id)
    {
        id = WithoutAt(WithoutLinkPrefix(id, "t.me/", "telegram.me/"));
        if (id.StartsWith('+'))
        {
            return Phone(id, "Telegram") ?? Bad("A Telegram phone number is + followed by the country code and number.");
        }

        if (IsDigits(id, 1, int.MaxValue))
        {
            return IsDigits(id, 5, 15) && id[0] != '0'
                ? CanonicalResult.Ok(id)
                : Bad("A numeric Telegram user id has 5 to 15 digits and does not start with 0; write a phone number with a leading +.");
        }

        return AsciiHandle(
            id, 5, 32, "_", letterFirst: true,
            "A Telegram username starts with a letter and has 5 to 32 letters, digits or '_'.");
    }

    private static CanonicalResult WhatsApp(string id)
    {
        var link = WithoutLinkPrefix(id, "wa.me/", "api.whatsapp.com/send?phone=");

        // wa.me links carry the international number without its '+'.
        if (!ReferenceEquals(link, id) && IsDigits(link, 1, int.MaxValue))
        {
            link = "+" + link;
        }

        return Phone(link, "WhatsApp") ?? Bad("A WhatsApp account is its phone number, e.g. +8613800138000.");
    }

    private static CanonicalResult Skype(string id)
    {
        var lower = id.ToLowerInvariant();

        // Microsoft-account Skype ids look like live:name or live:.cid.0123abcd.
        if (lower.StartsWith("live:", StringComparison.Ordinal) && lower.Length is > 5 and <= 64 && IsAsciiHandle(lower.AsSpan(5), "._-"))
        {
            return CanonicalResult.Ok(lower);
        }

        if (lower.Contains('@', StringComparison.Ordinal))
        {
            return Email(lower) ?? Bad("The Skype account looks like an email address but is not a valid one.");
        }

        return AsciiHandle(
            lower, 6, 32, "._,-", letterFirst: true,
            "A Skype name starts with a letter and has 6 to 32 letters, digits, '.', ',', '_' or '-'; live:… ids and email addresses are accepted too.");
    }

    private static CanonicalResult PayPal(string id)
    {
        if (id.Contains('@', StringComparison.Ordinal))
        {
            return Email(id) ?? Bad("The PayPal account looks like an email address but is not a valid one.");
        }

        var name = WithoutLinkPrefix(id, "paypal.me/");
        return Phone(name, "PayPal")
            ?? AsciiHandle(
                name, 1, 20, string.Empty, letterFirst: false,
                "A PayPal account is an email address, a phone number, or a paypal.me name of at most 20 letters and digits.");
    }

    /// <summary>
    /// Null when <paramref name="id"/> is not written like a phone number at all; otherwise the E.164 form
    /// or the reason it is not one. A mainland mobile number (1[3-9] and 9 more digits, with or without
    /// +86/0086/86) becomes +86…; another international number (+ or 00 first) is read by <see cref="Phones"/>.
    /// </summary>
    private static CanonicalResult? Phone(string id, string platform)
    {
        var digits = new StringBuilder(id.Length);
        var international = false;
        foreach (var c in id)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c == '+' && digits.Length == 0 && !international)
            {
                international = true;
            }
            else if (c is not (' ' or '-' or '(' or ')' or '.'))
            {
                return null;
            }
        }

        var number = digits.ToString();
        if (number.Length == 0)
        {
            return null;
        }

        if (!international && number.StartsWith("00", StringComparison.Ordinal))
        {
            international = true;
            number = number[2..];
        }
        else if (!international && number.Length == 13 && number.StartsWith("86", StringComparison.Ordinal))
        {
            international = true;
        }

        if (!international || number.StartsWith("86", StringComparison.Ordinal))
        {
            var national = international ? number[2..] : number;
            return national.Length == 11 && national[0] == '1' && national[1] is >= '3' and <= '9'
                ? CanonicalResult.Ok("+86" + national)
                : Bad($"The {platform} account looks like a phone number but is not a mainland mobile number (11 digits starting 13 to 19); write other numbers with + and the country code.");
        }

        // Other countries' numbers follow the phone rules, so an account named by a number and the number itself
        // have one form ("+254 0724 040680" and "+254 724 040680" alike).
        var phone = Phones.Canonicalize("+" + number);
        return phone.IsValid
            ? phone
            : Bad($"The {platform} account looks like an international phone number, but it is not one: {phone.ErrorDetail}");
    }

    private static CanonicalResult? Email(string id)
    {
        var lower = id.ToLowerInvariant();
        var at = lower.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at > 64 || at != lower.LastIndexOf('@') || lower.Length - at - 1 is < 4 or > 253)
        {
            return null;
        }

        var local = lower.AsSpan(0, at);
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var c in local)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && !"!#$%&'*+/=?^_`{|}~.-".Contains(c, StringComparison.Ordinal))
            {
                return null;
            }
        }

        var labels = lower[(at + 1)..].Split('.');
        if (labels.Length < 2)
        {
            return null;
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !IsAsciiHandle(label, "-"))
            {
                return null;
            }
        }

        var topLevel = labels[^1];
        return topLevel.Length >= 2 && !IsDigits(topLevel, 1, int.MaxValue) ? CanonicalResult.Ok(lower) : null;
    }

    private static CanonicalResult AsciiHandle(string id, int min, int max, string extra, bool letterFirst, string rule)
    {
        var lower = id.ToLowerInvariant();
        return lower.Length >= min && lower.Length <= max && (!letterFirst || char.IsAsciiLetter(lower[0])) && IsAsciiHandle(lower, extra)
            ? CanonicalResult.Ok(lower)
            : Bad(rule);
    }

    // Names in Chinese on Weibo and Taobao: letters of any script, digits and marks, case-insensitive.
    private static CanonicalResult UnicodeHandle(string id, int min, int max, string extra, string rule)
    {
        var folded = FoldCase(id);
        if (folded is null)
        {
            return Bad(rule);
        }

        var length = 0;
        foreach (var rune in folded.EnumerateRunes())
        {
            length++;
            var allowed = Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
                    or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark => true,
                _ => rune.IsAscii && extra.Contains((char)rune.Value, StringComparison.Ordinal),
            };
            if (!allowed)
            {
                return Bad(rule);
            }
        }

        return length >= min && length <= max ? CanonicalResult.Ok(folded) : Bad(rule);
    }

    // Lowercasing can leave text that NFKC changes again; repeat until stable so the output is canonical.
    private static string? FoldCase(string text)
    {
        for (var pass = 0; pass < 4; pass++)
        {
            if (!AppText.TryNormalizeKC(text.ToLowerInvariant(), out var next))
            {
                return null;
            }

            if (string.Equals(next, text, StringComparison.Ordinal))
            {
                return next;
            }

            text = next;
        }

        return text;
    }

    private static string WithoutAt(string id) => id.StartsWith('@') ? id[1..] : id;

    // Returns the same instance when there is no link, so callers can tell.
    private static string WithoutLinkPrefix(string id, params string[] hosts)
    {
        var rest = id.AsSpan();
        foreach (var scheme in LinkSchemes)
        {
            if (rest.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                rest = rest[scheme.Length..];
                break;
            }
        }

        if (rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
        {
            rest = rest[4..];
        }

        foreach (var host in hosts)
        {
            if (rest.StartsWith(host, StringComparison.OrdinalIgnoreCase))
            {
                return rest[host.Length..].TrimEnd('/').ToString();
            }
        }

        return id;
    }

    private static bool IsDigits(string text, int min, int max)
    {
        if (text.Length < min || text.Length > max)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAsciiHandle(ReadOnlySpan<char> text, string extra)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && !extra.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool PassesLuhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[^(i + 1)] - '0';
            if (i % 2 == 1)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return sum % 10 == 0;
    }
}
