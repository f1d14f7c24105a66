using System.Globalization;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>
/// Apps (docs/product.md: kind <c>app</c>): a display name such as <c>云客服</c> or a package/bundle id such as
/// <c>com.example.remote</c>, each matched exactly.
/// </summary>
/// <remarks>
/// <para>
/// Invisible format characters (zero-width spaces and joiners, a BOM) are removed first, everywhere.
/// A package id is then recognised by its shape alone: ASCII without spaces, at least two dot-separated
/// segments of letters, digits, <c>_</c> and <c>-</c> (iOS bundle ids allow <c>-</c>), the first segment
/// starting with a letter. Its canonical form is lowercase. A name shaped like that (<c>Zoom.us</c>,
/// <c>Dr.Fone</c>) is therefore treated as a package id: every spelling of it meets (<c>zoom.us</c>), but
/// <c>Zoom us</c>, which is a name, canonicalizes to <c>zoomus</c> and does not.
/// </para>
/// <para>
/// A trailing installer extension (<c>.apk</c>, <c>.ipa</c>) is dropped, so <c>云客服.apk</c>, the file a
/// victim was sent, meets <c>云客服</c>. Nothing else is stripped: <c>云客服APP</c> stays <c>云客服app</c>,
/// because some apps are really named that way and matching is exact.
/// </para>
/// <para>
/// A name is NFKC-normalized (which folds full-width and half-width forms and stylised letters such as
/// <c>𝐙</c> or <c>Ⓩ</c>), lowercased, and reduced to its letters, digits and combining marks. Spaces,
/// punctuation, control and format characters, and symbols (<c>+</c>, <c>™</c>, <c>®</c>, emoji, with their
/// variation selectors and enclosing marks) are removed: they decorate a name rather than tell two apps
/// apart, and a rule this short is one every client can reimplement identically. Code points unassigned
/// in this runtime's Unicode version are kept, so a newer letter is not silently erased.
/// </para>
/// </remarks>
public static class Apps
{
    /// <summary>Longest canonical name or package id, in Unicode code points.</summary>
    public const int MaxLength = 200;

    private const string Code = "invalid_app";

    private static readonly string[] InstallerExtensions = [".apk", ".ipa"];

    public static CanonicalResult Canonicalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (AppText.FindInvalidUnicode(input, "app value") is { } problem)
        {
            return CanonicalResult.Invalid(Code, problem);
        }

        if (!AppText.TryNormalizeKC(WithoutTrademarkSigns(AppText.WithoutFormatCharacters(input)), out var text))
        {
            return CanonicalResult.Invalid(Code, "The app value is not valid Unicode text.");
        }

        text = WithoutInstallerExtensions(TrimEdges(text));
        if (IsPackageId(text))
        {
            return text.Length <= MaxLength
                ? CanonicalResult.Ok(text.ToLowerInvariant())
                : CanonicalResult.Invalid(Code, $"The package id is {text.Length} characters long; at most {MaxLength} are accepted.");
        }

        var name = FoldName(text);
        if (name is null)
        {
            return CanonicalResult.Invalid(Code, "The app value is not valid Unicode text.");
        }

        if (!ContainsLetterOrDigit(name))
        {
            return CanonicalResult.Invalid(
                Code,
                "The app name has no letters or digits once spaces, punctuation and symbols are removed.");
        }

        var length = CodePointCount(name);
        return length <= MaxLength
            ? CanonicalResult.Ok(name)
            : CanonicalResult.Invalid(Code, $"The app name is {length} characters long after normalization; at most {MaxLength} are accepted.");
    }

    private static bool IsPackageId(string text)
    {
        if (text.Length == 0 || !char.IsAsciiLetter(text[0]))
        {
            return false;
        }

        var segments = 1;
        var segmentLength = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (segmentLength == 0)
                {
                    return false;
                }

                segments++;
                segmentLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            {
                segmentLength++;
            }
            else
            {
                return false;
            }
        }

        return segments >= 2 && segmentLength > 0;
    }

    // NFKC turns ™ into the letters "TM", which would make 云客服™ a different name from 云客服.
    private static string WithoutTrademarkSigns(string input) =>
        input.Contains('\u2122', StringComparison.Ordinal) || input.Contains('\u2120', StringComparison.Ordinal)
            ? input.Replace("\u2122", string.Empty, StringComparison.Ordinal).Replace("\u2120", string.Empty, StringComparison.Ordinal)
            : input;

    // Repeated, so that no canonical package id ends in an extension and canonicalizing it again is a no-op.
    private static string WithoutInstallerExtensions(string text)
    {
        var stripped = true;
        while (stripped)
        {
            stripped = false;
            foreach (var extension in InstallerExtensions)
            {
                if (text.Length > extension.Length && text.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                {
                    text = TrimEdges(text[..^extension.Length]);
                    stripped = true;
                }
            }
        }

        return text;
    }

    // Quotes, brackets and spaces around a package id («com.example.remote», 「…」) are not part of it;
    // '_' and '-' are, so they stay.
    private static string TrimEdges(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(start), out var rune, out var consumed);
            if (IsNameRune(rune) || rune.Value is '_' or '-')
            {
                break;
            }

            start += consumed;
        }

        var end = text.Length;
        while (end > start)
        {
            Rune.DecodeLastFromUtf16(text.AsSpan(start, end - start), out var rune, out var consumed);
            if (IsNameRune(rune) || rune.Value is '_' or '-')
            {
                break;
            }

            end -= consumed;
        }

        return text[start..end];
    }

    // Lowercasing or removing a character can leave text that NFKC changes again (a base letter meeting a
    // combining accent), so the steps repeat until nothing changes: the output is then its own canonical form.
    private static string? FoldName(string text)
    {
        var current = text;
        Span<char> buffer = stackalloc char[2];
        for (var pass = 0; pass < 4; pass++)
        {
            var lowered = current.ToLowerInvariant();
            var kept = new StringBuilder(lowered.Length);
            foreach (var rune in lowered.EnumerateRunes())
            {
                if (IsNameRune(rune))
                {
                    kept.Append(buffer[..rune.EncodeToUtf16(buffer)]);
                }
            }

            if (!AppText.TryNormalizeKC(kept.ToString(), out var next))
            {
                return null;
            }

            if (string.Equals(next, current, StringComparison.Ordinal))
            {
                return next;
            }

            current = next;
        }

        return current;
    }

    internal static bool IsNameRune(Rune rune)
    {
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
            case UnicodeCategory.SpacingCombiningMark:
            case UnicodeCategory.OtherNotAssigned:
                return true;
            case UnicodeCategory.NonSpacingMark:
                // Variation selectors only pick a glyph (emoji vs text style, a CJK variant): same character.
                return rune.Value is not ((>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF));
            default:
                return false;
        }
    }

    private static bool ContainsLetterOrDigit(string name)
    {
        foreach (var rune in name.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune)
                || Rune.GetUnicodeCategory(rune) is UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or UnicodeCategory.OtherNotAssigned)
            {
                return true;
            }
        }

        return false;
    }

    private static int CodePointCount(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
