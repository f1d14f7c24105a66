using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>Issue 23 item 1: every flagged answer carries a notice (who listed it, why, whom to contact, how to appeal, what proof helps, how long).</summary>
public abstract class FlagNoticeTests(DatabaseTarget target)
{
    private const string Beijing = "北京市公安局";
    private const string Shanghai = "上海市公安局";
    private const string Phone = "+8613800138000";

    [Fact]
    public async Task AFlaggedAnswerSaysWhoListedItWhyWhomToContactAndHowToAppealInEveryLookup()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var published = await publisher.PostAsJsonAsync("/v1/batches", new
        {
            reference = "2026-W09",
            title = "第九批涉诈号码",
            publishedOn = "2026-11-30",
            noticeReason = "Used to call people pretending to be the police; confirmed by our anti-fraud centre.",
            noticeContact = "Beijing PSB anti-fraud centre, 010-12345678",
            entries = new[] { new { kind = "phone", value = "138 0013 8000", category = "impersonating_authorities" } },
        });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var listId = (await published.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var client = app.CreateClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB,en;q=0.9");
        var single = await client.GetAsync("/v1/lookup/phone?value=13800138000");
        Assert.Contains("Accept-Language", single.Headers.Vary);
        var batch = await client.PostAsJsonAsync("/v1/lookup", new { items = new[] { new { kind = "phone", value = "13800138000" } } });
        var message = await client.PostAsJsonAsync("/v1/check/message", new { text = "Police here, call 138 0013 8000 at once." });
        var notices = new[]
        {
            (await single.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("notice"),
            (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("notice"),
            (await message.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("notice"),
        };

        foreach (var notice in notices)
        {
            Assert.Equal("en", notice.GetProperty("language").GetString());
            Assert.Equal("impersonating_authorities", notice.GetProperty("category").GetString());
            Assert.Contains("police", notice.GetProperty("reason").GetString(), StringComparison.Ordinal);
            var listing = Assert.Single(notice.GetProperty("listedBy").EnumerateArray());
            Assert.Equal("list", listing.GetProperty("source").GetString());
            Assert.Equal(Beijing, listing.GetProperty("agency").GetString());
            Assert.Equal(listId, listing.GetProperty("listId").GetInt64());
            Assert.Equal("2026-W09", listing.GetProperty("reference").GetString());
            Assert.Equal("第九批涉诈号码", listing.GetProperty("title").GetString());
            Assert.Equal("2026-11-30", listing.GetProperty("publishedOn").GetString());
            Assert.Equal("Used to call people pretending to be the police; confirmed by our anti-fraud centre.", listing.GetProperty("reason").GetString());
            Assert.True(listing.GetProperty("reasonFromPublisher").GetBoolean());
            Assert.Equal("Beijing PSB anti-fraud centre, 010-12345678", listing.GetProperty("contact").GetString());
            var appeal = notice.GetProperty("appeal");
            Assert.Equal("/appeal?kind=phone&value=%2B8613800138000", appeal.GetProperty("portal").GetString());
            Assert.Equal("POST /v1/appeals", appeal.GetProperty("api").GetString());
            Assert.Equal(72, appeal.GetProperty("decisionWithinHours").GetInt32());
            Assert.Equal("within 72 hours of filing the appeal", appeal.GetProperty("decisionTime").GetString());
            Assert.Contains(notice.GetProperty("evidence").EnumerateArray(), e => e.GetString()!.Contains("real-name", StringComparison.Ordinal));
            var summary = notice.GetProperty("summary").GetString()!;
            Assert.Contains($"Flagged by {Beijing} (list 2026-W09, 2026-11-30).", summary, StringComparison.Ordinal);
            Assert.Contains("010-12345678", summary, StringComparison.Ordinal);
            Assert.Contains("/appeal?kind=phone", summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AListWithoutAReasonGivesTheCategoryAsTheReasonInChineseByDefault()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?>
        {
            ["Portal:OfficialAddress"] = "https://fanzha.example.gov.cn/",
            ["Appeals:ServiceLevel"] = "2.00:00:00",
        });
        await app.PublishAsync(("account", "wechat:wxid_fraud", "fake_customer_service", "high"));

        var notice = (await app.GetJsonAsync<JsonElement>("/v1/lookup/account?value=wechat:wxid_fraud")).GetProperty("notice");

        Assert.Equal("zh", notice.GetProperty("language").GetString());
        var listing = Assert.Single(notice.GetProperty("listedBy").EnumerateArray());
        Assert.Equal("Test police", listing.GetProperty("agency").GetString());
        Assert.False(listing.GetProperty("reasonFromPublisher").GetBoolean());
        Assert.Equal(notice.GetProperty("reason").GetString(), listing.GetProperty("reason").GetString());
        Assert.Contains("客服", listing.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, listing.GetProperty("contact").ValueKind);
        Assert.Equal(JsonValueKind.Null, listing.GetProperty("publishedOn").ValueKind);
        var appeal = notice.GetProperty("appeal");
        Assert.Equal("https://fanzha.example.gov.cn/appeal?kind=account&value=wechat%3Awxid_fraud", appeal.GetProperty("portal").GetString());
        Assert.Equal(48, appeal.GetProperty("decisionWithinHours").GetInt32());
        Assert.Equal("提交申诉后 48 小时内", appeal.GetProperty("decisionTime").GetString());
        Assert.Contains(notice.GetProperty("evidence").EnumerateArray(), e => e.GetString()!.Contains("平台", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoListsAreTwoListingsAndARetractedListLeavesTheNotice()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var beijing = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        using var shanghai = app.CreateClient(await app.CreateKeyAsync("publisher", Shanghai));
        var first = await Publish(beijing, "2026-W09", "impersonating_authorities", "Beijing reason", "Beijing contact");
        var second = await Publish(shanghai, "2026-W10", "investment_romance", null, "Shanghai contact");

        var listings = Listings(await app.GetJsonAsync<JsonElement>("/v1/lookup/phone?value=13800138000"));
        Assert.Equal([first, second], listings.Select(l => l.GetProperty("listId").GetInt64()).Order());
        Assert.Equal(
            [(Beijing, "Beijing reason", "Beijing contact"), (Shanghai, null, "Shanghai contact")],
            listings.OrderBy(l => l.GetProperty("listId").GetInt64())
                .Select(l => (l.GetProperty("agency").GetString(), l.GetProperty("reasonFromPublisher").GetBoolean() ? l.GetProperty("reason").GetString() : null, l.GetProperty("contact").GetString())));

        var retracted = await beijing.PostAsJsonAsync($"/v1/batches/{first}/retract", new { reason = "published the wrong week's file" });
        Assert.Equal(HttpStatusCode.OK, retracted.StatusCode);

        var after = await app.GetJsonAsync<JsonElement>("/v1/lookup/phone?value=13800138000");
        Assert.Equal("flagged", after.GetProperty("verdict").GetString());
        var left = Assert.Single(Listings(after));
        Assert.Equal(second, left.GetProperty("listId").GetInt64());
        Assert.DoesNotContain(Beijing, after.GetProperty("notice").GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersThatAreNotFlaggedCarryNoNotice()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        await app.ClearEntryAsync();
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");

        foreach (var value in new[] { "13800138000", "13900139000" })
        {
            var single = await client.GetAsync($"/v1/lookup/phone?value={value}");
            Assert.DoesNotContain("Accept-Language", single.Headers.Vary);
            var answer = await single.Content.ReadFromJsonAsync<JsonElement>();
            Assert.NotEqual("flagged", answer.GetProperty("verdict").GetString());
            Assert.False(answer.TryGetProperty("notice", out _));
        }

        var batch = await client.PostAsJsonAsync("/v1/lookup", new { items = new[] { new { kind = "phone", value = "13800138000" }, new { kind = "domain", value = "example.com" } } });
        foreach (var result in (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray())
        {
            Assert.False(result.TryGetProperty("notice", out _));
        }

        var message = await client.PostAsJsonAsync("/v1/check/message", new { text = "call 13800138000 or visit example.com" });
        foreach (var item in (await message.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray())
        {
            Assert.False(item.TryGetProperty("notice", out _));
        }
    }

    [Fact]
    public async Task APublisherSetsTheNoticeTextsOnACsvListAndTheyAreValidated()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        const string csv = "kind,value,category\r\nphone,13800138000,gambling\r\n";

        var tooLong = await publisher.PostAsync(
            $"/v1/batches?reference=2026-W09&noticeReason={new string('x', 1001)}", new StringContent(csv, Encoding.UTF8, "text/csv"));
        await Problem.AssertAsync(tooLong, HttpStatusCode.BadRequest, "invalid_notice_reason");
        var control = await publisher.PostAsJsonAsync("/v1/batches", new
        {
            reference = "2026-W09",
            noticeContact = "line one\nline two",
            entries = new[] { new { kind = "phone", value = "13800138000" } },
        });
        await Problem.AssertAsync(control, HttpStatusCode.BadRequest, "invalid_notice_contact");
        var tooLongContact = await publisher.PostAsync(
            $"/v1/batches?reference=2026-W09&noticeContact={new string('x', 301)}", new StringContent(csv, Encoding.UTF8, "text/csv"));
        await Problem.AssertAsync(tooLongContact, HttpStatusCode.BadRequest, "invalid_notice_contact");

        var published = await publisher.PostAsync(
            "/v1/batches?reference=2026-W09&noticeReason=" + Uri.EscapeDataString("经核实用于网络赌博引流") + "&noticeContact=" + Uri.EscapeDataString("010-12345678"),
            new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var upload = await published.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("经核实用于网络赌博引流", upload.GetProperty("noticeReason").GetString());

        var list = (await app.GetJsonAsync<JsonElement>($"/v1/batches/{upload.GetProperty("id").GetInt64()}")).GetProperty("list");
        Assert.Equal("经核实用于网络赌博引流", list.GetProperty("noticeReason").GetString());
        Assert.Equal("010-12345678", list.GetProperty("noticeContact").GetString());
        var listed = Assert.Single((await app.GetJsonAsync<JsonElement>("/v1/batches")).GetProperty("items").EnumerateArray());
        Assert.Equal("010-12345678", listed.GetProperty("noticeContact").GetString());
        Assert.Equal("经核实用于网络赌博引流", Assert.Single(Listings(await app.GetJsonAsync<JsonElement>("/v1/lookup/phone?value=13800138000"))).GetProperty("reason").GetString());
    }

    private static async Task<long> Publish(HttpClient publisher, string reference, string category, string? reason, string? contact)
    {
        var response = await publisher.PostAsJsonAsync("/v1/batches", new
        {
            reference,
            noticeReason = reason,
            noticeContact = contact,
            entries = new[] { new { kind = "phone", value = "13800138000", category } },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static List<JsonElement> Listings(JsonElement answer) => [.. answer.GetProperty("notice").GetProperty("listedBy").EnumerateArray()];
}
