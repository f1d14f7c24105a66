using System.Buffers;
using System.Globalization;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>The digits of a phone number as written, whether it began with +, and where a "(0)" stood (a value: read once per number).</summary>
internal readonly record struct PhoneDigits(string Digits, bool HasPlus, int? ParenthesizedZero);

/// <summary>Reads a phone number as people write and paste it into the digits it stands for.</summary>
internal static class PhoneText
{
    // Far more than E.164's 15 digits, so the reason names the real problem, while bounding the work.
    private const int MaxDigits = 32;

    private static readonly SearchValues<char> Separators = SearchValues.Create(
        "-./" +
        "\u2010\u2011\u2012\u2013\u2014\u2015\u2212" + // hyphens and dashes that word processors substitute
        "\uFE58\uFE63\uFF0D\uFF0E\uFF0F");               // small and full-width forms typed with a Chinese IME

    private static readonly string[] ExtensionMarkers = ["ext", "x", "#", ",", ";ext", "转", "分机", "內線", "内线"];

    public static string? Read(string input, out PhoneDigits phone)
    {
        phone = new PhoneDigits("", false, null);
        var text = input.AsSpan().Trim();
        if (text.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[4..].TrimStart();
        }

        Span<char> digits = stackalloc char[MaxDigits];
        var count = 0;
        var hasPlus = false;
        var zeroOfScript = -1;
        var openedAt = -1;
        int? parenthesizedZero = null;

        for (var i = 0; i < text.Length;)
        {
            // An unpaired surrogate decodes as U+FFFD and is rejected below like any other stray character.
            Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed);
            var at = i;
            i += consumed;

            var category = Rune.GetUnicodeCategory(rune);
            if (category == UnicodeCategory.DecimalDigitNumber)
            {
                var value = (int)Rune.GetNumericValue(rune);
                var zero = rune.Value - value;
                if (zero == '\uFF10')
                {
                    // A Chinese IME switches between full- and half-width in the middle of a number.
                    zero = '0';
                }

                if (zeroOfScript >= 0 && zero != zeroOfScript)
                {
                    return "The number mixes digits from different scripts.";
                }

                if (count == MaxDigits)
                {
                    return $"The value has more than {MaxDigits} digits; a phone number has at most {PhoneReference.MaxE164Digits} (an SMS sender number at most {PhoneChinaRules.MaxSmsSenderDigits}).";
                }

                zeroOfScript = zero;
                digits[count++] = (char)('0' + value);
                continue;
            }

            switch (rune.Value)
            {
                case '+' or '\uFF0B' or '\uFE62':
                    if (hasPlus)
                    {
                        return "The number has more than one plus sign.";
                    }

                    if (count > 0)
                    {
                        return "A plus sign may only stand at the start of the number, before the country code.";
                    }

                    hasPlus = true;
                    continue;
                case '(' or '\uFF08':
                    openedAt = count;
                    continue;
                case ')' or '\uFF09':
                    if (openedAt >= 0 && count == openedAt + 1 && digits[openedAt] == '0')
                    {
                        parenthesizedZero = openedAt;
                    }

                    openedAt = -1;
                    continue;
            }

            if (rune.IsBmp && Separators.Contains((char)rune.Value))
            {
                continue;
            }

            // Spaces of every width (NBSP, U+3000 ideographic space) separate groups; invisible format
            // characters (zero-width space, bidi marks, BOM) come along when numbers are copied from web
            // pages and messages, and are inserted on purpose to slip numbers past keyword filters.
            if (category is UnicodeCategory.SpaceSeparator or UnicodeCategory.Format)
            {
                continue;
            }

            if (category == UnicodeCategory.Control)
            {
                return $"The value contains the control character U+{rune.Value:X4}, which cannot be part of a phone number.";
            }

            if (count > 0 && StartsWithExtension(text[at..]))
            {
                return "The value has an extension, which is not part of the phone number; give the number without it.";
            }

            if (Rune.IsLetter(rune))
            {
                return $"The value contains the letter '{rune}', which is not part of a phone number.";
            }

            return $"The value contains '{rune}' (U+{rune.Value:X4}), which is not part of a phone number; only digits, a leading +, spaces, hyphens, dots, slashes and parentheses may appear.";
        }

        phone = new PhoneDigits(new string(digits[..count]), hasPlus, parenthesizedZero);
        return null;
    }

    private static bool StartsWithExtension(ReadOnlySpan<char> rest)
    {
        foreach (var marker in ExtensionMarkers)
        {
            if (rest.StartsWith(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
