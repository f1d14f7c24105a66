using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
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
public sealed class PrefixFeed(ListIndex index, TimeProvider clock, IOptions<FeedOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IDisposable
{
    // Answers kept per generation, by the state asked with and the cap: devices on the same state get the same bytes.
    private const int MaxAnswersPerGeneration = 256;

    private readonly SemaphoreSlim building = new(1, 1);
    private readonly Lock historyLock = new();
    private readonly LinkedList<Step> history = new();
    private readonly LinkedList<PrefixSet> capped = new();
    private long cappedBytes;
    private Generation? current;

    /// <summary>The answer for a client holding <paramref name="state"/> (null: none) that can hold <paramref name="maxEntries"/>, as UTF-8 JSON.</summary>
    public async Task<byte[]> AnswerAsync(string? state, int? maxEntries, CancellationToken cancellationToken)
    {
        var generation = await CurrentAsync(cancellationToken);
        var key = (state ?? "", maxEntries ?? 0);
        if (generation.Answers.TryGetValue(key, out var known))
        {
            return known;
        }

        var answer = JsonSerializer.SerializeToUtf8Bytes(Answer(generation, state, maxEntries), json.Value.SerializerOptions);
        if (generation.Answers.Count < MaxAnswersPerGeneration)
        {
            generation.Answers.TryAdd(key, answer);
        }

        return answer;
    }

    public void Dispose() => building.Dispose();

    /// <summary>The set a client with this cap holds after a full answer now, for tests and the benchmark.</summary>
    public async Task<IReadOnlyList<uint>> CurrentSetAsync(int? maxEntries, CancellationToken cancellationToken) =>
        SetFor(await CurrentAsync(cancellationToken), maxEntries).Prefixes;

    private PrefixFeedResponse Answer(Generation generation, string? state, int? maxEntries)
    {
        var target = SetFor(generation, maxEntries);
        var wait = options.Value.PrefixMinimumWaitSeconds;
        if (state is not null && Find(generation, state) is { } held)
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

        var set = generation.Capped.GetOrAdd(cap, generation.Top);
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

        lock (historyLock)
        {
            foreach (var set in capped)
            {
                if (set.State == state)
                {
                    return set;
                }
            }

            // Walk back from the change that made this generation's set to the one that left the state asked for,
            // undoing each; changes a newer generation appended meanwhile are skipped.
            var step = history.Last;
            while (step is not null && step.Value.To != generation.All.State)
            {
                step = step.Previous;
            }

            var undone = generation.All.Prefixes;
            for (; step is not null; step = step.Previous)
            {
                undone = Undo(undone, step.Value);
                if (step.Value.From == state)
                {
                    var rebuilt = new PrefixSet(undone);
                    return rebuilt.State == state ? rebuilt : null;
                }
            }
        }

        return null;
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

        if (Volatile.Read(ref current) is { } fresh && !MustRebuild(fresh))
        {
            return fresh;
        }

        await building.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref current) is { } other && !MustRebuild(other))
            {
                return other;
            }

            var previous = current;
            var next = await Task.Run(Build, cancellationToken);
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
            building.Release();
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
        var prefixes = new List<uint>(table.ActiveCount);
        var ranks = new List<uint>(table.ActiveCount);
        DateTime? nextExpiry = null;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        foreach (var record in table.LiveRecords())
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

                nextExpiry = nextExpiry is { } earliest && earliest <= expires ? earliest : expires;
            }

            SHA256.HashData(table.KeyBytes(entry), hash);
            prefixes.Add(BinaryPrimitives.ReadUInt32BigEndian(hash));
            ranks.Add(Rank((Risk)entry.Risk, entry.LastSeen));
        }

        // Byte order of a prefix is the integer order of its big-endian reading; two keys may share a prefix, the higher rank stays.
        var keys = prefixes.ToArray();
        var values = ranks.ToArray();
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

        public long ListVersion { get; } = listVersion;

        /// <summary>When the earliest expiry among its entries passes, and the set with it.</summary>
        public DateTime? NextExpiry { get; } = nextExpiry;

        public PrefixSet All { get; } = all;

        public long BuiltAt { get; } = builtAt;

        public TimeSpan BuildTime { get; } = buildTime;

        public ConcurrentDictionary<int, PrefixSet> Capped { get; } = new();

        public ConcurrentDictionary<(string State, int Cap), byte[]> Answers { get; } = new();

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

/// <summary>A set of 4-byte prefixes in byte order, with its checksum and the state that names it.</summary>
internal sealed class PrefixSet
{
    public PrefixSet(uint[] prefixes)
    {
        Prefixes = prefixes;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> block = stackalloc byte[4096];
        for (var i = 0; i < prefixes.Length; i += block.Length / 4)
        {
            var n = Math.Min(block.Length / 4, prefixes.Length - i);
            for (var j = 0; j < n; j++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(block[(j * 4)..], prefixes[i + j]);
            }

            sha.AppendData(block[..(n * 4)]);
        }

        Checksum = Convert.ToHexStringLower(sha.GetHashAndReset());
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
