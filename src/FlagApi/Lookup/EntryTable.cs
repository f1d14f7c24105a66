using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using FlagApi.Data;
using FlagApi.Identifiers;

namespace FlagApi.Lookup;

/// <summary>One entry as the table stores it: no object, no string, 49 bytes in a chunk of its kind.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct PackedEntry
{
    public long Id;
    public long FirstSeen;
    public long LastSeen;

    /// <summary>Ticks of the expiry, 0 for none.</summary>
    public long ExpiresAt;

    /// <summary>Where the key's UTF-8 bytes are in the key arena.</summary>
    public int Key;

    /// <summary>Index of the entry's source set in <see cref="EntryTable"/>'s interned sets.</summary>
    public int Sources;

    /// <summary>The next record (plus one; 0 ends) whose key hashes to the same SHA-256 prefix.</summary>
    public int NextWithPrefix;

    public byte Kind;
    public byte Category;
    public byte Risk;
    public byte Status;

    /// <summary>Set once a newer record of the same key (or its removal) supersedes this one.</summary>
    public byte Superseded;
}

/// <summary>An entry's fields as a writer hands them to the table.</summary>
internal readonly record struct EntryFields(
    long Id, IdentifierKind Kind, Category Category, Risk Risk, EntryStatus Status,
    DateTime FirstSeen, DateTime LastSeen, DateTime? ExpiresAt, IReadOnlyList<IndexedSource> Sources);

/// <summary>
/// The in-memory list at a few dozen bytes per entry, so ten million entries fit where a dictionary of objects
/// held one million. Records and key bytes are appended to fixed-size chunks that never move; an open-addressing
/// table of 64-bit slots (tag and record) finds a key; a chain per SHA-256 prefix serves k-anonymity lookups.
/// One writer at a time (the follower's gate); readers never lock: a change appends a new record and then swaps
/// one slot, so a reader sees the old record or the new one, both whole. Superseded records stay until
/// <see cref="ListIndex"/> rebuilds the table.
/// </summary>
internal sealed class EntryTable
{
    public const int PrefixBits = 20;
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private const int MaxChunks = 1 << (31 - ChunkBits);
    private const int ArenaChunkBits = 20;
    private const int ArenaChunkSize = 1 << ArenaChunkBits;
    private const int MaxArenaChunks = 1 << (31 - ArenaChunkBits);
    private const int MaxKeyBytes = 60_000;
    private const long Tombstone = long.MinValue;

    private readonly PackedEntry[]?[] chunks = new PackedEntry[MaxChunks][];
    private readonly byte[]?[] arena = new byte[MaxArenaChunks][];
    private readonly int[] prefixHeads = new int[1 << PrefixBits];
    private readonly int[] liveByKind = new int[IdentifierKinds.All.Count];
    private readonly SourceSets sources = new();
    private long[] slots;
    private int recordCount;
    private int arenaChunk = -1;
    private int arenaOffset = ArenaChunkSize;
    private int live;
    private int tombstones;
    private int active;

    public EntryTable(int expectedEntries = 0) =>
        slots = new long[SlotCountFor(expectedEntries)];

    /// <summary>Entries the table answers for (active or cleared).</summary>
    public int Count => Volatile.Read(ref live);

    /// <summary>Active entries: those the hash prefixes serve.</summary>
    public int ActiveCount => Volatile.Read(ref active);

    /// <summary>Records written, including superseded ones.</summary>
    public int RecordCount => recordCount;

    public int CountOf(IdentifierKind kind) => Volatile.Read(ref liveByKind[(int)kind]);

    /// <summary>The record holding <paramref name="key"/> of <paramref name="kind"/>, or -1.</summary>
    public int Find(IdentifierKind kind, string key)
    {
        byte[]? rented = null;
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        var buffer = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var utf8 = buffer[..Encoding.UTF8.GetBytes(key, buffer)];
            var table = Volatile.Read(ref slots);
            return FindSlot(table, (byte)kind, utf8, Hash((byte)kind, utf8)) is var at and >= 0 ? RecordOf(table[at]) : -1;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public ref readonly PackedEntry Record(int record) => ref chunks[record >> ChunkBits]![record & (ChunkSize - 1)];

    public ReadOnlySpan<byte> KeyBytes(in PackedEntry entry)
    {
        var chunk = arena[entry.Key >> ArenaChunkBits]!;
        var offset = entry.Key & (ArenaChunkSize - 1);
        var length = chunk[offset] | (chunk[offset + 1] << 8);
        return chunk.AsSpan(offset + 2, length);
    }

    public string KeyOf(in PackedEntry entry) => Encoding.UTF8.GetString(KeyBytes(entry));

    public IReadOnlyList<IndexedSource> SourcesOf(in PackedEntry entry) => sources.Get(entry.Sources);

    /// <summary>The first record (plus one; 0 for none) of the chain of keys whose SHA-256 starts with <paramref name="prefix"/>.</summary>
    public int FirstWithPrefix(int prefix) => Volatile.Read(ref prefixHeads[prefix]);

    /// <summary>Adds the entry, or replaces the record of the same kind and key. Writer only.</summary>
    public void Upsert(EntryFields fields, string key)
    {
        var utf8 = Encoding.UTF8.GetBytes(key);
        var kind = (byte)fields.Kind;
        var hash = Hash(kind, utf8);
        var table = slots;
        var at = FindSlot(table, kind, utf8, hash);
        var entry = Pack(fields);
        if (at >= 0)
        {
            var old = RecordOf(table[at]);
            ref var previous = ref Writable(old);
            entry.Key = previous.Key;
            var record = Append(entry, PrefixOf(utf8));
            Volatile.Write(ref table[at], SlotValue(hash, record));
            CountActive(previous.Status, -1);
            previous.Superseded = 1;
        }
        else
        {
            entry.Key = StoreKey(utf8);
            var record = Append(entry, PrefixOf(utf8));
            InsertSlot(hash, record);
            Interlocked.Increment(ref live);
            Interlocked.Increment(ref liveByKind[kind]);
        }

        CountActive(entry.Status, +1);
    }

    /// <summary>Removes the entry of that kind and key if the table holds it. Writer only.</summary>
    public void Remove(IdentifierKind kind, string key)
    {
        var utf8 = Encoding.UTF8.GetBytes(key);
        var table = slots;
        var at = FindSlot(table, (byte)kind, utf8, Hash((byte)kind, utf8));
        if (at < 0)
        {
            return;
        }

        ref var previous = ref Writable(RecordOf(table[at]));
        Volatile.Write(ref table[at], Tombstone);
        previous.Superseded = 1;
        CountActive(previous.Status, -1);
        tombstones++;
        Interlocked.Decrement(ref live);
        Interlocked.Decrement(ref liveByKind[(byte)kind]);
    }

    /// <summary>
    /// Appends entries for a bulk load without hashing their keys' SHA-256 one by one; <see cref="LinkPrefixes"/>
    /// does that on every core once they are all in. Keys must be distinct per kind.
    /// </summary>
    public void AppendLoaded(EntryFields fields, ReadOnlySpan<byte> utf8)
    {
        var entry = Pack(fields);
        entry.Key = StoreKey(utf8);
        var record = Append(entry, prefix: -1);
        InsertSlot(Hash((byte)fields.Kind, utf8), record);
        live++;
        liveByKind[(byte)fields.Kind]++;
        CountActive(entry.Status, +1);
    }

    /// <summary>Chains every record appended by <see cref="AppendLoaded"/> to its SHA-256 prefix.</summary>
    public void LinkPrefixes()
    {
        var prefixes = new int[recordCount];
        Parallel.For(0, (recordCount + ChunkSize - 1) / ChunkSize, chunk =>
        {
            var end = Math.Min(recordCount, (chunk + 1) * ChunkSize);
            for (var record = chunk * ChunkSize; record < end; record++)
            {
                prefixes[record] = PrefixOf(KeyBytes(Record(record)));
            }
        });

        for (var record = 0; record < recordCount; record++)
        {
            ref var entry = ref Writable(record);
            entry.NextWithPrefix = prefixHeads[prefixes[record]];
            prefixHeads[prefixes[record]] = record + 1;
        }
    }

    /// <summary>Every live record, for rebuilding the table without its superseded records.</summary>
    public IEnumerable<int> LiveRecords() => LiveRecords(0, 1);

    /// <summary>The live records of part <paramref name="part"/> of <paramref name="parts"/> equal parts of the slots, so several threads can read the table.</summary>
    public IEnumerable<int> LiveRecords(int part, int parts)
    {
        var table = slots;
        var end = (int)((long)table.Length * (part + 1) / parts);
        for (var i = (int)((long)table.Length * part / parts); i < end; i++)
        {
            if (IsLive(table[i]))
            {
                yield return RecordOf(table[i]);
            }
        }
    }

    public EntryFields FieldsOf(in PackedEntry entry) => new(
        entry.Id,
        (IdentifierKind)entry.Kind,
        (Category)entry.Category,
        (Risk)entry.Risk,
        (EntryStatus)entry.Status,
        new DateTime(entry.FirstSeen, DateTimeKind.Utc),
        new DateTime(entry.LastSeen, DateTimeKind.Utc),
        entry.ExpiresAt == 0 ? null : new DateTime(entry.ExpiresAt, DateTimeKind.Utc),
        SourcesOf(entry));

    /// <summary>
    /// Writes the whole table as it is in memory: records, key bytes, slots, chains and source sets. Nothing may
    /// write to the table meanwhile (the caller holds the follower's gate).
    /// </summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(recordCount);
        writer.Write(arenaChunk);
        writer.Write(arenaOffset);
        writer.Write(live);
        writer.Write(tombstones);
        writer.Write(active);
        foreach (var count in liveByKind)
        {
            writer.Write(count);
        }

        for (var chunk = 0; chunk * ChunkSize < recordCount; chunk++)
        {
            var length = Math.Min(ChunkSize, recordCount - (chunk * ChunkSize));
            writer.Write(MemoryMarshal.AsBytes(chunks[chunk].AsSpan(0, length)));
        }

        for (var chunk = 0; chunk <= arenaChunk; chunk++)
        {
            writer.Write(arena[chunk].AsSpan(0, chunk == arenaChunk ? arenaOffset : ArenaChunkSize));
        }

        writer.Write(slots.Length);
        writer.Write(MemoryMarshal.AsBytes(slots.AsSpan()));
        writer.Write(MemoryMarshal.AsBytes(prefixHeads.AsSpan()));
        sources.WriteTo(writer);
    }

    /// <summary>A table as <see cref="WriteTo"/> wrote it; throws <see cref="InvalidDataException"/> on anything out of shape.</summary>
    public static EntryTable ReadFrom(BinaryReader reader)
    {
        var table = new EntryTable();
        table.recordCount = Checked(reader.ReadInt32(), 0, int.MaxValue);
        table.arenaChunk = Checked(reader.ReadInt32(), -1, MaxArenaChunks - 1);
        table.arenaOffset = Checked(reader.ReadInt32(), 0, ArenaChunkSize);
        table.live = Checked(reader.ReadInt32(), 0, table.recordCount);
        table.tombstones = Checked(reader.ReadInt32(), 0, int.MaxValue);
        table.active = Checked(reader.ReadInt32(), 0, table.live);
        for (var kind = 0; kind < table.liveByKind.Length; kind++)
        {
            table.liveByKind[kind] = Checked(reader.ReadInt32(), 0, table.live);
        }

        for (var chunk = 0; chunk * ChunkSize < table.recordCount; chunk++)
        {
            var length = Math.Min(ChunkSize, table.recordCount - (chunk * ChunkSize));
            table.chunks[chunk] = GC.AllocateUninitializedArray<PackedEntry>(ChunkSize);
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(table.chunks[chunk].AsSpan(0, length)));
        }

        for (var chunk = 0; chunk <= table.arenaChunk; chunk++)
        {
            table.arena[chunk] = GC.AllocateUninitializedArray<byte>(ArenaChunkSize);
            reader.BaseStream.ReadExactly(table.arena[chunk].AsSpan(0, chunk == table.arenaChunk ? table.arenaOffset : ArenaChunkSize));
        }

        var slotCount = reader.ReadInt32();
        if (slotCount < 1024 || !BitOperations.IsPow2(slotCount))
        {
            throw new InvalidDataException($"The snapshot's slot table has {slotCount} slots.");
        }

        table.slots = GC.AllocateUninitializedArray<long>(slotCount);
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(table.slots.AsSpan()));
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(table.prefixHeads.AsSpan()));
        table.sources.ReadFrom(reader);
        return table;
    }

    private static int Checked(int value, int min, int max) =>
        value >= min && value <= max ? value : throw new InvalidDataException($"The snapshot holds {value} where {min} to {max} belongs.");

    /// <summary>The first 20 bits of the SHA-256 of a key: the prefix a k-anonymity lookup sends.</summary>
    public static int PrefixOf(ReadOnlySpan<byte> utf8)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8, hash);
        return (hash[0] << 12) | (hash[1] << 4) | (hash[2] >> 4);
    }

    private PackedEntry Pack(EntryFields fields) => new()
    {
        Id = fields.Id,
        Kind = (byte)fields.Kind,
        Category = (byte)fields.Category,
        Risk = (byte)fields.Risk,
        Status = (byte)fields.Status,
        FirstSeen = fields.FirstSeen.Ticks,
        LastSeen = fields.LastSeen.Ticks,
        ExpiresAt = fields.ExpiresAt?.Ticks ?? 0,
        Sources = sources.Intern(fields.Sources),
    };

    private void CountActive(byte status, int delta)
    {
        if (status == (byte)EntryStatus.Active)
        {
            Interlocked.Add(ref active, delta);
        }
    }

    private ref PackedEntry Writable(int record) => ref chunks[record >> ChunkBits]![record & (ChunkSize - 1)];

    /// <summary>Writes the record into its chunk, links it to its prefix chain (unless bulk loading), and returns its number.</summary>
    private int Append(PackedEntry entry, int prefix)
    {
        var record = recordCount;
        var chunk = record >> ChunkBits;
        if (chunk >= MaxChunks)
        {
            throw new InvalidOperationException("The lookup index is full (2^31 records).");
        }

        if (chunks[chunk] is null)
        {
            // No references inside: a fresh chunk needs no zeroing, and pages untouched stay out of resident memory.
            Volatile.Write(ref chunks[chunk], GC.AllocateUninitializedArray<PackedEntry>(ChunkSize));
        }

        if (prefix >= 0)
        {
            entry.NextWithPrefix = prefixHeads[prefix];
        }

        chunks[chunk]![record & (ChunkSize - 1)] = entry;
        recordCount++;
        if (prefix >= 0)
        {
            Volatile.Write(ref prefixHeads[prefix], record + 1);
        }

        return record;
    }

    private int StoreKey(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxKeyBytes)
        {
            throw new ArgumentException($"A key of {utf8.Length} bytes is longer than the index holds ({MaxKeyBytes}).", nameof(utf8));
        }

        if (arenaOffset + 2 + utf8.Length > ArenaChunkSize)
        {
            if (++arenaChunk >= MaxArenaChunks)
            {
                throw new InvalidOperationException("The lookup index's key space is full (2 GB).");
            }

            arena[arenaChunk] = GC.AllocateUninitializedArray<byte>(ArenaChunkSize);
            arenaOffset = 0;
        }

        var chunk = arena[arenaChunk]!;
        chunk[arenaOffset] = (byte)utf8.Length;
        chunk[arenaOffset + 1] = (byte)(utf8.Length >> 8);
        utf8.CopyTo(chunk.AsSpan(arenaOffset + 2));
        var reference = (arenaChunk << ArenaChunkBits) | arenaOffset;
        arenaOffset += 2 + utf8.Length;
        return reference;
    }

    private int FindSlot(long[] table, byte kind, ReadOnlySpan<byte> utf8, ulong hash)
    {
        var mask = table.Length - 1;
        var tag = (uint)(hash >> 32);
        for (var at = (int)hash & mask; ; at = (at + 1) & mask)
        {
            var slot = Volatile.Read(ref table[at]);
            if (slot == 0)
            {
                return -1;
            }

            if (IsLive(slot) && (uint)((ulong)slot >> 32) == tag)
            {
                ref readonly var entry = ref Record(RecordOf(slot));
                if (entry.Kind == kind && KeyBytes(entry).SequenceEqual(utf8))
                {
                    return at;
                }
            }
        }
    }

    private void InsertSlot(ulong hash, int record)
    {
        if ((live + tombstones + 1) * 4L > slots.Length * 3L)
        {
            // Past half full with live entries it doubles; otherwise it only clears tombstones. Either way a quarter
            // of the table is free again, so rehashes stay rare however adds and removals interleave.
            Rehash((live + 1) * 2L > slots.Length ? slots.Length * 2 : slots.Length);
        }

        var table = slots;
        var mask = table.Length - 1;
        var at = (int)hash & mask;
        while (IsLive(table[at]))
        {
            at = (at + 1) & mask;
        }

        if (table[at] == Tombstone)
        {
            tombstones--;
        }

        Volatile.Write(ref table[at], SlotValue(hash, record));
    }

    /// <summary>Moves every live slot into a new array; readers keep the old one until they next start a lookup.</summary>
    private void Rehash(int size)
    {
        var old = slots;
        var table = new long[size];
        var mask = size - 1;
        foreach (var slot in old)
        {
            if (!IsLive(slot))
            {
                continue;
            }

            ref readonly var entry = ref Record(RecordOf(slot));
            var at = (int)Hash(entry.Kind, KeyBytes(entry)) & mask;
            while (table[at] != 0)
            {
                at = (at + 1) & mask;
            }

            table[at] = slot;
        }

        tombstones = 0;
        Volatile.Write(ref slots, table);
    }

    /// <summary>The smallest power of two that holds <paramref name="entries"/> at most three-quarters full (8 bytes a slot: it is a tenth of an entry's memory).</summary>
    private static int SlotCountFor(int entries) => (int)Math.Max(1024, BitOperations.RoundUpToPowerOf2((uint)(((long)Math.Max(entries, 1) * 4 / 3) + 1)));

    private static bool IsLive(long slot) => (int)slot != 0;

    private static int RecordOf(long slot) => (int)slot - 1;

    private static long SlotValue(ulong hash, int record) => (long)((hash & 0xFFFF_FFFF_0000_0000UL) | (uint)(record + 1));

    /// <summary>A fast 64-bit mix of the kind and the key bytes; the slot is its low bits, the tag its high 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(byte kind, ReadOnlySpan<byte> utf8)
    {
        const ulong multiplier = 0x9E37_79B9_7F4A_7C15UL;
        var hash = ((ulong)kind << 56) ^ (ulong)utf8.Length ^ 0xC2B2_AE3D_27D4_EB4FUL;
        while (utf8.Length >= 8)
        {
            hash = (hash ^ MemoryMarshal.Read<ulong>(utf8)) * multiplier;
            hash ^= hash >> 29;
            utf8 = utf8[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < utf8.Length; i++)
        {
            tail |= (ulong)utf8[i] << (8 * i);
        }

        hash = (hash ^ tail) * multiplier;
        hash ^= hash >> 32;
        hash *= 0xFF51_AFD7_ED55_8CCDUL;
        return hash ^ (hash >> 33);
    }
}
