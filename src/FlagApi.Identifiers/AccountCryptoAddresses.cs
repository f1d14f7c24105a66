using System.Security.Cryptography;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>
/// USDT wallet addresses, which Chinese fraud cases increasingly name as the place victims paid into.
/// Both chains' addresses carry a checksum, so a mistyped address is rejected rather than stored as a
/// new entry that nothing will ever match.
/// </summary>
internal static class AccountCryptoAddresses
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const byte TronAddressPrefix = 0x41;

    /// <summary>
    /// TRON (TRC-20): Base58Check of 0x41, a 20-byte account hash and a 4-byte double-SHA-256 checksum,
    /// 34 characters starting with T. Base58 is case-sensitive, so the address is kept exactly as written.
    /// </summary>
    public static CanonicalResult Trc20(string id)
    {
        const string shape = "A USDT-TRC20 (TRON) address has 34 Base58 characters and starts with T.";
        if (id.Length != 34 || id[0] != 'T')
        {
            return AccountIdRules.Bad(shape);
        }

        Span<byte> decoded = stackalloc byte[25];
        decoded.Clear();
        foreach (var c in id)
        {
            var carry = Base58Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (carry < 0)
            {
                return AccountIdRules.Bad(shape + " It cannot contain 0, O, I or l.");
            }

            for (var i = decoded.Length - 1; i >= 0; i--)
            {
                carry += 58 * decoded[i];
                decoded[i] = (byte)carry;
                carry >>= 8;
            }

            if (carry != 0)
            {
                return AccountIdRules.Bad(shape);
            }
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(decoded[..21], hash);
        SHA256.HashData(hash, hash);
        if (decoded[0] != TronAddressPrefix || !hash[..4].SequenceEqual(decoded[21..]))
        {
            return AccountIdRules.Bad("The USDT-TRC20 address fails its Base58Check checksum: a character was probably mistyped.");
        }

        return CanonicalResult.Ok(id);
    }

    /// <summary>
    /// Ethereum (ERC-20): 0x and 40 hex digits, canonical in lowercase. A mixed-case address carries an
    /// EIP-55 checksum in its capitalisation, which is verified; all-lowercase or all-uppercase carries none.
    /// </summary>
    public static CanonicalResult Erc20(string id)
    {
        const string shape = "A USDT-ERC20 (Ethereum) address is 0x followed by 40 hexadecimal digits.";
        if (id.Length != 42 || id[0] != '0' || id[1] is not ('x' or 'X'))
        {
            return AccountIdRules.Bad(shape);
        }

        var hex = id[2..];
        var hasUpper = false;
        var hasLower = false;
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return AccountIdRules.Bad(shape);
            }

            hasUpper |= char.IsAsciiLetterUpper(c);
            hasLower |= char.IsAsciiLetterLower(c);
        }

        var lower = hex.ToLowerInvariant();
        if (hasUpper && hasLower && !MatchesEip55(hex, lower))
        {
            return AccountIdRules.Bad(
                "The USDT-ERC20 address fails its EIP-55 checksum (the pattern of capital letters): a character was probably mistyped.");
        }

        return CanonicalResult.Ok("0x" + lower);
    }

    private static bool MatchesEip55(string hex, string lower)
    {
        var hash = AccountKeccak.Hash256(Encoding.ASCII.GetBytes(lower));
        for (var i = 0; i < hex.Length; i++)
        {
            if (!char.IsAsciiLetter(hex[i]))
            {
                continue;
            }

            var nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0F;
            if (char.IsAsciiLetterUpper(hex[i]) != (nibble >= 8))
            {
                return false;
            }
        }

        return true;
    }
}
