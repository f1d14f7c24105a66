using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlagApi.Feed;
using FlagApi.Identifiers;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>
/// <c>GET /v1/feed/prefixes</c>, read the way a device reads it: the Rice data decoded, prefixes put back in byte order,
/// removals applied by position, and the result compared with prefixes computed here from the keys that were published.
/// </summary>
public abstract class PrefixFeedTests(DatabaseTarget target)
{
    [Fact]
    public async Task AFullAnswerHoldsThePrefixOfEveryActiveEntryAndItsChecksum()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));
        var expires = app.Clock.GetUtcNow().UtcDateTime.AddHours(1).ToString("O");
        await app.PublishAsync($$"""
            {"entries":[
              {"kind":"phone","value":"+86 138-0013-8000","category":"impersonating_authorities","risk":"high"},
              {"kind":"url","value":"http://evil.example/1/","category":"task_brushing","risk":"high"},
              {"kind":"domain","value":"Fake-Police.Example.","category":"impersonating_authorities","risk":"medium"},
              {"kind":"app","value":"COM.Example.Remote","category":"remote_control_app","risk":"high"},
              {"kind":"account","value":"wechat:wxid_shop_owner","category":"task_brushing","risk":"low"},
              {"kind":"phone","value":"13900139000","category":"other","risk":"low","expiresAt":"{{expires}}"}
            ]}
            """);

        var answer = await GetAsync(client, "/v1/feed/prefixes");

        Assert.Equal(PrefixResponseType.Full, answer.ResponseType);
        Assert.Equal(300, answer.MinimumWaitSeconds);
        Assert.Null(answer.Removals);
        Assert.Null(answer.MaxEntries);
        var held = Apply([], answer);
        var expected = PrefixesOf("+8613800138000", "evil.example/1/", "fake-police.example", "com.example.remote", "wechat:wxid_shop_owner", "+8613900139000");
        Assert.Equal(expected, held);
        Assert.Equal(6, answer.Count);
        Assert.Equal(Checksum(expected), answer.Checksum);
        Assert.Equal(answer.Checksum[..32], answer.State);

        // The expiring number leaves when its time passes, before any sweep: the answer is built at that time.
        app.Clock.Advance(TimeSpan.FromHours(2));
        var later = await GetAsync(client, $"/v1/feed/prefixes?state={answer.State}");
        Assert.Equal(PrefixResponseType.Partial, later.ResponseType);
        Assert.Null(later.Additions);
        Assert.Equal([(uint)expected.IndexOf(Prefix("+8613900139000"))], RiceDelta.Decode(later.Removals!));
        Assert.Equal(PrefixesOf("+8613800138000", "evil.example/1/", "fake-police.example", "com.example.remote", "wechat:wxid_shop_owner"), Apply(held, later));
    }

    [Fact]
    public async Task APartialAnswerFromAnOldStateGivesExactlyTheNewSet()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));
        var first = Enumerable.Range(0, 40).Select(i => ("phone", $"138001{i:D5}", "other", "high")).ToArray();
        await app.PublishAsync(first);
        var start = await GetAsync(client, "/v1/feed/prefixes");
        var held = Apply([], start);

        // Three changes, each read by no one: the device asks with the state of the first set.
        await app.PublishAsync([.. Enumerable.Range(40, 25).Select(i => ("phone", $"138001{i:D5}", "other", "high"))]);
        await app.ClearEntryAsync(await EntryIdAsync(client, "+8613800100003"));
        await app.PublishAsync(("domain", "new.example", "gambling", "medium"));
        await GetAsync(client, "/v1/feed/prefixes");
        await app.ClearEntryAsync(await EntryIdAsync(client, "+8613800100050"));

        // The set is rebuilt beside the index and answers from the one before meanwhile: wait for the last change in it.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await GetAsync(client, "/v1/feed/prefixes")).Count != 40 + 25 + 1 - 2)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "The prefix set did not take the last change within 10 seconds.");
            await Task.Delay(50);
        }

        var update = await GetAsync(client, $"/v1/feed/prefixes?state={start.State}");
        var full = await GetAsync(client, "/v1/feed/prefixes");

        Assert.Equal(PrefixResponseType.Partial, update.ResponseType);
        var updated = Apply(held, update);
        var now = Apply([], full);
        Assert.Equal(now, updated);

        // Only the difference travels: the positions of what left, and what came (an entry that came and went after the state is in neither).
        Assert.Equal(held.Select((p, i) => (p, i)).Where(x => !now.Contains(x.p)).Select(x => (uint)x.i), RiceDelta.Decode(update.Removals!));
        Assert.Equal(now.Except(held).Count(), RiceDelta.Decode(update.Additions!).Length);
        Assert.Single(RiceDelta.Decode(update.Removals!));
        Assert.Equal(full.State, update.State);
        Assert.Equal(Checksum(updated), update.Checksum);
        Assert.Equal(40 + 25 + 1 - 2, update.Count);

        // Up to date: nothing to do. A state this service never made: the whole set.
        var same = await GetAsync(client, $"/v1/feed/prefixes?state={update.State}");
        Assert.Equal(PrefixResponseType.Partial, same.ResponseType);
        Assert.Null(same.Additions);
        Assert.Null(same.Removals);
        var unknown = await GetAsync(client, $"/v1/feed/prefixes?state={new string('0', 32)}");
        Assert.Equal(PrefixResponseType.Full, unknown.ResponseType);
        Assert.Equal(updated, Apply([], unknown));
    }

    [Fact]
    public async Task AStateOlderThanTheKeptChangesGetsTheWholeSet()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Feed:PrefixHistoryLength"] = "1" });
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));
        await app.PublishAsync(("phone", "13800000001", "other", "low"));
        var first = await GetAsync(client, "/v1/feed/prefixes");
        await app.PublishAsync(("phone", "13800000002", "other", "low"));
        var second = await GetAsync(client, "/v1/feed/prefixes");
        await app.PublishAsync(("phone", "13800000003", "other", "low"));

        var fromSecond = await GetAsync(client, $"/v1/feed/prefixes?state={second.State}");
        var fromFirst = await GetAsync(client, $"/v1/feed/prefixes?state={first.State}");

        Assert.Equal(PrefixResponseType.Partial, fromSecond.ResponseType);
        Assert.Equal(PrefixesOf("+8613800000003"), Apply([], fromSecond with { ResponseType = PrefixResponseType.Full }));
        Assert.Equal(PrefixResponseType.Full, fromFirst.ResponseType);
        Assert.Equal(PrefixesOf("+8613800000001", "+8613800000002", "+8613800000003"), Apply([], fromFirst));
        Assert.Equal(fromFirst.Checksum, fromSecond.Checksum);
    }

    [Fact]
    public async Task ACappedSetHoldsTheHighestRiskThenTheMostRecentlyListedAndItsUpdatesStayWithinTheCap()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));
        await app.PublishAsync(("phone", "13800000001", "other", "low"), ("phone", "13800000002", "other", "high"));
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.PublishAsync(("phone", "13800000003", "other", "medium"), ("phone", "13800000004", "other", "high"));
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.PublishAsync(("phone", "13800000005", "other", "low"));

        var capped = await GetAsync(client, "/v1/feed/prefixes?maxEntries=3");

        Assert.Equal(3, capped.MaxEntries);
        var held = Apply([], capped);
        Assert.Equal(PrefixesOf("+8613800000004", "+8613800000002", "+8613800000003"), held);

        // A newer high-risk number pushes the medium one out; the update is partial and the set stays at three.
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.PublishAsync(("phone", "13800000006", "other", "high"));
        var update = await GetAsync(client, $"/v1/feed/prefixes?state={capped.State}&maxEntries=3");
        Assert.Equal(PrefixResponseType.Partial, update.ResponseType);
        held = Apply(held, update);
        Assert.Equal(PrefixesOf("+8613800000006", "+8613800000004", "+8613800000002"), held);
        Assert.Equal(3, update.Count);

        // A cap above the list's size is the whole list.
        var roomy = await GetAsync(client, "/v1/feed/prefixes?maxEntries=100");
        Assert.Equal(6, roomy.Count);
    }

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("br", "br")]
    [InlineData("gzip;q=0.5, br;q=0.8", "br")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("identity", null)]
    public async Task TheAnswerIsCompressedAsAskedWhichTakesBackWhatBase64Adds(string acceptEncoding, string? encoding)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));
        await app.PublishAsync([.. Enumerable.Range(0, 3000).Select(i => ("phone", $"13800{i:D6}", "other", "low"))]);
        var plain = await client.GetByteArrayAsync("/v1/feed/prefixes");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/feed/prefixes");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        var response = await client.SendAsync(request);

        var body = await response.Content.ReadAsByteArrayAsync();
        if (encoding is null)
        {
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.Equal(plain, body);
            return;
        }

        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        using var unpacked = new MemoryStream();
        await using (Stream unpacking = encoding == "gzip"
            ? new GZipStream(new MemoryStream(body), CompressionMode.Decompress)
            : new BrotliStream(new MemoryStream(body), CompressionMode.Decompress))
        {
            await unpacking.CopyToAsync(unpacked);
        }

        Assert.Equal(plain, unpacked.ToArray());
        Assert.True(body.Length * 10 < plain.Length * 8, $"{plain.Length} bytes were compressed to {body.Length}.");
    }

    [Theory]
    [InlineData("maxEntries=0", FeedProblemCodes.InvalidMaxEntries)]
    [InlineData("maxEntries=-5", FeedProblemCodes.InvalidMaxEntries)]
    [InlineData("maxEntries=ten", FeedProblemCodes.InvalidMaxEntries)]
    [InlineData("maxEntries=100000001", FeedProblemCodes.InvalidMaxEntries)]
    [InlineData("maxEntries=", FeedProblemCodes.InvalidMaxEntries)]
    public async Task BadParametersAreRefusedWithTheirCode(string query, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));

        var response = await client.GetAsync($"/v1/feed/prefixes?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnOverlongStateIsRefusedAndTheFeedNeedsAKey()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));
        using var anonymous = app.CreateClient();

        var response = await client.GetAsync($"/v1/feed/prefixes?state={new string('a', 201)}");
        var refused = await anonymous.GetAsync("/v1/feed/prefixes");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(FeedProblemCodes.InvalidState, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static async Task<long> EntryIdAsync(HttpClient client, string phone)
    {
        var answer = await client.GetFromJsonAsync<JsonElement>($"/v1/lookup/phone?value={Uri.EscapeDataString(phone)}");
        return answer.GetProperty("matches")[0].GetProperty("entryId").GetInt64();
    }

    private static async Task<PrefixFeedResponse> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<PrefixFeedResponse>(FlagApiFactory.ApiJson))!;
    }

    /// <summary>What a device does with an answer: start over or drop positions, add, and keep the set in byte order.</summary>
    private static List<string> Apply(List<string> held, PrefixFeedResponse answer)
    {
        var next = answer.ResponseType == PrefixResponseType.Full ? [] : new List<string>(held);
        if (answer.Removals is { } removals)
        {
            foreach (var position in RiceDelta.Decode(removals).Reverse())
            {
                next.RemoveAt((int)position);
            }
        }

        if (answer.Additions is { } additions)
        {
            var bytes = new byte[4];
            foreach (var value in RiceDelta.Decode(additions))
            {
                RiceDelta.WritePrefix(value, bytes);
                next.Add(Convert.ToHexStringLower(bytes));
            }
        }

        next.Sort(StringComparer.Ordinal);
        return next;
    }

    /// <summary>The first 4 bytes of the SHA-256 of a match key, as lowercase hex (whose ordinal order is byte order).</summary>
    private static string Prefix(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];

    private static List<string> PrefixesOf(params string[] keys) => [.. keys.Select(Prefix).Order(StringComparer.Ordinal)];

    private static string Checksum(List<string> prefixes) =>
        Convert.ToHexStringLower(SHA256.HashData(Convert.FromHexString(string.Concat(prefixes))));
}
