using System.Security.Cryptography;
using System.Text;
using FlagApi.Data;
using FlagApi.Identifiers;

namespace FlagApi.Lookup;

/// <summary>A flagged entry's full SHA-256, as the hex a client compares with its own hashes.</summary>
public readonly record struct HashedMatch(string Hash, IndexedEntry Entry);

/// <summary>
/// The flagged entries by the first 20 bits (5 hex digits) of the SHA-256 of their match key, so a prefix is
/// answered from memory. The list index chains its records by prefix (4 bytes per entry, no copy of the hash):
/// an answer walks one chain, about ten records at ten million entries, and hashes each key again.
/// </summary>
public sealed class HashIndex
{
    public const int PrefixBits = EntryTable.PrefixBits;
    private const int Slots = 1 << PrefixBits;

    private readonly ListIndex index;

    internal HashIndex(ListIndex index) => this.index = index;

    /// <summary>How many active entries the index holds, including those that have expired by time and not yet been swept.</summary>
    public int Count => index.Table.ActiveCount;

    /// <summary>
    /// The entries under <paramref name="prefix"/> that flag at <paramref name="now"/>, in hash order.
    /// <paramref name="expired"/> counts the active entries left out because their expiry has passed.
    /// </summary>
    public IReadOnlyList<HashedMatch> Find(int prefix, DateTime now, out int expired)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prefix, Slots);
        expired = 0;
        var table = index.Table;
        List<HashedMatch>? found = null;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        for (var next = table.FirstWithPrefix(prefix); next != 0; next = table.Record(next - 1).NextWithPrefix)
        {
            ref readonly var entry = ref table.Record(next - 1);
            if (entry.Superseded != 0 || entry.Status != (byte)EntryStatus.Active)
            {
                continue;
            }

            var key = table.KeyBytes(entry);
            SHA256.HashData(key, hash);
            var item = ListIndex.Read(table, entry, Encoding.UTF8.GetString(key));
            if (item.EffectiveStatus(now) != EntryStatus.Active)
            {
                expired++;
                continue;
            }

            (found ??= []).Add(new HashedMatch(Convert.ToHexStringLower(hash), item));
        }

        if (found is null)
        {
            return [];
        }

        // Two kinds can share a key (an app id that is also a host name): one hash, two entries.
        found.Sort(static (a, b) => string.CompareOrdinal(a.Hash, b.Hash) is var c and not 0 ? c : a.Entry.Kind.CompareTo(b.Entry.Kind));
        return found;
    }

    /// <summary>Parses exactly five hex digits, either case, into the 20-bit prefix.</summary>
    public static bool TryParsePrefix(string? text, out int prefix)
    {
        prefix = 0;
        if (text is null || text.Length != IdentifierHash.PrefixLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            var digit = HexDigit(c);
            if (digit < 0)
            {
                prefix = 0;
                return false;
            }

            prefix = (prefix << 4) | digit;
        }

        return true;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
