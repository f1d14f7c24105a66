using System.Globalization;
using System.Security.Cryptography;
using FlagApi.Appeals;

namespace FlagApi.Watches;

/// <summary>
/// A watch's secrets: the access token (the appeal's kind, read the same way), the code mailed to confirm the address, and
/// the end code every mail carries. Only hashes are stored; the end code is derived from the token's hash, so a mail can end
/// the watch without ever carrying the token.
/// </summary>
public static class WatchSecrets
{
    /// <summary>Six digits: typed from a mail, and guessed at most <c>Watches:MaxCodeAttempts</c> times.</summary>
    public static string NewCode() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The stored hash of a code, salted with the watch's token hash so that equal codes of two watches differ.</summary>
    public static string CodeHash(string tokenHash, string code) => AppealSecrets.Hash($"{tokenHash}:{code}");

    /// <summary>32 hexadecimal characters (128 bits) that only end the watch.</summary>
    public static string EndCode(string tokenHash) => AppealSecrets.Hash("watch-end:" + tokenHash)[..32];

    /// <summary>Whether <paramref name="presented"/> (as a person typed it) is the watch's access token.</summary>
    public static bool IsToken(string? presented, string tokenHash) =>
        presented is { Length: > 0 and <= AppealSecrets.MaxTokenInputLength }
        && Same(AppealSecrets.Hash(AppealSecrets.NormalizeAccessToken(presented)), tokenHash);

    /// <summary>Whether <paramref name="presented"/> is the end code of the watch with this token hash.</summary>
    public static bool IsEndCode(string? presented, string tokenHash) =>
        presented is { Length: > 0 and <= AppealSecrets.MaxTokenInputLength }
        && Same(presented.Trim().ToLowerInvariant(), EndCode(tokenHash));

    /// <summary>A code as typed: digits only, spaces ignored.</summary>
    public static string? NormalizeCode(string? text)
    {
        var digits = new string([.. (text ?? string.Empty).Where(c => c != ' ' && c != '-')]);
        return digits.Length == 6 && digits.All(char.IsAsciiDigit) ? digits : null;
    }

    public static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
