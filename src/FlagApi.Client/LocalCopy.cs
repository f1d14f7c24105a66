using System.Net.Http.Json;
using FlagApi.Identifiers;

namespace FlagApi.Client;

/// <summary>A flagged entry in a local copy: what the feed and the snapshot say about it.</summary>
/// <param name="Kind">The entry's kind.</param>
/// <param name="Value">Its canonical value (for a URL entry, its host/path expression).</param>
/// <param name="Category">What kind of fraud.</param>
/// <param name="Risk"><c>low</c>, <c>medium</c> or <c>high</c>.</param>
public sealed record LocalEntry(string Kind, string Value, string Category, string Risk);

/// <summary>A local lookup's answer: the entries whose keys the query's expressions met, or none.</summary>
/// <param name="Kind">The query's kind.</param>
/// <param name="Canonical">The query's canonical form, computed here.</param>
/// <param name="Flagged">True when an entry matched.</param>
/// <param name="Matches">The entries the query met.</param>
/// <param name="ListVersion">The version of the list the copy reflects.</param>
public sealed record LocalLookupResult(string Kind, string Canonical, bool Flagged, IReadOnlyList<LocalEntry> Matches, long ListVersion);

/// <summary>
/// The local-copy mode: downloads the snapshot (<c>GET /v1/feed/snapshot</c>, needs an app key), verifies
/// its checksum, then follows <c>GET /v1/feed/changes</c> and answers lookups offline with the same
/// matching rules as the service. The checksum is checked again after applying changes
/// (<see cref="VerifyAsync"/>), so a copy that drifted is caught and reloaded. Safe to share between threads; keep one
/// for the app's life.
/// </summary>
/// <param name="client">Calls the service; its options need an <c>app</c> key (<see cref="FlagApiClientOptions.ApiKey"/>).</param>
public sealed class LocalCopy(FlagApiClient client)
{
    private readonly object gate = new();
    private Dictionary<(string Kind, string Value), LocalEntry> entries = [];

    /// <summary>The list version this copy reflects; 0 before <see cref="LoadAsync"/>.</summary>
    public long Version { get; private set; }

    /// <summary>How many entries the copy holds.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>Replaces the copy with the current snapshot, refusing one whose checksum does not match its entries.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/feed/snapshot");
        using var response = await client.SendAsync(request, cancellationToken);
        var snapshot = (await response.Content.ReadFromJsonAsync<Snapshot>(FlagApiClient.Json, cancellationToken))!;
        var loaded = new Dictionary<(string, string), LocalEntry>(snapshot.Entries.Count);
        foreach (var e in snapshot.Entries)
        {
            loaded[(e.Kind, e.Value)] = e;
        }

        if (Checksum(loaded.Values) != snapshot.Sha256)
        {
            throw new FlagApiException(null, FlagApiException.ChecksumMismatch, $"The snapshot at version {snapshot.Version} does not match its own checksum.");
        }

        lock (gate)
        {
            entries = loaded;
            Version = snapshot.Version;
        }
    }

    /// <summary>Applies every change after <see cref="Version"/>, page by page; returns how many were applied.</summary>
    /// <param name="wait">Seconds the service may hold the request open for the next change (long poll, up to the service's <c>Feed:MaxWaitSeconds</c>), 0 for none.</param>
    /// <param name="cancellationToken">Stops waiting; the changes applied so far stay applied.</param>
    public async Task<int> SyncAsync(int wait = 0, CancellationToken cancellationToken = default)
    {
        var applied = 0;
        while (true)
        {
            var since = Version;
            using var request = FlagApiResilience.Poll(
                $"v1/feed/changes?since={since}&limit=10000" + (wait > 0 ? $"&wait={wait}" : string.Empty), TimeSpan.FromSeconds(wait));
            using var response = await client.SendAsync(request, cancellationToken);
            var page = (await response.Content.ReadFromJsonAsync<ChangesPage>(FlagApiClient.Json, cancellationToken))!;
            lock (gate)
            {
                foreach (var change in page.Changes)
                {
                    if (change.Op == "remove")
                    {
                        entries.Remove((change.Kind, change.Value));
                    }
                    else
                    {
                        entries[(change.Kind, change.Value)] = new LocalEntry(change.Kind, change.Value, change.Category, change.Risk);
                    }
                }

                Version = page.ToVersion;
            }

            applied += page.Changes.Count;
            if (!page.More)
            {
                return applied;
            }

            wait = 0;
        }
    }

    /// <summary>Compares the copy's checksum with the service's snapshot at the same version; reloads it if they differ.</summary>
    /// <returns>True when the copy was right.</returns>
    public async Task<bool> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await SyncAsync(0, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/feed/snapshot");
        using var response = await client.SendAsync(request, cancellationToken);
        var snapshot = (await response.Content.ReadFromJsonAsync<Snapshot>(FlagApiClient.Json, cancellationToken))!;
        string mine;
        lock (gate)
        {
            if (snapshot.Version != Version)
            {
                // The list moved on between the two requests; the caller may verify again.
                return true;
            }

            mine = Checksum(entries.Values);
        }

        if (mine == snapshot.Sha256)
        {
            return true;
        }

        await LoadAsync(cancellationToken);
        return false;
    }

    /// <summary>Looks an identifier up in the copy, offline, with the service's canonicalization and matching rules.</summary>
    public LocalLookupResult Lookup(string kind, string value)
    {
        var (parsed, canonical) = HashedQuery.Canonicalize(client.Options.Identifiers, kind, value);
        var matches = new List<LocalEntry>();
        lock (gate)
        {
            foreach (var probe in Matching.Probes(parsed, canonical))
            {
                if (entries.TryGetValue((probe.EntryKind.ToWire(), probe.Key), out var entry) && !matches.Contains(entry))
                {
                    matches.Add(entry);
                }
            }

            return new LocalLookupResult(parsed.ToWire(), canonical, matches.Count > 0, matches, Version);
        }
    }

    private static string Checksum(IEnumerable<LocalEntry> all) => FeedChecksum.Compute(all.Select(e => (e.Kind, e.Value, e.Category, e.Risk)));

    private sealed record Snapshot(long Version, IReadOnlyList<LocalEntry> Entries, long Count, string Sha256);

    private sealed record Change(long Version, string Op, string Kind, string Value, string Category, string Risk);

    private sealed record ChangesPage(long FromVersion, long ToVersion, bool More, IReadOnlyList<Change> Changes, int RetryAfterSeconds);
}
