using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using FlagApi.Client;
using FlagApi.Feed;
using FlagApi.Identifiers;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests;

/// <summary>
/// The client's compact local copy (<see cref="HashPrefixCopy"/>) against the service's <c>GET /v1/feed/prefixes</c> on a
/// real database. What the copy should hold is worked out here from other endpoints: the snapshot's entries less those
/// the entries API calls expired, each hashed as its match key.
/// </summary>
public abstract class HashPrefixCopyTests(DatabaseTarget target)
{
    /// <summary>Numbers, domains, and URL pages on hosts no domain of the pool covers, so URL entries' match keys are in the set too.</summary>
    private static readonly IReadOnlyList<(string Kind, string Value)> Pool =
    [
        .. ListChurn.NumbersAndDomains,
        .. Enumerable.Range(0, 8).Select(i => ("url", $"http://worse{i}.example/p{i}/")),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    public async Task RandomChangesSyncedAtRandomPointsEndWithExactlyTheServersSet(int seed)
    {
        var random = new Random(seed);
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var key = await app.CreateKeyAsync("app");
        using var feed = app.CreateClient(key);
        var client = new FlagApiClient(app.CreateClient(), new FlagApiClientOptions { ApiKey = key });
        var copy = new HashPrefixCopy(client);
        var churn = new ListChurn(app, random, Pool);
        for (var i = 0; i < 4; i++)
        {
            await churn.PublishAsync();
        }

        var syncs = new List<PrefixSyncResult>();
        var expiredUnswept = 0;
        async Task SyncAsync()
        {
            var unswept = 0;
            syncs.AddRange(await SyncUntilItHoldsAsync(copy, async () =>
            {
                (var expected, unswept) = await ExpectedAsync(feed, reviewer);
                return expected;
            }));
            expiredUnswept += unswept;
        }

        await SyncAsync();
        for (var step = 0; step < 40; step++)
        {
            await churn.StepAsync(sweepAlways: false);
            if (random.Next(3) == 0)
            {
                await SyncAsync();
            }
        }

        await SyncAsync();

        Assert.Equal("full", syncs[0].ResponseType);
        Assert.All(syncs.Skip(1), s => Assert.Equal("partial", s.ResponseType));
        Assert.All(syncs, s => Assert.False(s.Reloaded, "An answer of the service did not check out and the copy was loaded in full again."));
        Assert.Contains(syncs, s => s.Removed > 0);
        Assert.True(expiredUnswept > 0 && churn.Steps.GetValueOrDefault("clear") > 0 && churn.Steps.GetValueOrDefault("retract") > 0,
            $"Seed {seed} never synced while an entry was past its expiry but not swept, or made no clearing or retraction: {string.Join(", ", churn.Steps)}.");

        // Through the copy (prefix, then POST /v1/hashes) every identifier of the pool is flagged exactly when the service's lookup says so.
        foreach (var (kind, value) in Pool)
        {
            var service = await client.LookupAsync(kind, value);
            Assert.True(service.Flagged == (await copy.LookupAsync(kind, value)).Flagged, $"The copy and the service disagree on {kind} {value}.");
        }
    }

    [Fact]
    public async Task WithMaxEntriesTheCopyHoldsTheTopEntriesByRiskThenMostRecentListing()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        // Ten lists a minute apart (the service ranks listing times to the minute), each naming one number of each risk:
        // no two entries share both risk and listing time.
        for (var i = 0; i < 10; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1));
            await app.PublishAsync(("phone", $"1380020{i:D4}", "other", "low"), ("phone", $"1380021{i:D4}", "other", "medium"), ("phone", $"1380022{i:D4}", "other", "high"));
        }

        const int max = 13;
        var copy = new HashPrefixCopy(await AppClientAsync(app), maxEntries: max);
        var everything = new HashPrefixCopy(await AppClientAsync(app), maxEntries: 1000);

        await SyncUntilItHoldsAsync(copy, () => TopAsync(reviewer, max));
        await SyncUntilItHoldsAsync(everything, () => TopAsync(reviewer, 1000));

        Assert.Equal((max, 30), (copy.Count, everything.Count));

        // The oldest medium is listed again and becomes the newest; a high is cleared; a new high expires without a sweep.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await app.PublishAsync(("phone", "13800210000", "other", "medium"));
        var high = (await ActiveAsync(reviewer)).First(e => e.Value == "+8613800220009");
        await app.ClearEntryAsync(high.Id);
        var expires = app.Clock.GetUtcNow().AddMinutes(5).ToString("O");
        await app.PublishAsync($$"""{"entries":[{"kind":"phone","value":"13800230000","category":"other","risk":"high","expiresAt":"{{expires}}"}]}""");
        var withTheNewHigh = await SyncUntilItHoldsAsync(copy, () => TopAsync(reviewer, max));
        Assert.Contains(PrefixHex("+8613800230000"), ToHex(copy.CopyPrefixes()));
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var withoutIt = await SyncUntilItHoldsAsync(copy, () => TopAsync(reviewer, max));

        Assert.All(withTheNewHigh.Concat(withoutIt), s => Assert.Equal(("partial", false), (s.ResponseType, s.Reloaded)));
        Assert.True(withTheNewHigh.Sum(s => s.Removed) > 0 && withoutIt.Sum(s => s.Removed) > 0);
        Assert.Equal(max, copy.Count);
        Assert.DoesNotContain(PrefixHex("+8613800230000"), ToHex(copy.CopyPrefixes()));
    }

    [Fact]
    public async Task ALookupSendsNeitherTheNumberNorTheUrlOnlyFiveHexDigitsOfItsHits()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(
            ("phone", "13800138000", "impersonating_authorities", "high"),
            ("url", "http://evil.example/1/", "fake_customer_service", "high"),
            ("domain", "bad.example", "other", "low"));
        var seen = new List<string>();
        var client = new FlagApiClient(app.CreateDefaultClient(new RequestRecorder(seen)), new FlagApiClientOptions { ApiKey = await app.CreateKeyAsync("app") });
        var copy = new HashPrefixCopy(client);
        await copy.SyncAsync();
        var held = ToHex(copy.CopyPrefixes());
        var tooSoon = await copy.SyncAsync();
        Assert.Equal((false, TimeSpan.FromSeconds(app.Services.GetRequiredService<IOptions<FeedOptions>>().Value.PrefixMinimumWaitSeconds)), (tooSoon.Asked, copy.MinimumWait));
        Assert.Single(seen);
        seen.Clear();

        var phone = await copy.LookupAsync("phone", "+86 138-0013-8000");
        var url = await copy.LookupAsync("url", "http://a.evil.example/1/2.html?x=1");
        var unlisted = await copy.LookupAsync("phone", "13900139000");

        Assert.True(phone.Flagged);
        Assert.Equal("evil.example/1/", Assert.Single(url.Matches).Expression);
        Assert.False(unlisted.Flagged);

        // One POST /v1/hashes per listed identifier, with the 5 hex digits of exactly the expressions whose 4-byte prefix the copy holds.
        var asked = new[] { ("phone", "+86 138-0013-8000"), ("url", "http://a.evil.example/1/2.html?x=1") };
        Assert.Equal(
            asked.Select(q => "POST /v1/hashes " + System.Text.Json.JsonSerializer.Serialize(new
            {
                prefixes = Expressions(q.Item1, q.Item2).Select(Sha256Hex).Where(h => held.Contains(h[..8])).Select(h => h[..5]).Distinct(),
            })),
            seen);

        // Nothing of what was looked up, nor more than 5 hex digits of any of its expressions' hashes.
        var secret = new[] { "13800138000", "138-0013-8000", "13900139000", "evil", "2.html" }
            .Concat(asked.Append(("phone", "13900139000")).SelectMany(q => Expressions(q.Item1, q.Item2)).Select(e => Sha256Hex(e)[..6]));
        Assert.All(seen, request => Assert.All(secret, s => Assert.DoesNotContain(s, request, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>
    /// Syncs until the copy holds <paramref name="expected"/>, at most 20 times a tenth of a second apart, and fails if it
    /// never does. The service builds a new set at most a fifth of the time (PrefixFeed), so an answer asked for right
    /// after a change may still be the set before it.
    /// </summary>
    private static async Task<List<PrefixSyncResult>> SyncUntilItHoldsAsync(HashPrefixCopy copy, Func<Task<byte[]>> expected)
    {
        var syncs = new List<PrefixSyncResult>();
        for (var attempt = 1; ; attempt++)
        {
            syncs.Add(await copy.SyncAsync(force: true));
            var wanted = await expected();
            if (wanted.AsSpan().SequenceEqual(copy.CopyPrefixes()) || attempt == 20)
            {
                if (attempt > 1)
                {
                    TestContext.Current.TestOutputHelper?.WriteLine($"The copy held the service's set after {attempt} syncs.");
                }

                Assert.Equal(ToHex(wanted), ToHex(copy.CopyPrefixes()));
                return syncs;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<FlagApiClient> AppClientAsync(FlagApiFactory app) =>
        new(app.CreateClient(), new FlagApiClientOptions { ApiKey = await app.CreateKeyAsync("app") });

    /// <summary>
    /// The set the contract describes: every active entry's prefix, an entry past its expiry not active even before the sweep.
    /// The snapshot lists the entries the database holds as active; the entries API, which applies expiry dates, says which
    /// of them have expired. An entry's snapshot value is its match key (a URL entry's is its Safe Browsing expression).
    /// </summary>
    /// <returns>The prefixes, and how many entries the snapshot lists though they have expired (the sweep has not come yet).</returns>
    private static async Task<(byte[] Prefixes, int ExpiredUnswept)> ExpectedAsync(HttpClient feed, HttpClient reviewer)
    {
        var snapshot = (await feed.GetFromJsonAsync<Snapshot>("/v1/feed/snapshot", FlagApiFactory.ApiJson))!;
        var expired = await EntriesAsync(reviewer, "expired");
        var active = snapshot.Entries.Where(e => !expired.Any(x => x.Kind == e.Kind && x.Value == e.Value)).ToList();
        return (Concatenated(active.Select(e => e.Value)), snapshot.Entries.Count - active.Count);
    }

    /// <summary>The prefixes of the <paramref name="n"/> active entries ranked highest by risk, then by when a list last named them.</summary>
    private static async Task<byte[]> TopAsync(HttpClient reviewer, int n) =>
        Concatenated((await ActiveAsync(reviewer))
            .OrderByDescending(e => Array.IndexOf(ListChurn.Risks, e.Risk)).ThenByDescending(e => e.LastSeen)
            .Take(n)
            .Select(e => e.Value));

    private static Task<List<Entry>> ActiveAsync(HttpClient reviewer) => EntriesAsync(reviewer, "active");

    private static async Task<List<Entry>> EntriesAsync(HttpClient reviewer, string status)
    {
        var page = (await reviewer.GetFromJsonAsync<EntryPage>($"/v1/entries?status={status}&pageSize=500", FlagApiFactory.ApiJson))!;
        Assert.True(page.Total <= 500, "More entries than one page holds.");
        return page.Items;
    }

    /// <summary>The first 4 bytes of each key's SHA-256, de-duplicated, concatenated in byte order.</summary>
    private static byte[] Concatenated(IEnumerable<string> keys) =>
        [.. keys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))[..4]).Select(Convert.ToHexStringLower).Distinct().Order(StringComparer.Ordinal).SelectMany(Convert.FromHexString)];

    private static IEnumerable<string> Expressions(string kind, string value)
    {
        Assert.True(IdentifierKinds.TryParse(kind, out var parsed));
        return Matching.Probes(parsed, Identifier.Canonicalize(parsed, value, new IdentifierOptions()).Value!).Select(p => p.Key).Distinct();
    }

    private static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string PrefixHex(string key) => Sha256Hex(key)[..8];

    /// <summary>Prefixes as 8 hex digits each, so a failure shows which differ.</summary>
    private static List<string> ToHex(byte[] prefixes) => [.. prefixes.Chunk(4).Select(Convert.ToHexStringLower)];

    private sealed record Snapshot(long Version, List<SnapshotEntry> Entries, long Count, string Sha256);

    private sealed record Entry(long Id, string Kind, string Value, string Risk, DateTime LastSeen);

    private sealed record EntryPage(List<Entry> Items, int Total);
}
