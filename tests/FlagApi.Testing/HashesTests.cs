using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Hashes;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class HashesTests(DatabaseTarget target)
{
    private static readonly JsonSerializerOptions Json = FlagApiFactory.ApiJson;

    [Theory]
    [InlineData("phone", "+86 138-0013-8000", "+8613800138000", "impersonating_authorities", "high")]
    [InlineData("url", "http://evil.example/1/", "evil.example/1/", "task_brushing", "high")]
    [InlineData("domain", "Fake-Police.Example.", "fake-police.example", "impersonating_authorities", "medium")]
    [InlineData("app", "COM.Example.Remote", "com.example.remote", "remote_control_app", "high")]
    [InlineData("account", "wechat:wxid_shop_owner", "wechat:wxid_shop_owner", "task_brushing", "low")]
    public async Task PublishedEntryIsUnderThePrefixOfTheHashOfItsCanonicalKey(string kind, string published, string key, string category, string risk)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync((kind, published, category, risk));
        var hash = Sha256(key);

        var answer = await GetPrefixAsync(app, hash[..5]);

        Assert.Equal(hash[..5], answer.Prefix);
        Assert.Equal(1, answer.ListVersion);
        var found = Assert.Single(answer.Hashes);
        Assert.Equal(hash, found.Hash);
        Assert.Equal(kind, found.Kind);
        Assert.Equal(category, JsonNamingPolicy.SnakeCaseLower.ConvertName(found.Category.ToString()));
        Assert.Equal(risk, found.Risk.ToString().ToLowerInvariant());
        Assert.Null(answer.Padding);
    }

    [Fact]
    public async Task ClientFindsAFlaggedUrlPrefixByHashingItsOwnProbesLocally()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("url", "evil.example/1/", "task_brushing", "high"), ("domain", "b.evil.example", "gambling", "medium"), ("phone", "13800138000", "other", "high"));

        // What a client does: canonicalize and probe with the shared rules, hash locally, send only prefixes.
        var canonical = Identifier.Canonicalize(IdentifierKind.Url, "http://a.b.evil.example/1/2.html?x=1").Value!;
        var probes = Matching.Probes(IdentifierKind.Url, canonical);
        var mine = probes.ToDictionary(p => Sha256(p.Key), p => p);
        var prefixes = mine.Keys.Select(h => h[..5]).Distinct().ToArray();
        using var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/v1/hashes", new { prefixes });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<HashBatchResponse>(Json))!;

        Assert.Equal(prefixes, answer.Results.Select(r => r.Prefix));
        var matched = answer.Results.SelectMany(r => r.Hashes!).Where(h => mine.ContainsKey(h.Hash)).ToList();
        Assert.Equal(2, matched.Count);
        var url = Assert.Single(matched, h => h.Kind == "url");
        Assert.Equal("evil.example/1/", mine[url.Hash].Key);
        Assert.Equal(Data.Category.TaskBrushing, url.Category);
        var domain = Assert.Single(matched, h => h.Kind == "domain");
        Assert.Equal("b.evil.example", mine[domain.Hash].Key);
        Assert.Equal(Data.Risk.Medium, domain.Risk);
        Assert.Equal(3, answer.ListVersion);
    }

    [Fact]
    public async Task ExpiredEntryLeavesTheAnswerWhenItsTimeHasPassed()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var expires = app.Clock.GetUtcNow().UtcDateTime.AddDays(7).ToString("O");
        await app.PublishAsync($$"""{"entries":[{"kind":"phone","value":"13800138000","category":"other","risk":"high","expiresAt":"{{expires}}"}]}""");
        var prefix = Sha256("+8613800138000")[..5];
        using var client = app.CreateClient();
        var before = await client.GetAsync($"/v1/hashes/{prefix}");
        Assert.Single((await before.Content.ReadFromJsonAsync<HashPrefixResponse>(Json))!.Hashes);

        app.Clock.Advance(TimeSpan.FromDays(8));
        var after = await client.GetAsync($"/v1/hashes/{prefix}");

        Assert.Empty((await after.Content.ReadFromJsonAsync<HashPrefixResponse>(Json))!.Hashes);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);

        // A cache holding the answer from before the expiry must not be told it is still good.
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, $"/v1/hashes/{prefix}");
        revalidate.Headers.IfNoneMatch.Add(before.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(revalidate)).StatusCode);
    }

    [Fact]
    public async Task RetractedListTakesItsHashesOut()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var outcome = await app.PublishAsync(("phone", "13800138000", "other", "high"), ("account", "qq:123456789", "gambling", "high"));
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", "Test police"));

        var retract = await publisher.PostAsJsonAsync($"/v1/batches/{outcome.Result!.ListId}/retract", new { reason = "wrong file" });
        Assert.Equal(HttpStatusCode.OK, retract.StatusCode);
        await app.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();

        var answer = await GetPrefixAsync(app, Sha256("+8613800138000")[..5]);
        Assert.Empty(answer.Hashes);
        Assert.Equal(4, answer.ListVersion); // two entries added, two removed
    }

    [Fact]
    public async Task ClearedEntryIsNotAmongTheHashes()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("account", "wechat:wxid_shop_owner", "task_brushing", "medium"));
        var prefix = Sha256("wechat:wxid_shop_owner")[..5];
        Assert.Single((await GetPrefixAsync(app, prefix)).Hashes);
        await app.ClearEntryAsync(); // as an approved appeal clears it

        var answer = await GetPrefixAsync(app, prefix);
        Assert.Empty(answer.Hashes);
        Assert.Equal(2, answer.ListVersion);
    }

    [Fact]
    public async Task IndexLoadedAtStartHoldsTheSameHashesAsTheOneFollowingTheChangeLog()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"), ("domain", "scam.example", "gambling", "low"));
        var prefixes = new[] { Sha256("+8613800138000")[..5], Sha256("scam.example")[..5] };
        var followed = await Task.WhenAll(prefixes.Select(p => GetPrefixAsync(app, p)));

        await app.Services.GetRequiredService<ListIndexFollower>().LoadAsync(CancellationToken.None);
        var loaded = await Task.WhenAll(prefixes.Select(p => GetPrefixAsync(app, p)));

        Assert.Equal(followed.Select(a => a.Hashes.Single()), loaded.Select(a => a.Hashes.Single()));
    }

    [Theory]
    [InlineData("00000")]
    [InlineData("fffff")]
    [InlineData("ABCDE")]
    [InlineData("9a8B7")]
    public async Task EveryWellFormedPrefixAnswersWithItsLowercaseFormEvenWhenNothingIsUnderIt(string prefix)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        var response = await client.GetAsync($"/v1/hashes/{prefix}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<HashPrefixResponse>(Json))!;
        Assert.Equal(prefix.ToLowerInvariant(), answer.Prefix);
        Assert.Empty(answer.Hashes);
        Assert.Equal(0, answer.ListVersion);
    }

    [Theory]
    [InlineData("abcd")]
    [InlineData("abcdef")]
    [InlineData("abcdg")]
    [InlineData("+8613")]
    [InlineData("ab%20cd")]
    [InlineData("0x123")]
    public async Task PrefixThatIsNotFiveHexDigitsIsRefused(string prefix)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        var body = await Problem.AssertAsync(await client.GetAsync($"/v1/hashes/{prefix}"), HttpStatusCode.BadRequest, "invalid_prefix");

        Assert.Contains("5 hex digits", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadPrefixInABatchGetsAnErrorInItsPlaceAndTheOthersTheirAnswers()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        var hash = Sha256("+8613800138000");
        using var client = app.CreateClient();

        var response = await client.PostAsync("/v1/hashes", new StringContent(
            $$"""{"prefixes":["{{hash[..5].ToUpperInvariant()}}","xyz12",null,"00000"]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        Assert.Equal(4, results.GetArrayLength());
        Assert.Equal(hash[..5], results[0].GetProperty("prefix").GetString());
        Assert.Equal(hash, results[0].GetProperty("hashes")[0].GetProperty("hash").GetString());
        Assert.False(results[0].TryGetProperty("error", out _));
        Assert.Equal("xyz12", results[1].GetProperty("prefix").GetString());
        Assert.Equal("invalid_prefix", results[1].GetProperty("error").GetProperty("code").GetString());
        Assert.False(results[1].TryGetProperty("hashes", out _));
        Assert.Equal("invalid_prefix", results[2].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, results[3].GetProperty("hashes").GetArrayLength());
    }

    [Fact]
    public async Task EmptyOrOversizedBatchIsRefused()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Hashes:MaxPrefixes"] = "3" });
        using var client = app.CreateClient();

        await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/hashes", new { prefixes = Array.Empty<string>() }), HttpStatusCode.BadRequest, "empty_batch");
        await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/hashes", new { }), HttpStatusCode.BadRequest, "empty_batch");
        await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/hashes", new { prefixes = new[] { "00000", "00001", "00002", "00003" } }), HttpStatusCode.BadRequest, "too_many_items");
        await Problem.AssertAsync(await client.PostAsync("/v1/hashes", new StringContent("""{"prefixes":[1,2]}""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task ThousandPrefixesAreAnsweredInOneCall()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        var prefixes = Enumerable.Range(0, 1000).Select(i => i.ToString("x5", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var response = await client.PostAsJsonAsync("/v1/hashes", new { prefixes });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<HashBatchResponse>(Json))!;
        Assert.Equal(prefixes, answer.Results.Select(r => r.Prefix));
    }

    [Fact]
    public async Task PaddedAnswersHaveTheSameLengthWhetherThePrefixHoldsNoHashOrSeveral()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var (prefix, numbers) = ThreePhonesUnderOnePrefix();
        await app.PublishAsync([.. numbers.Select(n => ("phone", n, "fake_customer_service", "high"))]);
        var empty = Enumerable.Range(0, 1 << 20).Select(i => i.ToString("x5", System.Globalization.CultureInfo.InvariantCulture)).First(p => p != prefix);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("Add-Padding", "true");

        var full = await client.GetAsync($"/v1/hashes/{prefix}");
        var none = await client.GetAsync($"/v1/hashes/{empty}");

        var fullBody = await full.Content.ReadAsByteArrayAsync();
        var noneBody = await none.Content.ReadAsByteArrayAsync();
        Assert.Equal(3, JsonSerializer.Deserialize<HashPrefixResponse>(fullBody, Json)!.Hashes.Count);
        Assert.Empty(JsonSerializer.Deserialize<HashPrefixResponse>(noneBody, Json)!.Hashes);
        Assert.Equal(4096, fullBody.Length);
        Assert.Equal(fullBody.Length, noneBody.Length);
        Assert.NotNull(JsonSerializer.Deserialize<HashPrefixResponse>(noneBody, Json)!.Padding);
        Assert.True(full.Headers.ETag!.IsWeak);

        var batch = await client.PostAsJsonAsync("/v1/hashes", new { prefixes = new[] { prefix, empty } });
        Assert.Equal(0, (await batch.Content.ReadAsByteArrayAsync()).Length % 4096);
    }

    [Fact]
    public async Task PaddingHeaderThatIsNotABooleanIsRefused()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("Add-Padding", "lots");

        await Problem.AssertAsync(await client.GetAsync("/v1/hashes/00000"), HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Fact]
    public async Task AnswerIsCacheableUntilTheNextPublish()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        var prefix = Sha256("+8613800138000")[..5];
        using var client = app.CreateClient();

        var first = await client.GetAsync($"/v1/hashes/{prefix.ToUpperInvariant()}");
        Assert.Equal($"\"v1-{prefix}\"", first.Headers.ETag!.ToString());
        Assert.True(first.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromSeconds(60), first.Headers.CacheControl.MaxAge);

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, $"/v1/hashes/{prefix}");
        revalidate.Headers.IfNoneMatch.Add(first.Headers.ETag);
        var notModified = await client.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, notModified.Headers.ETag);

        await app.PublishAsync(("phone", "13900139000", "other", "high"));
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/v1/hashes/{prefix}");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag);
        var changed = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal($"\"v2-{prefix}\"", changed.Headers.ETag!.ToString());
        Assert.Equal(2, (await changed.Content.ReadFromJsonAsync<HashPrefixResponse>(Json))!.ListVersion);
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Three mobile numbers whose E.164 forms share a hash prefix: a birthday search over 20 bits finds them in a few thousand tries.</summary>
    private static (string Prefix, string[] Numbers) ThreePhonesUnderOnePrefix()
    {
        var seen = new Dictionary<string, List<string>>();
        for (var n = 13800000000L; ; n++)
        {
            var number = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var prefix = Sha256("+86" + number)[..5];
            if (!seen.TryGetValue(prefix, out var numbers))
            {
                seen[prefix] = numbers = [];
            }

            numbers.Add(number);
            if (numbers.Count == 3)
            {
                return (prefix, [.. numbers]);
            }
        }
    }

    private static async Task<HashPrefixResponse> GetPrefixAsync(FlagApiFactory app, string prefix)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync($"/v1/hashes/{prefix}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<HashPrefixResponse>(Json))!;
    }
}
