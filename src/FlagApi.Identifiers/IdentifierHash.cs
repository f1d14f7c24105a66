using System.Security.Cryptography;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>A hash is the lowercase hex SHA-256 of an identifier's canonical expression in UTF-8 (docs/api-v1.md).</summary>
public static class IdentifierHash
{
    public const int PrefixLength = 5;

    public static string Sha256Hex(string expression)
    {
        Span<byte> utf8 = expression.Length <= 512 ? stackalloc byte[expression.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(expression.Length)];
        var written = Encoding.UTF8.GetBytes(expression, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..written], hash);
        return Convert.ToHexStringLower(hash);
    }

    public static string Prefix(string expression) => Sha256Hex(expression)[..PrefixLength];
}
