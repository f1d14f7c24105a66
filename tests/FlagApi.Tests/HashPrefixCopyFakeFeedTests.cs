using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlagApi.Client;
using FlagApi.Identifiers;
using FlagApi.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace FlagApi.Tests;

/// <summary>
/// The compact local copy against a prefix feed served here from sets the test gives, answering exactly as
/// the contract of GET /v1/feed/prefixes says (docs/api-v1.md): how answers are applied and verified, what bad data does, and what a
/// lookup sends. HashPrefixCopyTests (HashPrefixCopyOnSqlite, HashPrefixCopyOnPostgres) run it against the service itself.
/// </summary>
public sealed class HashPrefixCopyFakeFeedTests
{
    private const string Listed = "+8613800138000";

    [Fact]
    public async Task AFullAnswerLoadsEveryPrefixInByteOrder()
    {
        var random = new Random(1);
        var feed = new PrefixFeed();
        feed.Publish(RandomPrefixes(random, 300));
        var copy = new HashPrefixCopy(feed.Client());

        var sync = await copy.SyncAsync();

        Assert.Equal((true, "full", 300, 0, false, 300), (sync.Asked, sync.ResponseType, sync.Added, sync.Removed, sync.Reloaded, copy.Count));
        Assert.Equal(feed.Current, copy.CopyPrefixes());
        Assert.Equal("GET /v1/feed/prefixes ", Assert.Single(feed.Sent));
    }

    [Fact]
    public async Task PartialAnswersRemoveByIndexThenAddAndEndWithTheServersSet()
    {
        var random = new Random(7);
        var feed = new PrefixFeed { MinimumWaitSeconds = 0 };
        var set = RandomPrefixes(random, 200);
        feed.Publish(set);
        var copy = new HashPrefixCopy(feed.Client());
        await copy.SyncAsync();
        var removed = 0;

        for (var round = 0; round < 20; round++)
        {
            var dropped = set.Where(_ => random.Next(5) == 0).ToList();
            set = [.. set.Except(dropped, ByteArrays.Equality), .. RandomPrefixes(random, random.Next(0, 30))];
            feed.Publish(set);

            var sync = await copy.SyncAsync();

            Assert.Equal(("partial", false), (sync.ResponseType, sync.Reloaded));
            Assert.Equal(dropped.Count, sync.Removed);
            Assert.Equal(feed.Current, copy.CopyPrefixes());
            Assert.Contains($"state=v{round}", feed.Sent[^1], StringComparison.Ordinal);
            removed += sync.Removed;
        }

        var unchanged = await copy.SyncAsync();
        Assert.Equal(("partial", 0, 0), (unchanged.ResponseType, unchanged.Added, unchanged.Removed));
        Assert.True(removed > 0);
    }

    [Theory]
    [InlineData("checksum")]
    [InlineData("count")]
    [InlineData("removal past the end")]
    [InlineData("removals out of order")]
    [InlineData("truncated data")]
    [InlineData("rice parameter")]
    [InlineData("addition already held")]
    [InlineData("not json")]
    public async Task AnAnswerThatDoesNotCheckOutIsThrownAwayAndTheCopyLoadedInFull(string fault)
    {
        var random = new Random(fault.Length);
        var feed = new PrefixFeed { MinimumWaitSeconds = 0 };
        var before = RandomPrefixes(random, 100);
        feed.Publish(before);
        var copy = new HashPrefixCopy(feed.Client());
        await copy.SyncAsync();
        feed.Publish([.. before.Skip(10), .. RandomPrefixes(random, 10)]);
        feed.Faults.Enqueue(fault);

        var sync = await copy.SyncAsync();

        Assert.Equal((true, "full", 100), (sync.Reloaded, sync.ResponseType, sync.Count));
        Assert.Equal(feed.Current, copy.CopyPrefixes());
        Assert.Contains("state=v0", feed.Sent[^2], StringComparison.Ordinal);
        Assert.DoesNotContain("state=", feed.Sent[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheFullAnswerDoesNotCheckOutEitherTheCopyKeepsItsVerifiedSet()
    {
        var random = new Random(3);
        var feed = new PrefixFeed { MinimumWaitSeconds = 0 };
        feed.Publish(RandomPrefixes(random, 50));
        var copy = new HashPrefixCopy(feed.Client());
        await copy.SyncAsync();
        var held = copy.CopyPrefixes();
        feed.Publish(RandomPrefixes(random, 50));
        feed.Faults.Enqueue("removal past the end");
        feed.Faults.Enqueue("checksum");

        var refused = await Assert.ThrowsAsync<FlagApiException>(() => copy.SyncAsync());

        Assert.Equal(FlagApiException.ChecksumMismatch, refused.Code);
        Assert.Contains("removal index", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(held, copy.CopyPrefixes());
        Assert.Equal(1, copy.ListVersion);

        // The next sync starts from the state of the set the copy kept.
        var sync = await copy.SyncAsync();
        Assert.Equal(("partial", false), (sync.ResponseType, sync.Reloaded));
        Assert.Equal(feed.Current, copy.CopyPrefixes());
    }

    [Fact]
    public async Task ALookupWithoutAPrefixHitSendsNothing()
    {
        var feed = new PrefixFeed();
        feed.Publish([PrefixOf(Listed), PrefixOf("evil.example/1/"), .. RandomPrefixes(new Random(5), 1000)]);
        var copy = new HashPrefixCopy(feed.Client());
        await copy.SyncAsync();
        var sent = feed.Sent.Count;

        var phone = await copy.LookupAsync("phone", "+86 139 0013 9000");
        var url = await copy.LookupAsync("url", "http://good.example/evil.example/1/");

        Assert.Equal((false, "+8613900139000", 1L), (phone.Flagged, phone.Canonical, phone.ListVersion));
        Assert.False(url.Flagged);
        Assert.Equal(sent, feed.Sent.Count);
    }

    [Fact]
    public async Task APrefixHitIsConfirmedWithTheFiveHexDigitsOfTheHitsOnly()
    {
        var feed = new PrefixFeed();
        feed.Publish([PrefixOf(Listed), PrefixOf("evil.example/1/"), .. RandomPrefixes(new Random(6), 1000)]);
        feed.FullHashes[Sha256Hex("evil.example/1/")] = "url";
        var copy = new HashPrefixCopy(feed.Client());
        await copy.SyncAsync();

        var url = await copy.LookupAsync("url", "http://a.evil.example/1/2.html?x=1");
        // The number's 4-byte prefix is held but its full hash is not listed: the confirmation says so.
        var phone = await copy.LookupAsync("phone", "13800138000");

        Assert.True(url.Flagged);
        Assert.Equal(("evil.example/1/", "url", "high"), (Assert.Single(url.Matches).Expression, url.Matches[0].Kind, url.Matches[0].Risk));
        Assert.False(phone.Flagged);
        var confirmations = feed.Sent.Skip(1).ToList();
        Assert.Equal(
            [$$"""POST /v1/hashes {"prefixes":["{{Sha256Hex("evil.example/1/")[..5]}}"]}""", $$"""POST /v1/hashes {"prefixes":["{{Sha256Hex(Listed)[..5]}}"]}"""],
            confirmations);
    }

    [Fact]
    public async Task ACopyAsksNoSoonerThanTheServiceSaysUnlessForced()
    {
        var clock = new TestClock();
        var feed = new PrefixFeed { MinimumWaitSeconds = 60 };
        feed.Publish(RandomPrefixes(new Random(8), 10));
        var copy = new HashPrefixCopy(feed.Client(), time: clock);

        await copy.SyncAsync();
        var tooSoon = await copy.SyncAsync();
        clock.Advance(TimeSpan.FromSeconds(59));
        var stillTooSoon = await copy.SyncAsync();

        Assert.Equal((false, false), (tooSoon.Asked, stillTooSoon.Asked));
        Assert.Single(feed.Sent);
        Assert.Equal(TimeSpan.FromSeconds(60), copy.MinimumWait);
        Assert.Equal(clock.GetUtcNow().AddSeconds(1), copy.NextSyncAt);

        Assert.True((await copy.SyncAsync(force: true)).Asked);
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True((await copy.SyncAsync()).Asked);
        Assert.Equal(3, feed.Sent.Count);
    }

    [Fact]
    public async Task MaxEntriesIsAskedForAndAnAnswerForAnotherNumberIsNotTaken()
    {
        var feed = new PrefixFeed { MinimumWaitSeconds = 0 };
        feed.Publish(RandomPrefixes(new Random(9), 5));
        var copy = new HashPrefixCopy(feed.Client(), maxEntries: 5);

        await copy.SyncAsync();
        feed.Faults.Enqueue("max entries");
        var sync = await copy.SyncAsync();

        Assert.Equal("GET /v1/feed/prefixes?maxEntries=5 ", feed.Sent[0]);
        Assert.Equal((true, 5), (sync.Reloaded, copy.Count));
        Assert.All(feed.Sent, s => Assert.Contains("maxEntries=5", s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACopyThatWasNeverLoadedRefusesLookups()
    {
        var copy = new HashPrefixCopy(new PrefixFeed().Client());

        await Assert.ThrowsAsync<InvalidOperationException>(() => copy.LookupAsync("phone", Listed));
    }

    private static List<byte[]> RandomPrefixes(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => { var prefix = new byte[4]; random.NextBytes(prefix); return prefix; })];

    private static byte[] PrefixOf(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key))[..4];

    private static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// GET /v1/feed/prefixes and POST /v1/hashes as the contract has them, over the sets <see cref="Publish"/> was given
    /// (state <c>v{n}</c> names the n-th). It keeps every request, and spoils the next answers as <see cref="Faults"/> says.
    /// </summary>
    private sealed class PrefixFeed : HttpMessageHandler
    {
        private readonly List<List<byte[]>> versions = [];

        public List<string> Sent { get; } = [];

        public Queue<string> Faults { get; } = new();

        /// <summary>The full hashes POST /v1/hashes lists, with their entries' kind.</summary>
        public Dictionary<string, string> FullHashes { get; } = [];

        public int MinimumWaitSeconds { get; init; } = 60;

        /// <summary>The latest set's prefixes concatenated in byte order, as the checksum covers them.</summary>
        public byte[] Current => [.. versions[^1].SelectMany(p => p)];

        public void Publish(IEnumerable<byte[]> set) => versions.Add([.. set.Distinct(ByteArrays.Equality).Order(ByteArrays.Order)]);

        public FlagApiClient Client() => new(new HttpClient(this) { BaseAddress = new Uri("http://127.0.0.1/") });

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            Sent.Add($"{request.Method} {request.RequestUri!.PathAndQuery} {body}");
            var answer = request.RequestUri.AbsolutePath switch
            {
                "/v1/feed/prefixes" => Prefixes(QueryHelpers.ParseQuery(request.RequestUri.Query)),
                "/v1/hashes" => Hashes(JsonNode.Parse(body)!["prefixes"]!.AsArray().Select(p => p!.GetValue<string>())),
                _ => throw new InvalidOperationException($"The test's feed does not serve {request.RequestUri}."),
            };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }

        private string Prefixes(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
        {
            var state = query.TryGetValue("state", out var s) ? s.ToString() : null;
            var partial = state is ['v', .. var n] && int.TryParse(n, out var since) && since < versions.Count;
            var old = partial ? versions[int.Parse(state![1..])] : [];
            var now = versions[^1];
            var removals = Enumerable.Range(0, old.Count).Where(i => !now.Contains(old[i], ByteArrays.Equality)).Select(i => (uint)i).ToArray();
            var additions = now.Except(old, ByteArrays.Equality).Select(p => RiceDelta.PrefixValue(p)).Order().ToArray();
            var answer = new JsonObject
            {
                ["responseType"] = partial ? "partial" : "full",
                ["listVersion"] = versions.Count,
                ["state"] = $"v{versions.Count - 1}",
                ["count"] = now.Count,
                ["checksum"] = Convert.ToHexStringLower(SHA256.HashData(Current)),
                ["minimumWaitSeconds"] = MinimumWaitSeconds,
            };
            if (query.TryGetValue("maxEntries", out var max))
            {
                answer["maxEntries"] = int.Parse(max.ToString());
            }

            if (additions.Length > 0)
            {
                answer["additions"] = JsonSerializer.SerializeToNode(RiceDelta.Encode(additions), JsonSerializerOptions.Web);
            }

            if (removals.Length > 0)
            {
                answer["removals"] = JsonSerializer.SerializeToNode(RiceDelta.Encode(removals), JsonSerializerOptions.Web);
            }

            return Faults.TryDequeue(out var fault) ? Spoil(answer, fault, old.Count) : answer.ToJsonString();
        }

        private static string Spoil(JsonObject answer, string fault, int held)
        {
            switch (fault)
            {
                case "checksum":
                    answer["checksum"] = new string('0', 64);
                    break;
                case "count":
                    answer["count"] = answer["count"]!.GetValue<int>() + 1;
                    break;
                case "removal past the end":
                    answer["removals"] = JsonSerializer.SerializeToNode(RiceDelta.Encode([0u, (uint)held]), JsonSerializerOptions.Web);
                    break;
                case "removals out of order":
                    answer["removals"] = JsonSerializer.SerializeToNode(RiceDelta.Encode([3u, 3u]), JsonSerializerOptions.Web);
                    break;
                case "truncated data":
                    answer["additions"]!["encodedData"] = answer["additions"]!["encodedData"]!.GetValue<string>()[..4];
                    break;
                case "rice parameter":
                    answer["additions"]!["riceParameter"] = 31;
                    break;
                case "addition already held":
                    var additions = RiceDelta.Decode(answer["additions"]!.Deserialize<RiceDeltaEncoding>(JsonSerializerOptions.Web)!);
                    answer["additions"] = JsonSerializer.SerializeToNode(RiceDelta.Encode([additions[0], .. additions]), JsonSerializerOptions.Web);
                    break;
                case "max entries":
                    answer["maxEntries"] = answer["maxEntries"]!.GetValue<int>() + 1;
                    break;
                case "not json":
                    return "<html>502 Bad Gateway</html>";
            }

            return answer.ToJsonString();
        }

        private string Hashes(IEnumerable<string> prefixes) => new JsonObject
        {
            ["listVersion"] = versions.Count,
            ["results"] = new JsonArray([.. prefixes.Select(prefix => new JsonObject
            {
                ["prefix"] = prefix,
                ["hashes"] = new JsonArray([.. FullHashes.Where(h => h.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .Select(h => new JsonObject { ["hash"] = h.Key, ["kind"] = h.Value, ["category"] = "other", ["risk"] = "high" })]),
            })]),
        }.ToJsonString();
    }

    private static class ByteArrays
    {
        public static readonly IEqualityComparer<byte[]> Equality = EqualityComparer<byte[]>.Create((x, y) => x.AsSpan().SequenceEqual(y), p => BitConverter.ToInt32(p));

        public static readonly IComparer<byte[]> Order = Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y));
    }
}
