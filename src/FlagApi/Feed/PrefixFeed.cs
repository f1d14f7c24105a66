using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using Microsoft.Extensions.Options;

namespace FlagApi.Feed;

public enum PrefixResponseType
{
    /// <summary>Replace the whole set with the additions.</summary>
    Full,

    /// <summary>Drop the removals from the set the state names, then add the additions.</summary>
    Partial,
}

/// <summary>
/// <c>GET /v1/feed/prefixes</c>: the active list as 4-byte SHA-256 prefixes of its match keys, as a device keeps it.
/// </summary>
public sealed record PrefixFeedResponse(
    [property: Description("full: replace the set with the additions. partial: drop the removals from the set of the state asked with, then add the additions.")] PrefixResponseType ResponseType,
    [property: Description("The list version the set was built from.")] long ListVersion,
    [property: Description("Names the set this answer leaves the client with; send it back as ?state= after minimumWaitSeconds.")] string State,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("The maxEntries asked for; absent when none was.")] int? MaxEntries,
    [property: Description("How many prefixes the set holds once this answer is applied.")] int Count,
    [property: Description("Lowercase hex SHA-256 of the set's 4-byte prefixes concatenated in byte order, once this answer is applied.")] string Checksum,
    [property: Description("Do not ask again sooner.")] int MinimumWaitSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Prefixes to add, each read as a little-endian 32-bit integer, Rice coded in ascending order; absent when none.")] RiceDeltaEncoding? Additions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("0-based positions in the set of the state asked with, that set sorted by byte order; Rice coded, ascending; absent when none.")] RiceDeltaEncoding? Removals);

/// <summary>
/// Builds and serves the prefix sets. A set is built from the in-memory index when a request finds the list moved on
/// (a new version, or an entry whose expiry has passed); never more than a fifth of the time goes to building, so a
/// list of ten million entries is rebuilt at most every half minute or so while small lists follow at once.
/// States are content addressed (the first half of the set's checksum), so any instance that has seen a set can
/// answer a partial update from it. The last <see cref="FeedOptions.PrefixHistoryLength"/> changes of the whole set are
/// kept as differences; capped sets are remembered whole within <see cref="FeedOptions.PrefixCappedMemoryBytes"/>.
/// </summary>
public sealed class PrefixFeed(ListIndex index, TimeProvider clock, IOptions<FeedOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    // How long a request waits for a rebuild before it is answered from the set before.
    private static readonly TimeSpan StaleAnswerAfter = TimeSpan.FromSeconds(2);

    private readonly Lock historyLock = new();
    private readonly LinkedList<Step> history = new();
    private readonly LinkedList<PrefixSet> capped = new();
    private long cappedBytes;
    private Generation? current;
    private Task<Generation>? rebuilding;

    /// <summary>The answer for a client holding <paramref name="state"/> (null: none) that can hold <paramref name="maxEntries"/>.</summary>
    public async Task<PrefixAnswer> AnswerAsync(string? state, int? maxEntries, CancellationToken cancellationToken)
    {
        var generation = await CurrentAsync(cancellationToken);
        var cap = maxEntries ?? 0;
        if (state is not null && generation.Answers.TryGetValue((state, cap), out var partial))
        {
            return partial;
        }

        // A state this service cannot use gets the full answer, cached once, however many such states are sent.
        var held = state is null ? null : Find(generation, state);
        var key = (held is null ? "" : state!, cap);
        if (generation.Answers.TryGetValue(key, out var known))
        {
            return known;
        }

        var answer = new PrefixAnswer(JsonSerializer.SerializeToUtf8Bytes(Answer(generation, SetFor(generation, maxEntries), held, maxEntries), json.Value.SerializerOptions));

        // The whole list's full answer is always kept; the rest within the memory for capped sets (counting a compressed copy).
        if (key == ("", 0) || generation.Reserve(2L * answer.Json.Length, options.Value.PrefixCappedMemoryBytes))
        {
            generation.Answers.TryAdd(key, answer);
        }

        return answer;
    }

    private PrefixFeedResponse Answer(Generation generation, PrefixSet target, PrefixSet? held, int? maxEntries)
    {
        var wait = options.Value.PrefixMinimumWaitSeconds;
        if (held is not null)
        {
            var (removed, added) = Difference(held.Prefixes, target.Prefixes);
            return new PrefixFeedResponse(
                PrefixResponseType.Partial, generation.ListVersion, target.State, maxEntries, target.Count, target.Checksum, wait,
                RiceDelta.Encode(AsIntegers(added)), RiceDelta.Encode(removed));
        }

        return new PrefixFeedResponse(
            PrefixResponseType.Full, generation.ListVersion, target.State, maxEntries, target.Count, target.Checksum, wait,
            RiceDelta.Encode(AsIntegers(target.Prefixes)), null);
    }

    private PrefixSet SetFor(Generation generation, int? maxEntries)
    {
        if (maxEntries is not { } cap || cap >= generation.All.Count)
        {
            return generation.All;
        }

        if (!generation.Capped.TryGetValue(cap, out var set))
        {
            set = generation.Top(cap);
            if (generation.Reserve(set.Bytes, options.Value.PrefixCappedMemoryBytes))
            {
                set = generation.Capped.GetOrAdd(cap, set);
            }
        }

        Remember(set);
        return set;
    }

    /// <summary>The set a state names: the current one, one the history can rebuild, or a remembered capped one; null for any other.</summary>
    private PrefixSet? Find(Generation generation, string state)
    {
        if (state == generation.All.State)
        {
            return generation.All;
        }

        var undo = new List<Step>();
        lock (historyLock)
        {
            foreach (var set in capped)
            {
                if (set.State == state)
                {
                    return set;
                }
            }

            // The changes from the one that left the state asked for up to the one that made this generation's set
            // (changes a newer generation appended meanwhile are skipped), newest first.
            var step = history.Last;
            while (step is not null && step.Value.To != generation.All.State)
            {
                step = step.Previous;
            }

            for (; step is not null && undo.LastOrDefault()?.From != state; step = step.Previous)
            {
                undo.Add(step.Value);
            }
        }

        if (undo.Count == 0 || undo[^1].From != state)
        {
            return null;
        }

        var undone = generation.All.Prefixes;
        foreach (var step in undo)
        {
            undone = Undo(undone, step);
        }

        var rebuilt = new PrefixSet(undone);
        return rebuilt.State == state ? rebuilt : null;
    }

    private void Remember(PrefixSet set)
    {
        lock (historyLock)
        {
            if (capped.Any(s => s.State == set.State))
            {
                return;
            }

            capped.AddLast(set);
            cappedBytes += set.Bytes;
            while (cappedBytes > options.Value.PrefixCappedMemoryBytes && capped.First is { } oldest)
            {
                cappedBytes -= oldest.Value.Bytes;
                capped.RemoveFirst();
            }
        }
    }

    private async Task<Generation> CurrentAsync(CancellationToken cancellationToken)
    {
        if (!index.IsLoaded)
        {
            throw new Problems.ProblemException(StatusCodes.Status503ServiceUnavailable, Problems.ProblemCodes.ListNotLoaded,
                "The flagged list is still loading", "The service is starting and has not loaded the flagged list yet; try again in a few seconds.");
        }

        var known = Volatile.Read(ref current);
        if (known is not null && !MustRebuild(known))
        {
            return known;
        }

        Task<Generation> next;
        bool started;
        lock (historyLock)
        {
            started = rebuilding is null;
            next = rebuilding ??= Task.Run(Rebuild, CancellationToken.None);
        }

        if (known is null)
        {
            return await next.WaitAsync(cancellationToken);
        }

        // The request that sets a rebuild going waits a little: a small list is rebuilt in milliseconds and answered
        // fresh. Otherwise the set before answers until the new one is ready; its state stays valid, and the next
        // request gets the difference.
        return started && await Task.WhenAny(next, Task.Delay(StaleAnswerAfter, cancellationToken)) == next ? await next : known;
    }

    private Generation Rebuild()
    {
        try
        {
            var previous = Volatile.Read(ref current);
            var next = Build();
            if (previous is not null && previous.All.State != next.All.State)
            {
                var (removed, added) = Difference(previous.All.Prefixes, next.All.Prefixes);
                lock (historyLock)
                {
                    history.AddLast(new Step(previous.All.State, next.All.State, added, RemovedValues(previous.All.Prefixes, removed)));
                    while (history.Count > options.Value.PrefixHistoryLength)
                    {
                        history.RemoveFirst();
                    }
                }
            }

            Volatile.Write(ref current, next);
            return next;
        }
        finally
        {
            lock (historyLock)
            {
                rebuilding = null;
            }
        }
    }

    /// <summary>Stale (the list moved, or an entry's expiry passed) and built long enough ago that building again keeps to a fifth of the time.</summary>
    private bool MustRebuild(Generation generation)
    {
        var stale = index.Version != generation.ListVersion || (generation.NextExpiry is { } expiry && clock.GetUtcNow().UtcDateTime >= expiry);
        return stale && Stopwatch.GetElapsedTime(generation.BuiltAt) >= generation.BuildTime * 4;
    }

    private Generation Build()
    {
        var started = Stopwatch.GetTimestamp();
        var version = index.Version;
        var now = clock.GetUtcNow().UtcDateTime;
        var table = index.Table;

        // Hashing every key is most of the work: each core takes a share of the slots.
        var parts = new Part[Environment.ProcessorCount];
        Parallel.For(0, parts.Length, part => parts[part] = Read(table, part, parts.Length, now));
        var keys = new uint[parts.Sum(p => p.Prefixes.Count)];
        var values = new uint[keys.Length];
        var at = 0;
        DateTime? nextExpiry = null;
        foreach (var part in parts)
        {
            part.Prefixes.CopyTo(keys, at);
            part.Ranks.CopyTo(values, at);
            at += part.Prefixes.Count;
            nextExpiry = Earlier(nextExpiry, part.NextExpiry);
        }

        // Byte order of a prefix is the integer order of its big-endian reading; two keys may share a prefix, the higher rank stays.
        Array.Sort(keys, values);
        var count = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (count > 0 && keys[count - 1] == keys[i])
            {
                values[count - 1] = Math.Max(values[count - 1], values[i]);
                continue;
            }

            keys[count] = keys[i];
            values[count] = values[i];
            count++;
        }

        Array.Resize(ref keys, count);
        Array.Resize(ref values, count);
        return new Generation(version, nextExpiry, new PrefixSet(keys), values, Stopwatch.GetTimestamp(), Stopwatch.GetElapsedTime(started));
    }

    private static Part Read(EntryTable table, int part, int parts, DateTime now)
    {
        var prefixes = new List<uint>(table.ActiveCount / parts + 16);
        var ranks = new List<uint>(prefixes.Capacity);
        DateTime? nextExpiry = null;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        foreach (var record in table.LiveRecords(part, parts))
        {
            ref readonly var entry = ref table.Record(record);
            if (entry.Status != (byte)EntryStatus.Active)
            {
                continue;
            }

            if (entry.ExpiresAt != 0)
            {
                var expires = new DateTime(entry.ExpiresAt, DateTimeKind.Utc);
                if (expires <= now)
                {
                    continue;
                }

                nextExpiry = Earlier(nextExpiry, expires);
            }

            SHA256.HashData(table.KeyBytes(entry), hash);
            prefixes.Add(BinaryPrimitives.ReadUInt32BigEndian(hash));
            ranks.Add(Rank((Risk)entry.Risk, entry.LastSeen));
        }

        return new Part(prefixes, ranks, nextExpiry);
    }

    private static DateTime? Earlier(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private sealed record Part(List<uint> Prefixes, List<uint> Ranks, DateTime? NextExpiry);

    /// <summary>Risk first, then the most recent listing to the minute: a higher rank stays on a capped device.</summary>
    private static uint Rank(Risk risk, long lastSeenTicks)
    {
        var minutes = Math.Clamp((lastSeenTicks - RankEpoch.Ticks) / TimeSpan.TicksPerMinute, 0, (1L << 30) - 1);
        return ((uint)risk << 30) | (uint)minutes;
    }

    private static readonly DateTime RankEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Positions in <paramref name="from"/> of what <paramref name="to"/> lacks, and the values <paramref name="to"/> adds.</summary>
    private static (uint[] Removed, uint[] Added) Difference(uint[] from, uint[] to)
    {
        var removed = new List<uint>();
        var added = new List<uint>();
        int i = 0, j = 0;
        while (i < from.Length || j < to.Length)
        {
            if (j == to.Length || (i < from.Length && from[i] < to[j]))
            {
                removed.Add((uint)i++);
            }
            else if (i == from.Length || to[j] < from[i])
            {
                added.Add(to[j++]);
            }
            else
            {
                i++;
                j++;
            }
        }

        return ([.. removed], [.. added]);
    }

    private static uint[] RemovedValues(uint[] from, uint[] positions) => [.. positions.Select(p => from[p])];

    /// <summary>The set before <paramref name="step"/>: what it added taken out, what it removed put back.</summary>
    private static uint[] Undo(uint[] after, Step step)
    {
        var before = new List<uint>(after.Length - step.Added.Length + step.Removed.Length);
        int i = 0, a = 0, r = 0;
        while (i < after.Length || r < step.Removed.Length)
        {
            if (r < step.Removed.Length && (i == after.Length || step.Removed[r] < after[i]))
            {
                before.Add(step.Removed[r++]);
                continue;
            }

            while (a < step.Added.Length && step.Added[a] < after[i])
            {
                a++;
            }

            if (a < step.Added.Length && step.Added[a] == after[i])
            {
                a++;
            }
            else
            {
                before.Add(after[i]);
            }

            i++;
        }

        return [.. before];
    }

    /// <summary>Prefixes in byte order as the integers Safe Browsing codes: each read little-endian, then sorted.</summary>
    private static uint[] AsIntegers(uint[] prefixes)
    {
        var integers = new uint[prefixes.Length];
        for (var i = 0; i < prefixes.Length; i++)
        {
            integers[i] = BinaryPrimitives.ReverseEndianness(prefixes[i]);
        }

        Array.Sort(integers);
        return integers;
    }

    /// <summary>A change of the whole set: the states before and after it, and the prefixes it added and removed (byte order).</summary>
    private sealed record Step(string From, string To, uint[] Added, uint[] Removed);

    /// <summary>The sets built from one reading of the index.</summary>
    private sealed class Generation(long listVersion, DateTime? nextExpiry, PrefixSet all, uint[] ranks, long builtAt, TimeSpan buildTime)
    {
        private int[]? byRank;
        private long kept;

        public long ListVersion { get; } = listVersion;

        /// <summary>When the earliest expiry among its entries passes, and the set with it.</summary>
        public DateTime? NextExpiry { get; } = nextExpiry;

        public PrefixSet All { get; } = all;

        public long BuiltAt { get; } = builtAt;

        public TimeSpan BuildTime { get; } = buildTime;

        public ConcurrentDictionary<int, PrefixSet> Capped { get; } = new();

        public ConcurrentDictionary<(string State, int Cap), PrefixAnswer> Answers { get; } = new();

        /// <summary>Counts <paramref name="bytes"/> against <paramref name="budget"/> for keeping a capped set or an answer; false when they do not fit.</summary>
        public bool Reserve(long bytes, long budget)
        {
            if (Interlocked.Add(ref kept, bytes) <= budget)
            {
                return true;
            }

            Interlocked.Add(ref kept, -bytes);
            return false;
        }

        /// <summary>The <paramref name="cap"/> prefixes of highest rank (ties: lower prefix first), in byte order.</summary>
        public PrefixSet Top(int cap)
        {
            var order = LazyInitializer.EnsureInitialized(ref byRank, RankOrder);
            var chosen = new uint[cap];
            for (var i = 0; i < cap; i++)
            {
                chosen[i] = All.Prefixes[order[i]];
            }

            Array.Sort(chosen);
            return new PrefixSet(chosen);
        }

        private int[] RankOrder()
        {
            // Highest rank first, then position (so byte order): one sort of 64-bit keys.
            var keys = new ulong[ranks.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = ((ulong)(uint.MaxValue - ranks[i]) << 32) | (uint)i;
            }

            Array.Sort(keys);
            var order = new int[keys.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                order[i] = (int)(uint)keys[i];
            }

            return order;
        }
    }
}

/// <summary>
/// One answer as UTF-8 JSON, and compressed once for every device that asks for it. The response compression the rest of
/// the feed uses runs at its fastest level, whose fixed Huffman codes leave base64 as large as it was; compressed
/// properly, it gives back the third base64 adds.
/// </summary>
public sealed class PrefixAnswer(byte[] json)
{
    private byte[]? gzip;
    private byte[]? brotli;

    public byte[] Json { get; } = json;

    public byte[] Gzip => LazyInitializer.EnsureInitialized(ref gzip, () => Compress(stream => new GZipStream(stream, CompressionLevel.Optimal)));

    public byte[] Brotli => LazyInitializer.EnsureInitialized(ref brotli, () => Compress(stream => new BrotliStream(stream, CompressionLevel.Optimal)));

    private byte[] Compress(Func<Stream, Stream> compressor)
    {
        using var buffer = new MemoryStream(Json.Length / 2);
        using (var compressing = compressor(buffer))
        {
            compressing.Write(Json);
        }

        return buffer.ToArray();
    }
}

/// <summary>A set of 4-byte prefixes in byte order, with its checksum and the state that names it.</summary>
internal sealed class PrefixSet
{
    public PrefixSet(uint[] prefixes)
    {
        Prefixes = prefixes;
        Checksum = FeedChecksum.OfPrefixes(prefixes);
        State = Checksum[..32];
    }

    public uint[] Prefixes { get; }

    public int Count => Prefixes.Length;

    public long Bytes => 4L * Prefixes.Length;

    /// <summary>Lowercase hex SHA-256 of the prefixes' bytes in order.</summary>
    public string Checksum { get; }

    /// <summary>The first 128 bits of the checksum: what a client sends back.</summary>
    public string State { get; }
}
