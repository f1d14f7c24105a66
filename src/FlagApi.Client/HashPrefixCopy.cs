using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using FlagApi.Identifiers;

namespace FlagApi.Client;

/// <summary>What one <see cref="HashPrefixCopy.SyncAsync"/> did.</summary>
/// <param name="Asked">False when the service's <c>minimumWaitSeconds</c> had not passed and the call was not forced: nothing was sent.</param>
/// <param name="ResponseType"><c>full</c> or <c>partial</c>: the kind of the answer the copy now reflects; null when nothing was asked.</param>
/// <param name="Added">How many prefixes that answer added.</param>
/// <param name="Removed">How many it removed (a partial answer only).</param>
/// <param name="Reloaded">True when the first answer did not check out (checksum, count, undecodable data) and the copy was loaded in full again.</param>
/// <param name="ListVersion">The list version the copy reflects.</param>
/// <param name="Count">How many prefixes the copy holds.</param>
public sealed record PrefixSyncResult(bool Asked, string? ResponseType, int Added, int Removed, bool Reloaded, long ListVersion, int Count);

/// <summary>
/// The compact local copy (<c>GET /v1/feed/prefixes</c>, needs an app key): the 4-byte SHA-256 prefixes of every active
/// entry's match key, 4 bytes an entry, kept up to date by partial answers whose count and checksum are verified. A lookup
/// hashes the identifier's expressions here; one whose prefixes are all absent is answered without any request, and
/// only a prefix hit is confirmed through <c>POST /v1/hashes</c> with 5-hex-digit prefixes, so neither the identifier
/// nor a full hash ever leaves. Safe to share between threads; keep one for the app's life and call
/// <see cref="SyncAsync"/> from time to time (it keeps to the service's <see cref="MinimumWait"/> by itself).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim only holds a kernel handle once its AvailableWaitHandle is read, which this class never does.")]
public sealed class HashPrefixCopy
{
    private readonly FlagApiClient client;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim syncing = new(1, 1);
    private readonly object gate = new();
    private Held? held;
    private DateTimeOffset nextSyncAt = DateTimeOffset.MinValue;
    private TimeSpan minimumWait;

    /// <summary>A copy that holds nothing until the first <see cref="SyncAsync"/>.</summary>
    /// <param name="client">Calls the service; its options need an <c>app</c> key (<see cref="FlagApiClientOptions.ApiKey"/>).</param>
    /// <param name="maxEntries">Hold at most this many prefixes, the service's highest-ranked (risk, then most recently listed); null for all.</param>
    /// <param name="time">The clock <see cref="MinimumWait"/> is counted on; the system's when null.</param>
    public HashPrefixCopy(FlagApiClient client, int? maxEntries = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (maxEntries is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(maxEntries));
        }

        this.client = client;
        MaxEntries = maxEntries;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>The most prefixes the copy holds, as asked of the service; null for all.</summary>
    public int? MaxEntries { get; }

    /// <summary>True once a sync has loaded the copy.</summary>
    public bool IsLoaded => Volatile.Read(ref held) is not null;

    /// <summary>The list version the copy reflects; 0 before the first sync.</summary>
    public long ListVersion => Volatile.Read(ref held)?.ListVersion ?? 0;

    /// <summary>How many prefixes the copy holds.</summary>
    public int Count => Volatile.Read(ref held)?.Prefixes.Length ?? 0;

    /// <summary>How long the service asked to be left alone after its last answer (<c>minimumWaitSeconds</c>).</summary>
    public TimeSpan MinimumWait
    {
        get
        {
            lock (gate)
            {
                return minimumWait;
            }
        }
    }

    /// <summary>When <see cref="SyncAsync"/> asks again without being forced; <see cref="DateTimeOffset.MinValue"/> before the first answer.</summary>
    public DateTimeOffset NextSyncAt
    {
        get
        {
            lock (gate)
            {
                return nextSyncAt;
            }
        }
    }

    /// <summary>The prefixes the copy holds, 4 bytes each, concatenated in byte order: what the service's checksum is taken of.</summary>
    public byte[] CopyPrefixes()
    {
        var prefixes = Volatile.Read(ref held)?.Prefixes ?? [];
        var bytes = new byte[prefixes.Length * 4];
        for (var i = 0; i < prefixes.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), prefixes[i]);
        }

        return bytes;
    }

    /// <summary>
    /// Brings the copy up to the service's list: a partial answer from the copy's state, or a full one the first time. An
    /// answer whose result does not match its count and checksum, or whose data cannot be decoded or applied, is thrown
    /// away and the copy is loaded in full again, once.
    /// </summary>
    /// <param name="force">Ask even though the service's <see cref="MinimumWait"/> since its last answer has not passed.</param>
    /// <param name="cancellationToken">Stops waiting; the copy stays as it was.</param>
    /// <exception cref="FlagApiException">
    /// The service refused or could not be reached, or (<see cref="FlagApiException.ChecksumMismatch"/>) even the full
    /// answer did not check out; the copy then keeps the set it held, verified at its <see cref="ListVersion"/>.
    /// </exception>
    public async Task<PrefixSyncResult> SyncAsync(bool force = false, CancellationToken cancellationToken = default)
    {
        await syncing.WaitAsync(cancellationToken);
        try
        {
            var current = held;
            if (!force && time.GetUtcNow() < NextSyncAt)
            {
                return new PrefixSyncResult(false, null, 0, 0, false, current?.ListVersion ?? 0, current?.Prefixes.Length ?? 0);
            }

            var answer = await FetchAsync(current?.State, cancellationToken);
            var applied = Apply(current, answer, out var problem);
            var reloaded = false;
            if (applied is null)
            {
                // As Safe Browsing v4 clients do: a set that does not check out is not repaired but fetched whole again.
                reloaded = true;
                answer = await FetchAsync(null, cancellationToken);
                applied = Apply(null, answer, out var again)
                    ?? throw new FlagApiException(null, FlagApiException.ChecksumMismatch,
                        $"The prefix feed's answer did not check out ({problem}), nor did the full answer asked for after it ({again}).");
            }

            Volatile.Write(ref held, applied.Held);
            return new PrefixSyncResult(true, answer!.ResponseType, applied.Added, applied.Removed, reloaded, applied.Held.ListVersion, applied.Held.Prefixes.Length);
        }
        finally
        {
            syncing.Release();
        }
    }

    /// <summary>
    /// Looks an identifier up: its expressions are hashed here and checked against the copy; without a prefix hit the answer
    /// comes without any request, with one the 5-hex-digit prefixes of the hits go to <c>POST /v1/hashes</c> and the full
    /// hashes are compared here.
    /// </summary>
    /// <param name="kind"><c>phone</c>, <c>url</c>, <c>domain</c>, <c>app</c> or <c>account</c>.</param>
    /// <param name="value">The identifier as the user wrote it.</param>
    /// <param name="cancellationToken">Stops waiting for the confirmation.</param>
    /// <returns>What matched; the list version is the service's on a confirmation, the copy's otherwise.</returns>
    /// <exception cref="FlagApiException">The identifier is not valid (the same codes as the service's), or the confirmation was refused.</exception>
    /// <exception cref="InvalidOperationException">The copy was never loaded: a lookup in it would answer "not listed" for everything.</exception>
    public async Task<PrivateLookupResult> LookupAsync(string kind, string value, CancellationToken cancellationToken = default)
    {
        var query = HashedQuery.Of(client.Options.Identifiers, kind, value);
        var current = Volatile.Read(ref held) ?? throw new InvalidOperationException("The copy holds nothing yet; call SyncAsync first.");
        var hits = query.Expressions.Where(e => Array.BinarySearch(current.Prefixes, PrefixOf(e.Hash)) >= 0).ToList();
        return hits.Count == 0 ? query.NotListed(current.ListVersion) : await query.ConfirmAsync(client, hits, cancellationToken);
    }

    /// <summary>The first 4 bytes of a hexadecimal hash as a big-endian integer, so integer order is the bytes' order.</summary>
    private static uint PrefixOf(string hash) => uint.Parse(hash.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private async Task<PrefixAnswer?> FetchAsync(string? state, CancellationToken cancellationToken)
    {
        var query = new List<string>(2);
        if (state is not null)
        {
            query.Add("state=" + Uri.EscapeDataString(state));
        }

        if (MaxEntries is { } max)
        {
            query.Add("maxEntries=" + max.ToString(CultureInfo.InvariantCulture));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/feed/prefixes" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty));
        using var response = await client.SendAsync(request, cancellationToken);
        PrefixAnswer? answer;
        try
        {
            answer = await response.Content.ReadFromJsonAsync<PrefixAnswer>(FlagApiClient.Json, cancellationToken);
        }
        catch (JsonException)
        {
            answer = null;
        }

        lock (gate)
        {
            minimumWait = answer is null ? minimumWait : TimeSpan.FromSeconds(Math.Max(0, answer.MinimumWaitSeconds));
            nextSyncAt = time.GetUtcNow() + minimumWait;
        }

        return answer;
    }

    /// <summary>
    /// The set <paramref name="answer"/> makes of <paramref name="current"/>, or null with the <paramref name="problem"/>
    /// when it does not check out; <paramref name="current"/> is never changed.
    /// </summary>
    private Applied? Apply(Held? current, PrefixAnswer? answer, out string problem)
    {
        if (answer is not { State.Length: > 0, Checksum.Length: > 0 } || answer.ResponseType is not ("full" or "partial"))
        {
            problem = "the answer is not a prefix feed answer";
            return null;
        }

        if (answer.MaxEntries != MaxEntries)
        {
            problem = $"the answer is for maxEntries {answer.MaxEntries?.ToString(CultureInfo.InvariantCulture) ?? "none"}";
            return null;
        }

        var full = answer.ResponseType == "full";
        if (!full && current is null)
        {
            problem = "a partial answer came to a request without state";
            return null;
        }

        if (full && answer.Removals is not null)
        {
            problem = "a full answer carries removals";
            return null;
        }

        var basis = full ? [] : current!.Prefixes;
        uint[] removals, additions;
        try
        {
            removals = answer.Removals is null ? [] : RiceDelta.Decode(answer.Removals);
            additions = answer.Additions is null ? [] : RiceDelta.Decode(answer.Additions);
        }
        catch (FormatException undecodable)
        {
            problem = undecodable.Message;
            return null;
        }

        for (var i = 0; i < removals.Length; i++)
        {
            if (removals[i] >= basis.Length || (i > 0 && removals[i] <= removals[i - 1]))
            {
                problem = $"removal index {removals[i]} is out of order or past the {basis.Length} prefixes held";
                return null;
            }
        }

        // Additions come as little-endian integers in integer order; the set is kept in the bytes' order.
        for (var i = 0; i < additions.Length; i++)
        {
            additions[i] = BinaryPrimitives.ReverseEndianness(additions[i]);
        }

        Array.Sort(additions);
        var prefixes = Merge(basis, removals, additions);
        if (prefixes is null)
        {
            problem = "an addition is a prefix the set already holds";
            return null;
        }

        if (prefixes.Length != answer.Count || (MaxEntries is { } max && prefixes.Length > max))
        {
            problem = $"the set holds {prefixes.Length} prefixes where the answer counts {answer.Count}";
            return null;
        }

        if (!string.Equals(FeedChecksum.OfPrefixes(prefixes), answer.Checksum, StringComparison.OrdinalIgnoreCase))
        {
            problem = $"the set's checksum is not {answer.Checksum}";
            return null;
        }

        problem = string.Empty;
        return new Applied(new Held(prefixes, answer.State!, answer.ListVersion), additions.Length, removals.Length);
    }

    /// <summary>What is left of <paramref name="basis"/> without the <paramref name="removals"/> (indices), merged with the
    /// <paramref name="additions"/>, all ascending; null when a prefix would be there twice.</summary>
    private static uint[]? Merge(uint[] basis, uint[] removals, uint[] additions)
    {
        var merged = new uint[basis.Length - removals.Length + additions.Length];
        int b = 0, r = 0, a = 0, m = 0;
        while (b < basis.Length || a < additions.Length)
        {
            if (b < basis.Length && r < removals.Length && removals[r] == b)
            {
                b++;
                r++;
                continue;
            }

            var next = b < basis.Length && (a == additions.Length || basis[b] < additions[a]) ? basis[b++] : additions[a++];
            if (m > 0 && merged[m - 1] == next)
            {
                return null;
            }

            merged[m++] = next;
        }

        return merged;
    }

    /// <summary>The verified set: each prefix as the big-endian integer of its 4 bytes, ascending (so in the bytes' order).</summary>
    private sealed record Held(uint[] Prefixes, string State, long ListVersion);

    private sealed record Applied(Held Held, int Added, int Removed);

    private sealed record PrefixAnswer(
        string? ResponseType,
        long ListVersion,
        string? State,
        int? MaxEntries,
        long Count,
        string? Checksum,
        int MinimumWaitSeconds,
        RiceDeltaEncoding? Additions,
        RiceDeltaEncoding? Removals);
}
