using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Lookup;
using FlagApi.Reports;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class ReportSubmissionTests(DatabaseTarget target)
{
    private protected const string Number = "13800138000";
    private const string Canonical = "+8613800138000";

    [Fact]
    public async Task AReportIsReceivedWith202AndItsIdKindAndCanonicalForm()
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/reports", new
        {
            kind = "phone",
            value = "+86 138-0013-8000",
            category = "impersonating_authorities",
            description = "Said he was from the Beijing police and asked me to move my savings to a \"safe account\".\nHung up.",
            occurredAt = app.Clock.GetUtcNow().AddHours(-3).ToString("O"),
            evidence = new object[]
            {
                new { type = "text", text = "He knew my ID number" },
                new { type = "link", url = "https://example.com/screenshot.png" },
            },
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["id", "kind", "canonical", "status"], body.EnumerateObject().Select(p => p.Name));
        Assert.True(body.GetProperty("id").GetInt64() > 0);
        Assert.Equal(("phone", Canonical, "received"),
            (body.GetProperty("kind").GetString(), body.GetProperty("canonical").GetString(), body.GetProperty("status").GetString()));
        Assert.True(response.Headers.Contains("RateLimit-Policy"));
        Assert.StartsWith("\"report\";", response.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);

        var row = await SingleReportAsync(app);
        Assert.Equal((Canonical, "+86 138-0013-8000", "pending", "anonymous", 1), (row.Value, row.Query, row.Status, row.ReporterType, row.Times));
        Assert.Equal(Data.Category.ImpersonatingAuthorities, row.Category);
        Assert.Contains("\"type\":\"link\"", row.Evidence, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{64}$", row.ReporterHash);
        Assert.Matches("^[0-9a-f]{64}$", row.NetworkHash);
    }

    [Fact]
    public async Task EvidenceSentAsPlainStringsIsStoredAsTextItems()
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient();
        var json = $$"""
            {"kind":"phone","value":"{{Number}}","description":"Asked for a deposit.",
             "evidence":["营业执照 is what he sent",{"type":"link","url":"https://example.com/a.png"},{"type":"text","text":"He knew my ID number"}]}
            """;

        var response = await client.PostAsync("/v1/reports", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = JsonDocument.Parse((await SingleReportAsync(app)).Evidence!).RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("type").GetString(), e.TryGetProperty("text", out var t) ? t.GetString() : e.GetProperty("url").GetString()))
            .ToList();
        Assert.Equal([("text", "营业执照 is what he sent"), ("link", "https://example.com/a.png"), ("text", "He knew my ID number")], stored);
    }

    [Fact]
    public async Task EvidenceThatIsNeitherAStringNorAnObjectIsInvalidJsonNotAFailure()
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient();

        foreach (var evidence in new[] { "[12]", "[true]", "[[\"x\"]]", "\"营业执照\"" })
        {
            var json = $$"""{"kind":"phone","value":"{{Number}}","description":"Scam call","evidence":{{evidence}}}""";
            var response = await client.PostAsync("/v1/reports", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

            await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_json");
        }

        await AssertNoReportsAsync(app);
    }

    [Fact]
    public async Task RepeatedReportsFromOneAddressCountOnceAndKeepTheirId()
    {
        await using var app = await CreateAsync(Proxied());
        using var alice = Forwarded(app, "203.0.113.7");

        var first = await ReceivedIdAsync(await ReportAsync(alice, "13800138000", "First call", "task_brushing"));
        var second = await ReceivedIdAsync(await ReportAsync(alice, "+86 138 0013 8000", "Called again", "loan_or_card"));
        var third = await ReceivedIdAsync(await ReportAsync(alice, "0086 13800138000", "And again"));

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        var reports = (await LookupAsync(app, Number)).Reports;
        Assert.Equal(1, reports.Count);
        var row = await SingleReportAsync(app);
        Assert.Equal((3, "And again", "0086 13800138000", (Data.Category?)null), (row.Times, row.Description, row.Query, row.Category));
    }

    [Fact]
    public async Task AnIPv6ReporterCountsOnceAcrossItsWhole64()
    {
        await using var app = await CreateAsync(Proxied());
        using var first = Forwarded(app, "2001:db8:1:2::1");
        using var second = Forwarded(app, "2001:db8:1:2:ffff::9");

        await ReceivedIdAsync(await ReportAsync(first, Number, "Scam call"));
        await ReceivedIdAsync(await ReportAsync(second, Number, "Scam call"));

        Assert.Equal(1, (await LookupAsync(app, Number)).Reports.Count);
    }

    [Fact]
    public async Task AnAppKeyForwardingTheSameReporterIdCountsOnceAndDifferentReporterIdsCountSeparately()
    {
        await using var app = await CreateAsync();
        using var appClient = app.CreateClient(await app.CreateKeyAsync("app"));

        var a1 = await ReceivedIdAsync(await ReportAsync(appClient, Number, "Loan offer", reporterId: "user-1"));
        var a2 = await ReceivedIdAsync(await ReportAsync(appClient, Number, "Loan offer again", reporterId: "user-1"));
        var b = await ReceivedIdAsync(await ReportAsync(appClient, Number, "Same scam", reporterId: "user-2"));
        var own = await ReceivedIdAsync(await ReportAsync(appClient, Number, "The app's own report"));

        Assert.Equal(a1, a2);
        Assert.Equal(3, new[] { a1, b, own }.Distinct().Count());
        Assert.Equal(3, (await LookupAsync(app, Number)).Reports.Count);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.All(await db.Reports.ToListAsync(), r => Assert.Equal("app", r.ReporterType));
        Assert.DoesNotContain(await db.Reports.Select(r => r.ReporterHash).ToListAsync(), h => h.Contains("user", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSameReporterIdFromTwoAppsIsTwoReporters()
    {
        await using var app = await CreateAsync();
        using var first = app.CreateClient(await app.CreateKeyAsync("app", name: "Wallet"));
        using var second = app.CreateClient(await app.CreateKeyAsync("app", name: "Messenger"));

        await ReceivedIdAsync(await ReportAsync(first, Number, "Scam", reporterId: "1"));
        await ReceivedIdAsync(await ReportAsync(second, Number, "Scam", reporterId: "1"));

        Assert.Equal(2, (await LookupAsync(app, Number)).Reports.Count);
    }

    [Fact]
    public async Task AnAnonymousCallerCannotInflateTheCountWithReporterIds()
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            await ReceivedIdAsync(await ReportAsync(client, Number, "Scam", reporterId: $"fake-{i}"));
        }

        Assert.Equal(1, (await LookupAsync(app, Number)).Reports.Count);
        Assert.Equal(5, (await SingleReportAsync(app)).Times);
    }

    [Fact]
    public async Task ReportsFromManyAddressesRaiseTheCountButTheVerdictStaysClear()
    {
        await using var app = await CreateAsync(Proxied());
        string[] categories = ["loan_or_card", "loan_or_card", "task_brushing", "loan_or_card", "task_brushing"];
        for (var i = 0; i < categories.Length; i++)
        {
            using var client = Forwarded(app, $"198.51.{100 + i}.{i + 1}");
            await ReceivedIdAsync(await ReportAsync(client, Number, "Offered a loan for a fee", categories[i]));
            app.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var result = await LookupAsync(app, Number);

        Assert.Equal((Verdict.Clear, false), (result.Verdict, result.Flagged));
        Assert.Empty(result.Matches);
        Assert.Equal(5, result.Reports.Count);
        Assert.Equal(Data.Category.LoanOrCard, result.Reports.TopCategory);
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime.AddMinutes(-1), result.Reports.LastAt!.Value, TimeSpan.FromMilliseconds(1));

        using var anyone = app.CreateClient();
        var json = await anyone.GetFromJsonAsync<JsonElement>($"/v1/lookup/phone?value={Number}");
        Assert.Equal(5, json.GetProperty("reports").GetProperty("count").GetInt32());
        Assert.Equal("loan_or_card", json.GetProperty("reports").GetProperty("topCategory").GetString());

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(5, await db.Reports.Select(r => r.NetworkHash).Distinct().CountAsync());
        Assert.False(await db.Entries.AnyAsync());
    }

    [Fact]
    public async Task ReportsFromOneNetworkShareTheirNetworkHash()
    {
        await using var app = await CreateAsync(Proxied());
        for (var i = 1; i <= 3; i++)
        {
            using var client = Forwarded(app, $"203.0.113.{i}");
            await ReceivedIdAsync(await ReportAsync(client, Number, "Scam"));
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var rows = await db.Reports.ToListAsync();
        Assert.Equal(3, rows.Select(r => r.ReporterHash).Distinct().Count());
        Assert.Single(rows.Select(r => r.NetworkHash).Distinct());
        Assert.Equal(3, (await LookupAsync(app, Number)).Reports.Count);
    }

    [Fact]
    public async Task AFlaggedEntryShowsTheReportSignalBesideItsVerdict()
    {
        await using var app = await CreateAsync();
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        using var client = app.CreateClient();

        await ReceivedIdAsync(await ReportAsync(client, Number, "Police impersonation"));

        var result = await LookupAsync(app, Number);
        Assert.Equal(Verdict.Flagged, result.Verdict);
        Assert.Equal(1, result.Reports.Count);
    }

    [Fact]
    public async Task AClearedEntryStaysClearedWithTheReportSignalShown()
    {
        await using var app = await CreateAsync(Proxied());
        await app.PublishAsync(("phone", Number, "loan_or_card", "medium"));
        await ClearByAppealAsync(app, Number);
        Assert.Equal(Verdict.Cleared, (await LookupAsync(app, Number)).Verdict);

        for (var i = 1; i <= 4; i++)
        {
            using var client = Forwarded(app, $"192.0.{i}.10");
            await ReceivedIdAsync(await ReportAsync(client, Number, "Still calling me", "loan_or_card"));
        }

        var result = await LookupAsync(app, Number);
        Assert.Equal((Verdict.Cleared, false), (result.Verdict, result.Flagged));
        Assert.Equal(Data.EntryStatus.Cleared, Assert.Single(result.Matches).Status);
        Assert.Equal((4, (Data.Category?)Data.Category.LoanOrCard), (result.Reports.Count, result.Reports.TopCategory));
    }

    [Fact]
    public async Task RejectedReportsStopCountingOnceTheSignalRefreshes()
    {
        await using var app = await CreateAsync(Proxied());
        for (var i = 1; i <= 3; i++)
        {
            using var client = Forwarded(app, $"192.0.2.{i}");
            await ReceivedIdAsync(await ReportAsync(client, Number, "Scam", i == 3 ? "other" : "task_brushing"));
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var decidedAt = app.Clock.GetUtcNow().UtcDateTime.AddSeconds(1);
            await db.Reports.Where(r => r.Category == Data.Category.TaskBrushing)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.Status, "rejected").SetProperty(r => r.DecidedAt, decidedAt));
        }

        await app.Services.GetRequiredService<ReportIndex>().RefreshAsync();

        var reports = (await LookupAsync(app, Number)).Reports;
        Assert.Equal((1, (Data.Category?)Data.Category.Other), (reports.Count, reports.TopCategory));
    }

    [Fact]
    public async Task AReportWrittenByAnotherInstanceReachesLookupsByPolling()
    {
        await using var app = await CreateAsync();
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            db.Reports.Add(new Report
            {
                Kind = Identifiers.IdentifierKind.Phone,
                Value = Canonical,
                Query = Number,
                Description = "Written elsewhere",
                ReporterHash = new string('a', 64),
                ReporterType = "anonymous",
                NetworkHash = new string('b', 64),
                Times = 1,
                CreatedAt = now,
                LastAt = now,
                Status = "pending",
            });
            await db.SaveChangesAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await LookupAsync(app, Number)).Reports.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, (await LookupAsync(app, Number)).Reports.Count);
    }

    [Fact]
    public async Task ConcurrentIdenticalReportsMakeOneRowThatCountsEveryTime()
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ReportAsync(client, Number, "Scam")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single((await Task.WhenAll(responses.Select(ReceivedIdAsync))).Distinct());
        Assert.Equal(8, (await SingleReportAsync(app)).Times);
        Assert.Equal(1, (await LookupAsync(app, Number)).Reports.Count);
    }

    [Fact]
    public async Task AReportOfAUrlCountsForLookupsOfThatUrlInAnySpelling()
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/reports", new { kind = "url", value = "HTTP://Shop.Example.COM/pay?id=1", description = "Fake shop" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var anyone = app.CreateClient();
        var result = (await anyone.GetFromJsonAsync<LookupResponse>("/v1/lookup/url?value=http%3A%2F%2Fshop.example.com%2Fpay%3Fid%3D1", FlagApiFactory.ApiJson))!;
        Assert.Equal((Verdict.Clear, 1), (result.Verdict, result.Reports.Count));
    }

    [Theory]
    [InlineData(null, "missing_description")]
    [InlineData("   ", "missing_description")]
    [InlineData("Binary\0content", "invalid_description")]
    [InlineData("Decoded badly \uFFFD\uFFFD", "invalid_description")]
    [InlineData("Bell \u0007 and escape \u001b[31m", "invalid_description")]
    [InlineData("Delete \u007f", "invalid_description")]
    public async Task BadDescriptionsAreRefusedWithTheirCodes(string? description, string code)
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient();

        await Problem.AssertAsync(await ReportAsync(client, Number, description), HttpStatusCode.BadRequest, code);
        await AssertNoReportsAsync(app);
    }

    [Fact]
    public async Task AVeryLongDescriptionIsRefusedAndOneWithNewlinesAndTabsIsAccepted()
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient();

        var problem = await Problem.AssertAsync(
            await ReportAsync(client, Number, new string('骗', 2001)), HttpStatusCode.BadRequest, "description_too_long");
        Assert.Contains("2001", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNoReportsAsync(app);

        Assert.Equal(HttpStatusCode.Accepted, (await ReportAsync(client, Number, new string('骗', 1990) + "\r\n\tend")).StatusCode);
    }

    [Theory]
    [InlineData("kind", "fax", "unknown_kind")]
    [InlineData("value", "12", "invalid_phone")]
    [InlineData("category", "bad_vibes", "invalid_category")]
    [InlineData("occurredAt", "yesterday", "invalid_occurred_at")]
    [InlineData("occurredAt", "future", "invalid_occurred_at")]
    [InlineData("occurredAt", "old", "invalid_occurred_at")]
    [InlineData("evidence", "text", "invalid_evidence")]
    [InlineData("evidence", "ftp", "invalid_link")]
    [InlineData("evidence", "blank", "invalid_evidence")]
    [InlineData("evidence", "long", "evidence_too_long")]
    [InlineData("evidence", "control", "invalid_evidence")]
    public async Task BadFieldsAreRefusedWithTheirCodes(string field, string value, string code)
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient();
        var now = app.Clock.GetUtcNow();
        var body = new Dictionary<string, object?> { ["kind"] = "phone", ["value"] = Number, ["description"] = "Scam call" };
        body[field] = (field, value) switch
        {
            ("occurredAt", "future") => now.AddHours(1).ToString("O"),
            ("occurredAt", "old") => now.AddDays(-400).ToString("O"),
            ("evidence", "text") => new object[] { new { type = "text" } },
            ("evidence", "ftp") => new object[] { new { type = "link", url = "ftp://example.com/a" } },
            ("evidence", "blank") => new object[] { "   " },
            ("evidence", "long") => new object[] { new string('证', ReportSubmissionService.MaxEvidenceTextLength + 1) },
            ("evidence", "control") => new object[] { "a\u0001b" },
            _ => value,
        };

        await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/reports", body), HttpStatusCode.BadRequest, code);
        await AssertNoReportsAsync(app);
    }

    [Fact]
    public async Task AnAppsOverlongReporterIdIsRefused()
    {
        await using var app = await CreateAsync();
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));

        await Problem.AssertAsync(await ReportAsync(client, Number, "Scam", reporterId: new string('u', 201)), HttpStatusCode.BadRequest, "invalid_reporter_id");
    }

    [Fact]
    public async Task TheReportBudgetRefusesWith429AfterItsLimit()
    {
        await using var app = await CreateAsync(new()
        {
            ["RateLimiting:Tiers:anonymous:Report:PermitLimit"] = "2",
            ["RateLimiting:Tiers:anonymous:Report:Window"] = "01:00:00",
        });
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.Accepted, (await ReportAsync(client, Number, "One")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await ReportAsync(client, "13900139000", "Two")).StatusCode);
        var refused = await ReportAsync(client, "13700137000", "Three");

        var problem = await Problem.AssertAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Contains("report budget", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("\"report\";q=2;w=3600", refused.Headers.GetValues("RateLimit-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/lookup/phone?value={Number}")).StatusCode);
    }

    private Task<FlagApiFactory> CreateAsync(Dictionary<string, string?>? settings = null) => FlagApiFactory.CreateAsync(target, WithBudgets(settings));

    /// <summary>The factory leaves budgets alone once a test sets any rate-limit setting; these tests want them out of the way.</summary>
    private static Dictionary<string, string?>? WithBudgets(Dictionary<string, string?>? settings)
    {
        if (settings?.Keys.Any(k => k.StartsWith("RateLimiting:", StringComparison.Ordinal)) != true)
        {
            return settings;
        }

        var all = new Dictionary<string, string?>();
        foreach (var tier in FlagApi.RateLimiting.RateLimitingOptions.RoleTiers)
        {
            foreach (var budget in new[] { "Lookup", "Write", "Appeal", "Report" })
            {
                all[$"RateLimiting:Tiers:{tier}:{budget}:PermitLimit"] = "1000000";
            }
        }

        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>The test server's peer is 127.0.0.1; trusting it as a proxy lets each test client be a different address.</summary>
    private static Dictionary<string, string?> Proxied() => new() { ["RateLimiting:TrustedProxies:0"] = "127.0.0.1" };

    private static HttpClient Forwarded(FlagApiFactory app, string address)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    private protected static Task<HttpResponseMessage> ReportAsync(
        HttpClient client, string number, string? description, string? category = null, string? reporterId = null) =>
        client.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = number, category, description, reporterId });

    private protected static async Task<long> ReceivedIdAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202 but got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    private static async Task<LookupResponse> LookupAsync(FlagApiFactory app, string number)
    {
        using var client = app.CreateClient();
        return (await client.GetFromJsonAsync<LookupResponse>($"/v1/lookup/phone?value={Uri.EscapeDataString(number)}", FlagApiFactory.ApiJson))!;
    }

    private protected static async Task<Report> SingleReportAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Reports.AsNoTracking().SingleAsync();
    }

    private static async Task AssertNoReportsAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Reports.AnyAsync());
    }

    /// <summary>The appeal flow clears an entry the way production does: an appellant files, a reviewer approves.</summary>
    private static async Task ClearByAppealAsync(FlagApiFactory app, string number)
    {
        using var appellant = app.CreateClient();
        var filed = await appellant.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone",
            value = number,
            appellant = new { name = "Wang Fang", contact = "wang@example.com" },
            statement = "This has been my own number since 2015.",
            evidence = Array.Empty<object>(),
        });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var id = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var etag = (await reviewer.GetAsync($"/v1/review/appeals/{id}")).Headers.ETag?.ToString() ?? "\"0\"";
        var decide = new HttpRequestMessage(HttpMethod.Post, $"/v1/review/appeals/{id}/decision")
        {
            Content = JsonContent.Create(new { decision = "approve", reason = "Carrier confirms the owner", verification = "carrier_real_name" }),
        };
        decide.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.SendAsync(decide)).StatusCode);
        await app.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
    }
}
