using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class LookupApiTests(DatabaseTarget target)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    [Theory]
    [InlineData("+86 138-0013-8000")]
    [InlineData("0086 13800138000")]
    [InlineData("13800138000")]
    [InlineData("１３８００１３８０００")]
    [InlineData("tel:+86-138-0013-8000")]
    [InlineData("+86 (0)138 0013 8000")]
    public async Task LookupOfAnySpellingOfAFlaggedNumberFindsTheEntry(string spelling)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"));

        var result = await LookupAsync(app, "phone", spelling);

        Assert.Equal(Verdict.Flagged, result.Verdict);
        Assert.True(result.Flagged);
        Assert.Equal(spelling, result.Query);
        Assert.Equal("+8613800138000", result.Canonical);
        var match = Assert.Single(result.Matches);
        Assert.Equal("+8613800138000", match.Expression);
        Assert.Equal(Data.Category.ImpersonatingAuthorities, match.Category);
        Assert.Equal(Data.Risk.High, match.Risk);
        var source = Assert.Single(match.Sources);
        Assert.Equal("list", source.Type);
        Assert.Contains("Test police", source.Label, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+852 5123 4567", "+85251234567", "mobile", "HK", false, true)]
    [InlineData("17012345678", "+8617012345678", "mobile", "CN", true, true)]
    [InlineData("1069 0123 4567 89", "+8610690123456789", "sms_sender", "CN", false, true)]
    [InlineData("146 1234 5678", "+8614612345678", "unknown", "CN", false, false)]
    public async Task APhoneLookupSaysWhatKindOfLineTheNumberIsAndWhereWithoutFlaggingIt(
        string value, string canonical, string type, string region, bool virtualOperator, bool knownRange)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        using var one = JsonDocument.Parse(await client.GetStringAsync($"/v1/lookup/phone?value={Uri.EscapeDataString(value)}"));
        using var batch = JsonDocument.Parse(await (await client.PostAsJsonAsync("/v1/lookup", new
        {
            items = new[] { new { kind = "phone", value }, new { kind = "domain", value = "example.com" } },
        })).Content.ReadAsStringAsync());

        foreach (var answer in new[] { one.RootElement, batch.RootElement.GetProperty("results")[0] })
        {
            Assert.Equal(canonical, answer.GetProperty("canonical").GetString());
            Assert.Equal("clear", answer.GetProperty("verdict").GetString());
            var phone = answer.GetProperty("phone");
            Assert.Equal(type, phone.GetProperty("type").GetString());
            Assert.Equal(region, phone.GetProperty("region").GetString());
            Assert.Equal(virtualOperator, phone.GetProperty("virtualOperator").GetBoolean());
            Assert.Equal(knownRange, phone.GetProperty("knownRange").GetBoolean());
        }

        Assert.False(batch.RootElement.GetProperty("results")[1].TryGetProperty("phone", out _));
    }

    [Fact]
    public async Task NumberThatDiffersByOneDigitIsClear()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));

        var result = await LookupAsync(app, "phone", "13800138001");

        Assert.Equal(Verdict.Clear, result.Verdict);
        Assert.False(result.Flagged);
        Assert.Empty(result.Matches);
        Assert.Equal(0, result.Reports.Count);
    }

    [Fact]
    public async Task LandlineWithAreaCodeMatchesAcrossSpellings()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "(010) 8765-4321", "fake_customer_service", "medium"));

        Assert.Equal(Verdict.Flagged, (await LookupAsync(app, "phone", "010-87654321")).Verdict);
        Assert.Equal(Verdict.Flagged, (await LookupAsync(app, "phone", "+86 10 8765 4321")).Verdict);
        Assert.Equal(Verdict.Clear, (await LookupAsync(app, "phone", "020-87654321")).Verdict);
    }

    [Fact]
    public async Task FlaggedUrlPrefixFlagsDeeperPagesOnSubdomains()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("url", "evil.example/1/", "task_brushing", "high"));

        var result = await LookupAsync(app, "url", "HTTP://a.Evil.example/1/2.html?x=1#frag");

        Assert.Equal(Verdict.Flagged, result.Verdict);
        Assert.Equal("http://a.evil.example/1/2.html?x=1", result.Canonical);
        var match = Assert.Single(result.Matches);
        Assert.Equal("evil.example/1/", match.Expression);
        Assert.Equal("evil.example/1/", match.Value);
    }

    [Theory]
    [InlineData("http://evil.example/2/")]
    [InlineData("http://evil.example/")]
    [InlineData("http://notevil.example/1/")]
    [InlineData("http://evil.example.com/1/")]
    public async Task FlaggedUrlPrefixDoesNotFlagOtherPaths(string url)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("url", "evil.example/1/", "task_brushing", "high"));

        Assert.Equal(Verdict.Clear, (await LookupAsync(app, "url", url)).Verdict);
    }

    [Theory]
    [InlineData("url", "https://login.fake-police.example/case?id=1")]
    [InlineData("url", "fake-police.example")]
    [InlineData("domain", "www.Fake-Police.example.")]
    [InlineData("domain", "fake-police.example")]
    public async Task FlaggedDomainFlagsItsSubdomainsAndEveryUrlOnThem(string kind, string value)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("domain", "fake-police.example", "impersonating_authorities", "high"));

        var result = await LookupAsync(app, kind, value);

        Assert.Equal(Verdict.Flagged, result.Verdict);
        Assert.Equal("fake-police.example", Assert.Single(result.Matches).Expression);
    }

    [Theory]
    [InlineData("domain", "police.example")]
    [InlineData("domain", "fake-police.example.com")]
    [InlineData("domain", "notfake-police.example")]
    [InlineData("url", "http://police.example/fake-police.example")]
    public async Task FlaggedDomainDoesNotFlagLookalikes(string kind, string value)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("domain", "fake-police.example", "impersonating_authorities", "high"));

        Assert.Equal(Verdict.Clear, (await LookupAsync(app, kind, value)).Verdict);
    }

    [Fact]
    public async Task DomainLookupFindsAUrlEntryThatCoversTheWholeHost()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("url", "http://scam.example/", "gambling", "high"));

        var result = await LookupAsync(app, "domain", "m.scam.example");

        Assert.Equal(Verdict.Flagged, result.Verdict);
        Assert.Equal("scam.example/", Assert.Single(result.Matches).Expression);
    }

    [Theory]
    [InlineData("云客服")]
    [InlineData(" 云 客 服 ")]
    [InlineData("「云客服」")]
    public async Task AppNameMatchesWhateverTheSpacingAndPunctuation(string spelling)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("app", "云客服", "remote_control_app", "high"));

        var result = await LookupAsync(app, "app", spelling);

        Assert.Equal(Verdict.Flagged, result.Verdict);
        Assert.Equal("云客服", result.Canonical);
    }

    [Fact]
    public async Task AppNameMatchesAcrossWidthAndCase()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("app", "Zoom 云会议", "remote_control_app", "high"));

        Assert.Equal(Verdict.Flagged, (await LookupAsync(app, "app", "ｚｏｏｍ云会议")).Verdict);
        Assert.Equal(Verdict.Clear, (await LookupAsync(app, "app", "Zoom云会议2")).Verdict);
    }

    [Fact]
    public async Task AppPackageIdMatchesWhateverItsCase()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("app", "com.example.remote", "remote_control_app", "high"));

        var result = await LookupAsync(app, "app", "COM.Example.Remote");

        Assert.Equal(Verdict.Flagged, result.Verdict);
        Assert.Equal("com.example.remote", result.Canonical);
    }

    [Fact]
    public async Task AccountMatchesOnlyOnItsOwnPlatform()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("account", "qq:123456", "task_brushing", "medium"));

        Assert.Equal(Verdict.Flagged, (await LookupAsync(app, "account", "QQ：123456")).Verdict);
        Assert.Equal(Verdict.Clear, (await LookupAsync(app, "account", "wechat:wxid_123456")).Verdict);
    }

    [Fact]
    public async Task BankCardMatchesWithSpacesOrHyphens()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("account", "bank_card:4111 1111 1111 1111", "loan_or_card", "high"));

        var result = await LookupAsync(app, "account", "bank_card:4111-1111-1111-1111");

        Assert.Equal(Verdict.Flagged, result.Verdict);
        Assert.Equal("bank_card:4111111111111111", result.Canonical);
    }

    [Fact]
    public async Task BatchAnswersEveryItemInOrderWithErrorsInPlace()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"), ("app", "及时服务", "remote_control_app", "high"));
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/lookup", new
        {
            items = new object[]
            {
                new { kind = "phone", value = "138 0013 8000" },
                new { kind = "planet", value = "mars" },
                new { kind = "app", value = "及时 服务" },
                new { kind = "phone", value = "not a number" },
                new { kind = "url", value = "http://clean.example/" },
                new { kind = "phone" },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var results = body.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(6, results.Length);
        Assert.Equal("flagged", results[0].GetProperty("verdict").GetString());
        Assert.Equal("138 0013 8000", results[0].GetProperty("query").GetString());
        Assert.Equal("planet", results[1].GetProperty("kind").GetString());
        Assert.Equal("unknown_kind", results[1].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("flagged", results[2].GetProperty("verdict").GetString());
        Assert.Equal("invalid_phone", results[3].GetProperty("error").GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(results[3].GetProperty("error").GetProperty("detail").GetString()));
        Assert.Equal("clear", results[4].GetProperty("verdict").GetString());
        Assert.Equal("missing_value", results[5].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(2, body.GetProperty("listVersion").GetInt64());
    }

    [Fact]
    public async Task BatchOfAThousandMixedItemsAnswersEachOne()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        using var client = app.CreateClient();
        var kinds = new[] { ("phone", "1380013{0:0000}"), ("url", "http://site{0}.example/"), ("app", "应用{0}"), ("domain", "d{0}.example"), ("account", "qq:{0}00000") };
        var items = Enumerable.Range(0, 1000)
            .Select(i => new { kind = kinds[i % 5].Item1, value = string.Format(System.Globalization.CultureInfo.InvariantCulture, kinds[i % 5].Item2, i + 1) })
            .ToArray();

        var response = await client.PostAsJsonAsync("/v1/lookup", new { items });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        Assert.Equal(1000, results.GetArrayLength());
        Assert.All(results.EnumerateArray(), r => Assert.False(r.TryGetProperty("error", out _), r.ToString()));
    }

    [Fact]
    public async Task BatchOverTheLimitIsRefusedWholeWithAReason()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        var items = Enumerable.Range(0, 1001).Select(i => new { kind = "phone", value = "13800138000" });

        var problem = await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/lookup", new { items }), HttpStatusCode.BadRequest, "too_many_items");

        Assert.Contains("1000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"items\":[]}", "empty_batch")]
    [InlineData("{}", "empty_batch")]
    [InlineData("{\"items\":[{\"kind\":\"phone\",\"value\":\"1\"}", "invalid_json")]
    [InlineData("{\"items\":[{\"kind\":\"phone\",\"value\":13800138000}]}", "invalid_json")]
    [InlineData("{\"items\":\"all of them\"}", "invalid_json")]
    [InlineData("[1,2,3]", "invalid_json")]
    [InlineData("\u0001\u0002", "invalid_json")]
    public async Task MalformedBatchBodiesGetAProblemWithAStableCode(string body, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        await Problem.AssertAsync(await client.PostAsync("/v1/lookup", content), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task DeeplyNestedJsonIsRefusedAsInvalid()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        var body = "{\"items\":" + new string('[', 5000) + new string(']', 5000) + "}";

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        await Problem.AssertAsync(await client.PostAsync("/v1/lookup", content), HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task BatchWithoutABodyIsRefused()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        using var content = new StringContent(string.Empty, Encoding.UTF8, "application/json");
        await Problem.AssertAsync(await client.PostAsync("/v1/lookup", content), HttpStatusCode.BadRequest, "missing_body");
    }

    [Fact]
    public async Task BatchInAnotherContentTypeIsRefused()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        using var content = new StringContent("kind=phone&value=1", Encoding.UTF8, "application/x-www-form-urlencoded");
        await Problem.AssertAsync(await client.PostAsync("/v1/lookup", content), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task OversizedBatchBodyIsRefusedWith413()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        var body = "{\"items\":[{\"kind\":\"app\",\"value\":\"" + new string('a', 5 * 1024 * 1024) + "\"}]}";

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        await Problem.AssertAsync(await client.PostAsync("/v1/lookup", content), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public async Task OversizedChunkedBodyIsRefusedWith413()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Limits:MaxBatchLookupBodyBytes"] = "1000" });
        using var client = app.CreateClient();
        var body = "{\"items\":[{\"kind\":\"app\",\"value\":\"" + new string('a', 5000) + "\"}]}";

        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await Problem.AssertAsync(await client.PostAsync("/v1/lookup", content), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Theory]
    [InlineData("/v1/lookup/phone?value=", "invalid_phone")]
    [InlineData("/v1/lookup/phone?value=%20%20", "invalid_phone")]
    [InlineData("/v1/lookup/phone", "missing_value")]
    [InlineData("/v1/lookup/phone?value=138%0000138000", "invalid_phone")]
    [InlineData("/v1/lookup/phone?value=138%0A00138000", "invalid_phone")]
    [InlineData("/v1/lookup/url?value=http://a.example/%01", "invalid_url")]
    [InlineData("/v1/lookup/app?value=%E2%80%8B", "invalid_app")]
    [InlineData("/v1/lookup/planet?value=mars", "unknown_kind")]
    [InlineData("/v1/lookup/PHONE?value=13800138000", "unknown_kind")]
    [InlineData("/v1/lookup/account?value=wxid_abc", "invalid_account")]
    [InlineData("/v1/lookup/account?value=bank_card:4111111111111112", "invalid_account")]
    [InlineData("/v1/lookup/domain?value=localhost", "invalid_domain")]
    [InlineData("/v1/lookup/url?value=javascript:alert(1)", "invalid_url")]
    public async Task BadLookupInputGetsAProblemWithAStableCode(string url, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        var problem = await Problem.AssertAsync(await client.GetAsync(url), HttpStatusCode.BadRequest, code);

        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task OverlongValueIsRefusedBeforeParsing()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        var problem = await Problem.AssertAsync(
            await client.GetAsync("/v1/lookup/url?value=http://a.example/" + new string('x', 5000)), HttpStatusCode.BadRequest, "invalid_url");

        Assert.Contains("4096", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPathAndWrongMethodAreProblems()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        await Problem.AssertAsync(await client.GetAsync("/v1/nothing-here"), HttpStatusCode.NotFound, "not_found");
        await Problem.AssertAsync(await client.DeleteAsync("/v1/lookup/phone"), HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public async Task EntryPastItsExpiryNoLongerFlags()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var expires = DateTime.UtcNow.AddDays(7).ToString("O");
        await app.PublishAsync($$"""{"entries":[{"kind":"phone","value":"13800138000","category":"other","risk":"high","expiresAt":"{{expires}}"}]}""");
        Assert.Equal(Verdict.Flagged, (await LookupAsync(app, "phone", "13800138000")).Verdict);

        app.Clock.Advance(TimeSpan.FromDays(8));
        var result = await LookupAsync(app, "phone", "13800138000");

        Assert.Equal(Verdict.Clear, result.Verdict);
        Assert.Equal(Data.EntryStatus.Expired, Assert.Single(result.Matches).Status);
    }

    [Fact]
    public async Task ClearedEntryGivesTheClearedVerdict()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("account", "wechat:wxid_shop_owner", "task_brushing", "medium"));
        await app.ClearEntryAsync(); // as an approved appeal clears it
        var result = await LookupAsync(app, "account", "wechat:wxid_shop_owner");

        Assert.Equal(Verdict.Cleared, result.Verdict);
        Assert.False(result.Flagged);
        Assert.Equal(Data.EntryStatus.Cleared, Assert.Single(result.Matches).Status);
    }

    [Fact]
    public async Task ListVersionGrowsWithEveryPublishedChange()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        Assert.Equal(0, (await LookupAsync(app, "phone", "13800138000")).ListVersion);

        await app.PublishAsync(("phone", "13800138000", "other", "high"), ("phone", "13900139000", "other", "high"));

        Assert.Equal(2, (await LookupAsync(app, "phone", "13800138000")).ListVersion);
    }

    [Fact]
    public async Task ChangeWrittenByAnotherProcessIsServedWithinTwoSeconds()
    {
        await using var reader = await FlagApiFactory.CreateAsync(target);
        await using var writer = new FlagApiFactory(target.Provider, reader.ConnectionString);
        _ = writer.Server;

        await writer.PublishAsync(("phone", "13800138000", "other", "high"));

        var deadline = DateTime.UtcNow.AddSeconds(2);
        Verdict verdict;
        do
        {
            verdict = (await LookupAsync(reader, "phone", "13800138000")).Verdict;
            await Task.Delay(50);
        }
        while (verdict != Verdict.Flagged && DateTime.UtcNow < deadline);

        Assert.Equal(Verdict.Flagged, verdict);
    }

    private static async Task<LookupResponse> LookupAsync(FlagApiFactory app, string kind, string value)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync($"/v1/lookup/{kind}?value={Uri.EscapeDataString(value)}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Lookup of {kind} '{value}' answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<LookupResponse>(body, Json)!;
    }
}
