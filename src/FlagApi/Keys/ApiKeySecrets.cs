using System.Security.Cryptography;
using System.Text;

namespace FlagApi.Keys;

/// <summary>
/// Key secrets: 32 random bytes, so a plain SHA-256 is a safe thing to store (there is nothing to
/// brute-force), and a short prefix that support can ask a caller to read out.
/// </summary>
public static class ApiKeySecrets
{
    public const string Marker = "fk_";
    public const int PrefixLength = 11;

    /// <summary>The shortest key accepted from configuration (<c>Bootstrap:AdminKey</c>).</summary>
    public const int MinimumConfiguredLength = 24;

    public static string Generate() => Marker + Base64Url(RandomNumberGenerator.GetBytes(32));

    public const int HashBytes = SHA256.HashSizeInBytes;

    public static string Hash(string secret)
    {
        Span<byte> hash = stackalloc byte[HashBytes];
        Hash(secret, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The hash as bytes, without allocating: authentication runs on every keyed request.</summary>
    public static void Hash(string secret, Span<byte> destination)
    {
        var count = Encoding.UTF8.GetByteCount(secret);
        var utf8 = count <= 256 ? stackalloc byte[256] : new byte[count];
        var length = Encoding.UTF8.GetBytes(secret, utf8);
        SHA256.HashData(utf8[..length], destination);
    }

    /// <summary>
    /// The part support may see: 8 random characters of a generated key; of a key chosen by an
    /// operator (the bootstrap key, perhaps short) only its first 4, so the prefix gives little of it away.
    /// </summary>
    public static string Prefix(string secret) =>
        secret.StartsWith(Marker, StringComparison.Ordinal) && secret.Length > PrefixLength * 2 ? secret[..PrefixLength] : secret[..Math.Min(4, secret.Length)] + "…";

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
