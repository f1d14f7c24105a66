using System.Globalization;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>Unicode checks shared by the app and account rules.</summary>
internal static class AppText
{
    /// <summary>
    /// A sentence saying why <paramref name="input"/> is not text we can canonicalize, or null when it is.
    /// Unpaired surrogates and noncharacters make NFKC fail; U+FFFD means the text was already damaged by a
    /// wrong decoding, and accepting it would merge unrelated damaged values into one entry.
    /// </summary>
    public static string? FindInvalidUnicode(string input, string what)
    {
        var span = input.AsSpan();
        var index = 0;
        while (index < span.Length)
        {
            if (Rune.DecodeFromUtf16(span[index..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return $"The {what} contains an unpaired UTF-16 surrogate at position {index}, which is not valid Unicode text.";
            }

            if (rune.Value == 0xFFFD)
            {
                return $"The {what} contains U+FFFD, the replacement character left where text was decoded with the wrong encoding; send the original text.";
            }

            if (IsNoncharacter(rune.Value))
            {
                return $"The {what} contains U+{rune.Value:X4}, a Unicode noncharacter that never appears in real text.";
            }

            index += consumed;
        }

        return null;
    }

    /// <summary>
    /// NFKC without exceptions: the checks above cover what .NET rejects today, and a refusal we did not
    /// foresee must still become a validation problem rather than a 500.
    /// </summary>
    public static bool TryNormalizeKC(string text, out string normalized)
    {
        try
        {
            normalized = text.Normalize(NormalizationForm.FormKC);
            return true;
        }
        catch (ArgumentException)
        {
            normalized = string.Empty;
            return false;
        }
    }

    /// <summary>
    /// Drops format characters (zero-width spaces and joiners, bidi controls, soft hyphens, a BOM): invisible
    /// when pasted, so two values that look identical must not differ by them.
    /// </summary>
    public static string WithoutFormatCharacters(string input)
    {
        StringBuilder? kept = null;
        var index = 0;
        foreach (var rune in input.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format)
            {
                kept ??= new StringBuilder(input, 0, index, input.Length);
            }
            else
            {
                kept?.Append(input, index, rune.Utf16SequenceLength);
            }

            index += rune.Utf16SequenceLength;
        }

        return kept?.ToString() ?? input;
    }

    private static bool IsNoncharacter(int value) =>
        value is >= 0xFDD0 and <= 0xFDEF || (value & 0xFFFE) == 0xFFFE;
}
