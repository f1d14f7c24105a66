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

    public static string NewAccessToken() => "at_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>A contact as one person writes it in different ways: trimmed, lower case, without spaces and dashes.</summary>
    public static string ContactHash(string contact) =>
        Hash(new string([.. contact.Trim().ToLowerInvariant().Where(c => !char.IsWhiteSpace(c) && c != '-')]));

    /// <summary>The appeal's ETag: its revision, which every change bumps.</summary>
    public static string ETag(long revision) => $"\"{revision.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";
}
