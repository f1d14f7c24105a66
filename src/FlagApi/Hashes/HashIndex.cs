using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using FlagApi.Entries;
using FlagApi.Identifiers;
using FlagApi.Lookup;

namespace FlagApi.Hashes;

/// <summary>A flagged entry's full SHA-256, as the hex a client compares with its own hashes.</summary>
public readonly record struct HashedMatch(string Hash, IndexedEntry Entry);

/// <summary>
/// The flagged entries by the first 20 bits (5 hex digits) of the SHA-256 of their match key, so a prefix
/// is answered from memory. The table is indexed by the prefix itself: 2^20 slots of 8 bytes, each null or a
/// small array sorted by hash, which costs less per entry than a dictionary's nodes at a million entries.
/// One writer (the <see cref="ListIndexFollower"/>'s gate) replaces whole slot arrays; readers see either
/// the old or the new array, never a half-written one.
/// </summary>
public sealed class HashIndex
{
    public const int PrefixBits = 20;
    private const int Slots = 1 << PrefixBits;

    private HashedEntry[]?[] slots = new HashedEntry[]?[Slots];
    private int count;

    /// <summary>How many entries the index holds, including those that have expired by time and not yet been swept.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>
    /// The entries under <paramref name="prefix"/> that flag at <paramref name="now"/>, in hash order.
    /// <paramref name="expired"/> counts the active entries left out because their expiry has passed.
    /// </summary>
    public IReadOnlyList<HashedMatch> Find(int prefix, DateTime now, out int expired)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prefix, Slots);
        expired = 0;
        var table = Volatile.Read(ref slots);
        var slot = Volatile.Read(ref table[prefix]);
        if (slot is null)
        {
            return [];
        }

        var found = new List<HashedMatch>(slot.Length);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        foreach (var hashed in slot)
        {
            if (hashed.Entry.EffectiveStatus(now) != EntryStatus.Active)
            {
                expired++;
                continue;
            }

            hashed.WriteHash(hash);
            found.Add(new HashedMatch(Convert.ToHexStringLower(hash), hashed.Entry));
        }

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

    /// <summary>Replaces the whole index with the entries among <paramref name="entries"/> that flag.</summary>
    internal void Reset(IEnumerable<IndexedEntry> entries)
    {
        IndexedEntry[] active = [.. entries.Where(e => e.Status == EntryStatus.Active)];
        var hashed = new HashedEntry[active.Length];

        // Hashing is most of the load's extra cost (a million SHA-256 runs); nothing else runs before the index is loaded.
        if (active.Length > 0)
        {
            Parallel.ForEach(Partitioner.Create(0, active.Length, 16_384), range =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    hashed[i] = HashedEntry.Of(active[i]);
                }
            });
        }

        // Count per slot first, so every slot array is allocated once at its final size.
        var sizes = new int[Slots];
        foreach (var h in hashed)
        {
            sizes[h.Prefix]++;
        }

        var table = new HashedEntry[]?[Slots];
        foreach (var h in hashed)
        {
            var slot = table[h.Prefix] ??= new HashedEntry[sizes[h.Prefix]];
            slot[slot.Length - sizes[h.Prefix]--] = h;
        }

        foreach (var slot in table)
        {
            if (slot is { Length: > 1 })
            {
                Array.Sort(slot, HashedEntry.Compare);
            }
        }

        Volatile.Write(ref slots, table);
        Volatile.Write(ref count, hashed.Length);
    }

    /// <summary>Brings one entry's hash in line with its current state: in the index while it is active, out otherwise.</summary>
    internal void Apply(IndexedEntry entry)
    {
        var hashed = HashedEntry.Of(entry);
        var table = slots;
        var slot = table[hashed.Prefix] ?? [];
        var at = Array.BinarySearch(slot, hashed, HashedEntry.Compare);
        HashedEntry[]? replacement;
        if (entry.Status == EntryStatus.Active)
        {
            if (at >= 0)
            {
                replacement = (HashedEntry[])slot.Clone();
                replacement[at] = hashed;
            }
            else
            {
                at = ~at;
                replacement = new HashedEntry[slot.Length + 1];
                Array.Copy(slot, replacement, at);
                replacement[at] = hashed;
                Array.Copy(slot, at, replacement, at + 1, slot.Length - at);
                Interlocked.Increment(ref count);
            }
        }
        else
        {
            if (at < 0)
            {
                return;
            }

            replacement = slot.Length == 1 ? null : [.. slot[..at], .. slot[(at + 1)..]];
            Interlocked.Decrement(ref count);
        }

        Volatile.Write(ref table[hashed.Prefix], replacement);
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>The 32-byte hash as four big-endian words (no per-entry array or string), and the entry it is of.</summary>
    private readonly record struct HashedEntry(ulong H0, ulong H1, ulong H2, ulong H3, IndexedEntry Entry)
    {
        public static readonly IComparer<HashedEntry> Compare = Comparer<HashedEntry>.Create(static (a, b) =>
        {
            var c = a.H0.CompareTo(b.H0);
            c = c != 0 ? c : a.H1.CompareTo(b.H1);
            c = c != 0 ? c : a.H2.CompareTo(b.H2);
            c = c != 0 ? c : a.H3.CompareTo(b.H3);

            // Two kinds can share a key (an app id that is also a host name): one hash, two entries.
            return c != 0 ? c : a.Entry.Kind.CompareTo(b.Entry.Kind);
        });

        public int Prefix => (int)(H0 >> (64 - PrefixBits));

        // SPEC: "Hashes are lowercase hex SHA-256 of the UTF-8 canonical expression" — the entry's match key
        // (Matching.EntryKey), the same bytes IdentifierHash.Sha256Hex hashes on the client's side.
        public static HashedEntry Of(IndexedEntry entry)
        {
            var value = entry.Value;
            var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
            Span<byte> utf8 = maxBytes <= 1024 ? stackalloc byte[maxBytes] : new byte[maxBytes];
            var written = Encoding.UTF8.GetBytes(value, utf8);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(utf8[..written], hash);
            return new HashedEntry(
                BinaryPrimitives.ReadUInt64BigEndian(hash),
                BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
                BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
                BinaryPrimitives.ReadUInt64BigEndian(hash[24..]),
                entry);
        }

        public void WriteHash(Span<byte> destination)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, H0);
            BinaryPrimitives.WriteUInt64BigEndian(destination[8..], H1);
            BinaryPrimitives.WriteUInt64BigEndian(destination[16..], H2);
            BinaryPrimitives.WriteUInt64BigEndian(destination[24..], H3);
        }
    }
}
