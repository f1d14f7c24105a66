using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public abstract class EntriesApiTests(DatabaseTarget target)
{
    private const int PhonesInFirstList = 24;
    private const int AccountsInSecondList = 6;

    /// <summary>Every entry of <see cref="PublishTwoListsAsync"/>: the first list's phones, domain, URL, app and one more number, the second list's accounts.</summary>
    private const int AllEntries = PhonesInFirstList + 4 + AccountsInSecondList;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    [Fact]
    public async Task EachFilterNarrowsTheEntriesAndFiltersCombine()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var (first, second) = await PublishTwoListsAsync(app);
        using var client = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        Assert.Equal(AllEntries, (await SearchAsync(client, "")).Total);
        Assert.Equal(PhonesInFirstList + 1, (await SearchAsync(client, "kind=phone")).Total);
        Assert.Equal(AccountsInSecondList, (await SearchAsync(client, "kind=account")).Total);
        Assert.Equal(AccountsInSecondList, (await SearchAsync(client, "category=gambling")).Total);
        Assert.Equal(PhonesInFirstList / 3, (await SearchAsync(client, "kind=phone&category=task_brushing")).Total);
        Assert.Equal(AllEntries, (await SearchAsync(client, "status=active")).Total);
        Assert.Equal(0, (await SearchAsync(client, "status=cleared")).Total);
        Assert.Equal(AllEntries, (await SearchAsync(client, "source=list")).Total);
        Assert.Equal(0, (await SearchAsync(client, "source=report")).Total);
        Assert.Equal(PhonesInFirstList + 4, (await SearchAsync(client, $"listId={first}")).Total);
        Assert.Equal(AccountsInSecondList + 1, (await SearchAsync(client, $"listId={second}")).Total);

        var both = await SearchAsync(client, $"listId={second}&kind=phone&category=investment_romance&status=active&source=list");
        var entry = Assert.Single(both.Items);
        Assert.Equal("+8613800138000", entry.Value);
        Assert.Equal(2, entry.SourceCount);
        Assert.All((await SearchAsync(client, "kind=domain")).Items, e => Assert.Equal("domain", e.Kind));
    }

    [Fact]
    public async Task EntryPastItsExpiryIsListedAsExpired()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var expires = app.Clock.GetUtcNow().AddDays(1).ToString("O", CultureInfo.InvariantCulture);
        await app.PublishAsync(
            $$"""{"entries":[{"kind":"phone","value":"13900000001","category":"other","risk":"low","expiresAt":"{{expires}}"},{"kind":"phone","value":"13900000002"}]}""");
        using var client = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        Assert.Equal(2, (await SearchAsync(client, "status=active")).Total);

        app.Clock.Advance(TimeSpan.FromDays(2));

        var expired = Assert.Single((await SearchAsync(client, "status=expired")).Items);
        Assert.Equal("+8613900000001", expired.Value);
        Assert.Equal(EntryStatus.Expired, expired.Status);
        Assert.Equal("+8613900000002", Assert.Single((await SearchAsync(client, "status=active")).Items).Value);
    }

    [Fact]
    public async Task PagesComeNewestChangeFirstWithTheTotal()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishTwoListsAsync(app);
        using var client = app.CreateClient(await app.CreateKeyAsync("admin"));

        var pages = new List<EntryPage>();
        for (var page = 1; page <= 4; page++)
        {
            pages.Add(await SearchAsync(client, $"pageSize=10&page={page}"));
        }

        Assert.All(pages, p => Assert.Equal(AllEntries, p.Total));
        Assert.All(pages, p => Assert.Equal(10, p.PageSize));
        Assert.Equal([10, 10, 10, AllEntries - 30], pages.Select(p => p.Items.Count));
        Assert.Equal([1, 2, 3, 4], pages.Select(p => p.Page));
        var all = pages.SelectMany(p => p.Items).ToList();
        Assert.Equal(AllEntries, all.Select(e => e.Id).Distinct().Count());
        Assert.Equal(all.OrderByDescending(e => e.Version).ThenByDescending(e => e.Id).Select(e => e.Id), all.Select(e => e.Id));

        // The number both lists name changed last, so it leads.
        Assert.Equal("+8613800138000", all[0].Value);
        Assert.Empty((await SearchAsync(client, "pageSize=10&page=5")).Items);

        var firstPage = await SearchAsync(client, "");
        Assert.Equal(50, firstPage.PageSize);
        Assert.Equal(AllEntries, firstPage.Items.Count);
        Assert.Equal(all.Select(e => e.Id), firstPage.Items.Select(e => e.Id));
    }

    [Theory]
    [InlineData("q=138-0013-8000", "+8613800138000")]
    [InlineData("q=%2B86%20138%200013%208000&kind=phone", "+8613800138000")]
    [InlineData("q=8613800138", "+8613800138000")]
    [InlineData("q=POLICE", "fake-police.example")]
    [InlineData("q=Fake-Police.EXAMPLE", "fake-police.example")]
    [InlineData("q=http://evil", "evil.example/Login")]
    [InlineData("q=%E5%AE%A2%E6%9C%8D", "云客服")]
    [InlineData("q=QQ:12345670", "qq:12345670")]
    public async Task TextSearchFindsByDisplayOrCanonicalForm(string query, string value)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishTwoListsAsync(app);
        using var client = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var page = await SearchAsync(client, query);

        Assert.Equal(value, Assert.Single(page.Items).Value);
        Assert.Equal(1, page.Total);
    }

    [Fact]
    public async Task TextSearchKeepsToTheKindGiven()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishTwoListsAsync(app);
        using var client = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        Assert.Equal(0, (await SearchAsync(client, "q=138-0013-8000&kind=account")).Total);
        Assert.Equal(0, (await SearchAsync(client, "q=no-such-thing")).Total);
        Assert.Equal(PhonesInFirstList, (await SearchAsync(client, "q=%2B86139&kind=phone")).Total);
    }

    [Fact]
    public async Task DetailShowsEachListThatFlaggedTheEntryAndItsHistory()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var (first, second) = await PublishTwoListsAsync(app);
        using var client = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var id = Assert.Single((await SearchAsync(client, "q=13800138000&kind=phone")).Items).Id;

        var response = await client.GetAsync($"/v1/entries/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = (await response.Content.ReadFromJsonAsync<EntryDetail>(Json))!;
        Assert.Equal("phone", entry.Kind);
        Assert.Equal("+8613800138000", entry.Value);
        Assert.Equal("13800138000", entry.Display);
        Assert.Equal(Category.InvestmentRomance, entry.Category);
        Assert.Equal(Risk.High, entry.Risk);
        Assert.Equal(EntryStatus.Active, entry.Status);

        Assert.Collection(
            entry.Sources,
            s =>
            {
                Assert.Equal("list", s.Type);
                Assert.Equal(first, s.ListId);
                Assert.Equal("Shenzhen PSB 2026-W01", s.Label);
                Assert.Equal("called victims as police", s.Note);
                Assert.Null(s.RemovedAt);
            },
            s =>
            {
                Assert.Equal("list", s.Type);
                Assert.Equal(second, s.ListId);
                Assert.Equal("Beijing PSB 2026-W02", s.Label);
                Assert.Null(s.RemovedAt);
            });

        Assert.Collection(
            entry.History,
            h =>
            {
                Assert.Equal("flagged", h.Action);
                Assert.Equal("test", h.Actor);
                Assert.Contains("Shenzhen PSB 2026-W01", h.Reason, StringComparison.Ordinal);
                Assert.Null(h.Before);
                Assert.Equal("active", h.After.GetProperty("status").GetString());
                Assert.Equal("impersonating_authorities", h.After.GetProperty("category").GetString());
            },
            h =>
            {
                Assert.Equal("updated", h.Action);
                Assert.Contains("Beijing PSB 2026-W02", h.Reason, StringComparison.Ordinal);
                Assert.Equal("impersonating_authorities", h.Before!.Value.GetProperty("category").GetString());
                Assert.Equal("investment_romance", h.After.GetProperty("category").GetString());
                Assert.Equal("high", h.After.GetProperty("risk").GetString());
            });
        Assert.True(entry.History[0].Version < entry.History[1].Version);
        Assert.Equal(entry.Version, entry.History[1].Version);

        // Before and after are JSON objects on the wire, not strings holding JSON.
        var raw = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Null, raw.GetProperty("history")[0].GetProperty("before").ValueKind);
        Assert.Equal(JsonValueKind.Object, raw.GetProperty("history")[1].GetProperty("before").ValueKind);
        Assert.Equal(JsonValueKind.Object, raw.GetProperty("history")[1].GetProperty("after").ValueKind);
        Assert.Equal("investment_romance", raw.GetProperty("category").GetString());
    }

    [Fact]
    public async Task UnknownEntryIsNotFound()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        await Problem.AssertAsync(await client.GetAsync("/v1/entries/424242"), HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("/v1/entries")]
    [InlineData("/v1/entries/1")]
    public async Task EntriesNeedAReviewerOrAdminKey(string path)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));

        using var anonymous = app.CreateClient();
        await Problem.AssertAsync(await anonymous.GetAsync(path), HttpStatusCode.Unauthorized, "missing_api_key");
        using var appClient = app.CreateClient(await app.CreateKeyAsync("app"));
        await Problem.AssertAsync(await appClient.GetAsync(path), HttpStatusCode.Forbidden, "wrong_role");
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", "Shenzhen PSB"));
        await Problem.AssertAsync(await publisher.GetAsync(path), HttpStatusCode.Forbidden, "wrong_role");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync(path)).StatusCode);
        using var admin = app.CreateClient(await app.CreateKeyAsync("admin"));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
    }

    [Theory]
    [InlineData("kind=planet", "unknown_kind")]
    [InlineData("kind=Phone", "unknown_kind")]
    [InlineData("category=fraud", "invalid_category")]
    [InlineData("status=deleted", "invalid_status")]
    [InlineData("source=rumour", "invalid_source")]
    [InlineData("page=0", "invalid_page")]
    [InlineData("page=-1", "invalid_page")]
    [InlineData("page=two", "invalid_page")]
    [InlineData("page=99999999999", "invalid_page")]
    [InlineData("page=2147483647&pageSize=500", "invalid_page")]
    [InlineData("pageSize=0", "invalid_page")]
    [InlineData("pageSize=501", "invalid_page")]
    [InlineData("listId=abc", "invalid_parameter")]
    public async Task BadFilterIsABadRequestWithAStableCode(string query, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var problem = await Problem.AssertAsync(await client.GetAsync("/v1/entries?" + query), HttpStatusCode.BadRequest, code);

        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task OverlongSearchTextIsABadRequest()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        await Problem.AssertAsync(await client.GetAsync("/v1/entries?q=" + new string('a', 201)), HttpStatusCode.BadRequest, "invalid_query");
    }

    /// <summary>
    /// Two lists: Shenzhen's with 24 numbers, a domain, a URL, an app and 138 0013 8000; then Beijing's with
    /// six QQ accounts and the same number again under another category.
    /// </summary>
    private static async Task<(long First, long Second)> PublishTwoListsAsync(FlagApiFactory app)
    {
        var firstRows = Enumerable.Range(0, PhonesInFirstList)
            .Select(i => Row("phone", $"1390000{i:0000}", i % 3 == 0 ? "task_brushing" : "loan_or_card", i % 2 == 0 ? "high" : "medium"))
            .Append(Row("domain", "Fake-Police.Example.", "impersonating_authorities", "high"))
            .Append(Row("url", "HTTP://Evil.Example/Login", "fake_customer_service", "high"))
            .Append(Row("app", "云客服", "remote_control_app", "high"))
            .Append(Row("phone", "13800138000", "impersonating_authorities", "high", "called victims as police"));
        var first = await app.PublishAsync(ListJson(firstRows), "Shenzhen PSB", "2026-W01");

        var secondRows = Enumerable.Range(0, AccountsInSecondList)
            .Select(i => Row("account", $"qq:1234567{i}", "gambling", "medium"))
            .Append(Row("phone", "+86 138 0013 8000", "investment_romance", "low"));
        var second = await app.PublishAsync(ListJson(secondRows), "Beijing PSB", "2026-W02");

        Assert.True(first.Succeeded && second.Succeeded, "the test lists should publish");
        return (first.Result!.ListId, second.Result!.ListId);
    }

    private static object Row(string kind, string value, string category, string risk, string? note = null) =>
        new { kind, value, category, risk, note };

    private static string ListJson(IEnumerable<object> rows) => JsonSerializer.Serialize(new { entries = rows });

    private static async Task<EntryPage> SearchAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/v1/entries?" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /v1/entries?{query} answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<EntryPage>(body, Json)!;
    }
}
