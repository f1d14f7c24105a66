using System.Security.Cryptography;
using System.Text;

namespace FlagApi.Appeals;

/// <summary>Tracking codes and access tokens; only hashes of tokens and contacts are stored for matching.</summary>
public static class AppealSecrets
{
    /// <summary>No 0/O, 1/I/L, 5/S, 2/Z, 8/B: no two characters of a code are easily confused when read out or written down.</summary>
    private const string CodeAlphabet = "34679ACDEFGHJKMNPQRTUVWXY";

    /// <summary><c>AP-XXXX-XXXX</c>: 25^8 (about 1.5e11) codes, so guessing one is hopeless, and the token is needed besides.</summary>
    public static string NewTrackingCode()
    {
        Span<char> code = stackalloc char[8];
        for (var i = 0; i < code.Length; i++)
        {
            code[i] = CodeAlphabet[RandomNumberGenerator.GetInt32(CodeAlphabet.Length)];
        }

        return $"AP-{code[..4]}-{code[4..]}";
    }

    /// <summary>Reads a code as a person may type it: any case, with or without spaces and dashes; null if it cannot be a code.</summary>
    public static string? NormalizeTrackingCode(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var chars = new StringBuilder(8);
        var body = text.Trim().ToUpperInvariant();
        if (body.StartsWith("AP", StringComparison.Ordinal))
        {
            body = body[2..];
        }

        foreach (var c in body)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            if (!CodeAlphabet.Contains(c, StringComparison.Ordinal))
            {
                return null;
            }

            chars.Append(c);
        }

        return chars.Length == 8 ? $"AP-{chars.ToString(0, 4)}-{chars.ToString(4, 4)}" : null;
    }

    /// <summary>Characters of an access token, in groups of <see cref="TokenGroupLength"/>; 24 of 25 symbols are about 111 bits.</summary>
    public const int TokenCharacters = 24;

    public const int TokenGroupLength = 4;

    /// <summary>The prefix of the tokens issued before the grouped ones: base64url of 24 random bytes after it.</summary>
    public const string OldTokenPrefix = "at_";

    /// <summary>
    /// The longest token text read: a grouped token typed with a space or two around every group still fits, and any longer
    /// text is no token (the same 404 as a wrong one) without being hashed.
    /// </summary>
    public const int MaxTokenInputLength = 64;

    /// <summary>
    /// <c>XXXX-XXXX-XXXX-XXXX-XXXX-XXXX</c> in the tracking code's alphabet: a person can read it aloud and type it again
    /// without telling 0 from O or 1 from l, as the old <c>at_</c> tokens asked.
    /// </summary>
    public static string NewAccessToken()
    {
        Span<char> token = stackalloc char[TokenCharacters];
        for (var i = 0; i < token.Length; i++)
        {
            token[i] = CodeAlphabet[RandomNumberGenerator.GetInt32(CodeAlphabet.Length)];
        }

        return Group(token);
    }

    /// <summary>
    /// The token as it was issued, from what a person typed: a grouped token in any case, with or without spaces and dashes.
    /// A token of the old <c>at_</c> format is read exactly as it is (it is case-sensitive base64url), only trimmed.
    /// Anything else is returned unchanged, so it is hashed and compared like a wrong token.
    /// </summary>
    public static string NormalizeAccessToken(string token)
    {
        var trimmed = token.Trim();
        if (trimmed.StartsWith(OldTokenPrefix, StringComparison.Ordinal))
        {
            return trimmed;
        }

        Span<char> chars = stackalloc char[TokenCharacters];
        var count = 0;
        foreach (var c in trimmed)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            if (count == TokenCharacters || !CodeAlphabet.Contains(upper, StringComparison.Ordinal))
            {
                return token;
            }

            chars[count++] = upper;
        }

        return count == TokenCharacters ? Group(chars) : token;
    }

    /// <summary>The characters a grouped token may be typed with (any case, spaces and dashes), for the document's pattern.</summary>
    public static string TokenInputCharacters => CodeAlphabet + CodeAlphabet.ToLowerInvariant() + " -";

    private static string Group(ReadOnlySpan<char> chars)
    {
        var grouped = new StringBuilder(chars.Length + (chars.Length / TokenGroupLength));
        for (var i = 0; i < chars.Length; i += TokenGroupLength)
        {
            if (i > 0)
            {
                grouped.Append('-');
            }

            grouped.Append(chars.Slice(i, TokenGroupLength));
        }

        return grouped.ToString();
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>A contact as one person writes it in different ways: trimmed, lower case, without spaces and dashes.</summary>
    public static string ContactHash(string contact) =>
        Hash(new string([.. contact.Trim().ToLowerInvariant().Where(c => !char.IsWhiteSpace(c) && c != '-')]));

    /// <summary>The appeal's ETag: its revision, which every change bumps.</summary>
    public static string ETag(long revision) => $"\"{revision.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";
}
