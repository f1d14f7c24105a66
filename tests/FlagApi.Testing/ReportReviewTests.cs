using FlagApi.Problems;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Identifiers;
using FlagApi.Keys;
using FlagApi.Lookup;
using FlagApi.Reports;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class ReportReviewTests(DatabaseTarget target)
{
    private static readonly JsonSerializerOptions Json = FlagApiFactory.ApiJson;

    [Fact]
    public async Task QueueGroupsReportsByIdentifierWithMostDistinctReportersFirst()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var few = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-a", "net-1", "task_brushing", "They asked me to like videos for money.");
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await InsertReportInsteadOfPostingItAsync(app, "13900000002", "reporter-a", "net-1", "loan_or_card", "Offered a loan with a fee up front.");
        await InsertReportInsteadOfPostingItAsync(app, "13900000002", "reporter-b", "net-2", "loan_or_card", "Same loan offer.", times: 3);
        await InsertReportInsteadOfPostingItAsync(app, "13900000002", "reporter-c", "net-3", "task_brushing", "Said it was a job.");
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await InsertReportInsteadOfPostingItAsync(app, "13900000003", "reporter-d", "net-4", null, "Called at night.");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));

        var page = await QueueAsync(reviewer, "");

        Assert.Equal(3, page.Total);
        Assert.Equal(["+8613900000002", "+8613900000003", "+8613900000001"], page.Items.Select(g => g.Value));
        var top = page.Items[0];
        Assert.Equal("phone", top.Kind);
        Assert.Equal(3, top.Reporters);
        Assert.Equal(5, top.Times);
        Assert.Equal("loan_or_card", top.TopCategory);
        Assert.Equal(3, top.ReportIds.Count);
        Assert.Equal(3, top.Networks);
        Assert.Equal(3, top.Descriptions.Count);
        Assert.Null(top.Entry);
        Assert.Null(top.Protection);
        Assert.Null(page.Items[1].TopCategory);
        Assert.Equal([few], page.Items[2].ReportIds);
        Assert.Equal("They asked me to like videos for money.", page.Items[2].Descriptions.Single().Description);
    }

    [Fact]
    public async Task QueueFiltersByKindCategoryAgeAndPages()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-a", "net-1", "task_brushing", "Old report.");
        app.Clock.Advance(TimeSpan.FromHours(48));
        await InsertReportInsteadOfPostingItAsync(app, "13900000002", "reporter-a", "net-1", "loan_or_card", "New report.");
        await InsertReportInsteadOfPostingItAsync(app, "fraud-shop.example", "reporter-b", "net-2", "other", "A fake shop.", kind: IdentifierKind.Domain);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));

        Assert.Equal(["fraud-shop.example"], (await QueueAsync(reviewer, "?kind=domain")).Items.Select(g => g.Value));
        Assert.Equal(["+8613900000001"], (await QueueAsync(reviewer, "?category=task_brushing")).Items.Select(g => g.Value));
        Assert.Equal(2, (await QueueAsync(reviewer, "?maxAgeHours=24")).Total);
        Assert.Equal(["+8613900000001"], (await QueueAsync(reviewer, "?minAgeHours=24")).Items.Select(g => g.Value));
        var second = await QueueAsync(reviewer, "?page=2&pageSize=2");
        Assert.Equal(3, second.Total);
        Assert.Single(second.Items);
        Assert.Empty((await QueueAsync(reviewer, "?status=accepted")).Items);

        await Problem.AssertAsync(await reviewer.GetAsync("/v1/reports?status=maybe"), HttpStatusCode.BadRequest, ProblemCodes.InvalidStatus);
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/reports?kind=fax"), HttpStatusCode.BadRequest, "unknown_kind");
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/reports?category=spam"), HttpStatusCode.BadRequest, ProblemCodes.InvalidCategory);
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/reports?maxAgeHours=-1"), HttpStatusCode.BadRequest, ProblemCodes.InvalidFilter);
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/reports?pageSize=100000"), HttpStatusCode.BadRequest, Paging.InvalidPage);
    }

    [Fact]
    public async Task BurstFromManyNetworksWithinAnHourIsFlaggedButOneNetworkRepeatingIsNot()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        for (var i = 0; i < 6; i++)
        {
            await InsertReportInsteadOfPostingItAsync(app, "13900000001", $"burst-{i}", $"net-{i}", "task_brushing", "Sudden calls.");
            await InsertReportInsteadOfPostingItAsync(app, "13900000002", $"same-{i}", "one-net", "task_brushing", "From one office.");
            app.Clock.Advance(TimeSpan.FromMinutes(5));
        }

        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));
        var groups = (await QueueAsync(reviewer, "")).Items.ToDictionary(g => g.Value);

        var burst = groups["+8613900000001"];
        Assert.True(burst.Burst);
        Assert.Equal(6, burst.RecentNetworks);
        Assert.Equal(6, burst.RecentReporters);
        var repeat = groups["+8613900000002"];
        Assert.False(repeat.Burst);
        Assert.Equal(1, repeat.Networks);
        Assert.Equal(6, repeat.Reporters);

        app.Clock.Advance(TimeSpan.FromHours(2));
        var later = (await QueueAsync(reviewer, "")).Items.Single(g => g.Value == "+8613900000001");
        Assert.False(later.Burst);
        Assert.Equal(0, later.RecentReporters);
        Assert.Equal(6, later.Networks);
    }

    [Fact]
    public async Task OnlyReviewersReadAndDecideTheQueue()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var id = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-a", "net-1", null, "Scam call.");
        using var anonymous = app.CreateClient();
        using var appClient = app.CreateClient(await app.CreateKeyAsync(Roles.App));
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/reports")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync($"/v1/reports/{id}/decision", Reject("no"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await appClient.GetAsync("/v1/reports")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await appClient.PostAsJsonAsync($"/v1/reports/{id}/decision", Reject("no"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/reports")).StatusCode);
    }

    [Fact]
    public async Task AcceptingCreatesTheEntryWithEveryReportAsASourceAndMarksThemAccepted()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var first = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-a", "net-1", "task_brushing", "Job offer scam.");
        var second = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-b", "net-2", "task_brushing", "Same.");
        var versionBefore = await ListVersionAsync(app);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));

        var response = await reviewer.PostAsJsonAsync($"/v1/reports/{second}/decision", Accept("Recordings confirm the script."));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = (await response.Content.ReadFromJsonAsync<ReportDecisionResponse>(Json))!;
        Assert.Equal("accepted", decision.Decision);
        Assert.Equal([first, second], decision.ReportIds);
        Assert.Equal(versionBefore + 1, decision.ListVersion);

        var lookup = await LookupAsync(app, "13900000001");
        Assert.Equal("flagged", lookup.GetProperty("verdict").GetString());
        var match = lookup.GetProperty("matches").EnumerateArray().Single();
        Assert.Equal(decision.EntryId, match.GetProperty("entryId").GetInt64());
        Assert.Equal("task_brushing", match.GetProperty("category").GetString());
        Assert.Equal(
            [$"community report #{first}", $"community report #{second}"],
            match.GetProperty("sources").EnumerateArray().Where(s => s.GetProperty("type").GetString() == "report").Select(s => s.GetProperty("label").GetString()).Order());

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var reports = await db.Reports.OrderBy(r => r.Id).ToListAsync();
        Assert.All(reports, r =>
        {
            Assert.Equal("accepted", r.Status);
            Assert.Equal(decision.EntryId, r.EntryId);
            Assert.Equal("Recordings confirm the script.", r.DecisionReason);
            Assert.NotNull(r.DecidedAt);
        });
        var change = await db.ChangeLog.SingleAsync(c => c.EntryId == decision.EntryId);
        Assert.Equal((ChangeOps.Add, decision.ListVersion!.Value), (change.Op, change.Version));
        var history = await db.EntryHistory.SingleAsync(h => h.EntryId == decision.EntryId);
        Assert.Equal("flagged", history.Action);
        Assert.Equal("Accepted from 2 community reports: Recordings confirm the script.", history.Reason);
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "report.accepted"));
        Assert.Empty((await QueueAsync(reviewer, "")).Items);
        Assert.Equal([first, second], (await QueueAsync(reviewer, "?status=accepted")).Items.Single().ReportIds);
    }

    [Fact]
    public async Task AcceptingReportsAgainstAListedEntryAddsThemAsSources()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13900000001", "loan_or_card", "high"));
        var id = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-a", "net-1", "loan_or_card", "Loan scam.");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));
        Assert.Equal("active", (await QueueAsync(reviewer, "")).Items.Single().Entry?.Status);

        var response = await reviewer.PostAsJsonAsync($"/v1/reports/{id}/decision", Accept("Confirms the police list.", "loan_or_card", "low"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var match = (await LookupAsync(app, "13900000001")).GetProperty("matches").EnumerateArray().Single();
        Assert.Equal("high", match.GetProperty("risk").GetString());
        Assert.Equal(["list", "report"], match.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("type").GetString()).Order());

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var entryId = (await db.Entries.SingleAsync()).Id;
        Assert.Equal(["flagged", "source_added"], await db.EntryHistory.Where(h => h.EntryId == entryId).OrderBy(h => h.Id).Select(h => h.Action).ToListAsync());
        Assert.Equal([ChangeOps.Add, ChangeOps.Update], await db.ChangeLog.Where(c => c.EntryId == entryId).OrderBy(c => c.Version).Select(c => c.Op).ToListAsync());
    }

    [Fact]
    public async Task AcceptingReportsAgainstAClearedEntryIsRefusedAndChangesNothing()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13900000001", "loan_or_card", "high"));
        await ClearByApprovedAppealAsync(app, "+8613900000001");
        var id = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-a", "net-1", "loan_or_card", "Still a scam, I think.");
        var versionBefore = await ListVersionAsync(app);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));
        Assert.Equal("cleared", (await QueueAsync(reviewer, "")).Items.Single().Entry?.Status);

        var problem = await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync($"/v1/reports/{id}/decision", Accept("Looks bad.")), HttpStatusCode.Conflict, ReportReviewProblemCodes.EntryCleared);

        Assert.Contains("only a publisher list can", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("cleared", (await LookupAsync(app, "13900000001")).GetProperty("verdict").GetString());
        Assert.Equal(versionBefore, await ListVersionAsync(app));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal("pending", (await db.Reports.SingleAsync()).Status);
        Assert.False(await db.EntrySources.AnyAsync(s => s.SourceType == "report"));
    }

    [Fact]
    public async Task AcceptingReportsAgainstAProtectedNumberIsRefusedNamingIt()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var id = await InsertReportInsteadOfPostingItAsync(app, "95555", "reporter-a", "net-1", "fake_customer_service", "Pretended to be the bank.");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));
        Assert.NotNull((await QueueAsync(reviewer, "")).Items.Single().Protection);

        var problem = await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync($"/v1/reports/{id}/decision", Accept("Many calls.", "fake_customer_service")), HttpStatusCode.Conflict, "protected_identifier");

        Assert.Contains("95555", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("clear", (await LookupAsync(app, "95555")).GetProperty("verdict").GetString());
        Assert.Single((await QueueAsync(reviewer, "")).Items);
    }

    [Fact]
    public async Task AcceptingReportsAgainstAPublicSuffixIsRefusedButADomainUnderItIsFlagged()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var suffix = await InsertReportInsteadOfPostingItAsync(app, "com.cn", "reporter-a", "net-1", "other", "Everything here is a scam.", IdentifierKind.Domain);
        var domain = await InsertReportInsteadOfPostingItAsync(app, "fake.com.cn", "reporter-b", "net-2", "gambling", "Fake casino.", IdentifierKind.Domain);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));
        var queue = (await QueueAsync(reviewer, "")).Items;
        Assert.Contains("public suffix", queue.Single(i => i.Value == "com.cn").Protection, StringComparison.Ordinal);
        Assert.Null(queue.Single(i => i.Value == "fake.com.cn").Protection);

        var problem = await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync($"/v1/reports/{suffix}/decision", Accept("Many reports.", "other")), HttpStatusCode.Conflict, "protected_identifier");
        var accepted = await reviewer.PostAsJsonAsync($"/v1/reports/{domain}/decision", Accept("Confirmed.", "gambling"));

        Assert.Contains("domain com.cn is a public suffix", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        using var client = app.CreateClient();
        Assert.Equal("clear", (await client.GetFromJsonAsync<JsonElement>("/v1/lookup/domain?value=www.other.com.cn")).GetProperty("verdict").GetString());
        Assert.Equal("flagged", (await client.GetFromJsonAsync<JsonElement>("/v1/lookup/domain?value=www.fake.com.cn")).GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task RejectingWithAReasonMarksEveryPendingReportRejected()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var first = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-a", "net-1", null, "Competitor's number.");
        var second = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-b", "net-1", null, "Same.");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));

        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/reports/{first}/decision", new { decision = "reject" }), HttpStatusCode.BadRequest, ProblemCodes.MissingReason);
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/reports/{first}/decision", new { decision = "accept", reason = "x", risk = "high" }), HttpStatusCode.BadRequest, ReportReviewProblemCodes.MissingCategory);
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/reports/{first}/decision", new { decision = "maybe", reason = "x" }), HttpStatusCode.BadRequest, ProblemCodes.InvalidDecision);
        var response = await reviewer.PostAsJsonAsync($"/v1/reports/{first}/decision", Reject("A business dispute, not fraud."));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = (await response.Content.ReadFromJsonAsync<ReportDecisionResponse>(Json))!;
        Assert.Equal(("rejected", (long?)null, (long?)null), (decision.Decision, decision.EntryId, decision.ListVersion));
        Assert.Equal([first, second], decision.ReportIds);
        Assert.Equal([first, second], (await QueueAsync(reviewer, "?status=rejected")).Items.Single().ReportIds);
        Assert.Empty((await QueueAsync(reviewer, "")).Items);
        Assert.Equal("clear", (await LookupAsync(app, "13900000001")).GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task DecidingReportsThatWereDecidedIsAConflictAndAnUnknownReportIsNotFound()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var id = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-a", "net-1", null, "Scam.");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsJsonAsync($"/v1/reports/{id}/decision", Accept("Confirmed."))).StatusCode);

        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/reports/{id}/decision", Reject("Changed my mind.")), HttpStatusCode.Conflict, ReportReviewProblemCodes.AlreadyDecided);
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/reports/{id + 100}/decision", Accept("?")), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task StatsCountReportsByStatusAndListsPerAgency()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Stats:CacheDuration"] = "00:00:00" });
        await app.PublishAsync("""{"entries":[{"kind":"phone","value":"13800000001","category":"other","risk":"low"},{"kind":"phone","value":"13800000002","category":"other","risk":"low"}]}""", "Shenzhen PSB", "SZ-1");
        await app.PublishAsync("""{"entries":[{"kind":"phone","value":"13800000003","category":"other","risk":"low"}]}""", "Shenzhen PSB", "SZ-2");
        await app.PublishAsync("""{"entries":[{"kind":"phone","value":"13800000004","category":"other","risk":"low"}]}""", "Beijing PSB", "BJ-1");
        var accepted = await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-a", "net-1", null, "One.");
        await InsertReportInsteadOfPostingItAsync(app, "13900000001", "reporter-b", "net-1", null, "Two.");
        var rejected = await InsertReportInsteadOfPostingItAsync(app, "13900000002", "reporter-a", "net-1", null, "Three.");
        await InsertReportInsteadOfPostingItAsync(app, "13900000003", "reporter-c", "net-2", null, "Four.");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsJsonAsync($"/v1/reports/{accepted}/decision", Accept("Confirmed."))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsJsonAsync($"/v1/reports/{rejected}/decision", Reject("Not fraud."))).StatusCode);

        using var json = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/v1/stats"));

        var reports = json.RootElement.GetProperty("reports");
        Assert.Equal(4, reports.GetProperty("received").GetInt32());
        Assert.Equal(3, reports.GetProperty("reporters").GetInt32());
        Assert.Equal(1, reports.GetProperty("pending").GetInt32());
        Assert.Equal(2, reports.GetProperty("accepted").GetInt32());
        Assert.Equal(1, reports.GetProperty("rejected").GetInt32());
        Assert.Equal(3, reports.GetProperty("identifiers").GetInt32());
        Assert.Equal(
            [("Beijing PSB", 1, 1), ("Shenzhen PSB", 2, 3)],
            json.RootElement.GetProperty("lists").GetProperty("perAgency").EnumerateArray()
                .Select(a => (a.GetProperty("agency").GetString(), a.GetProperty("lists").GetInt32(), a.GetProperty("entries").GetInt32())));
    }

    private static object Accept(string reason, string category = "task_brushing", string risk = "medium") =>
        new { decision = "accept", category, risk, reason };

    private static object Reject(string reason) => new { decision = "reject", reason };

    /// <summary>
    /// Stands in for <c>POST /v1/reports</c>, written in parallel: one report row as submission stores it (canonical value,
    /// hashed reporter and network). Swap for the HTTP call once both are merged.
    /// </summary>
    [Fact]
    public async Task ReportsFromManyPeopleAreASignalUntilAReviewerAcceptsThemAndThenTheNumberIsFlagged()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["RateLimiting:TrustedProxies:0"] = "127.0.0.1" });
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));

        // Six people on six networks report the same caller, one of them twice, in different spellings.
        foreach (var (address, spelling) in new[]
        {
            ("203.0.113.7", "+86 170 1234 5678"), ("198.51.100.9", "17012345678"), ("192.0.2.44", "0086 170-1234-5678"),
            ("203.0.114.8", "17012345678"), ("198.51.101.3", "１７０１２３４５６７８"), ("192.0.3.5", "17012345678"), ("203.0.113.7", "17012345678"),
        })
        {
            using var person = app.CreateClient();
            person.DefaultRequestHeaders.Add("X-Forwarded-For", address);
            var sent = await person.PostAsJsonAsync("/v1/reports", new
            {
                kind = "phone",
                value = spelling,
                category = "impersonating_authorities",
                description = "Said he was from the police and that my bank card was used for money laundering.",
            });
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        await app.Services.GetRequiredService<ReportIndex>().RefreshAsync();
        var before = await LookupAsync(app, "17012345678");
        Assert.Equal("clear", before.GetProperty("verdict").GetString()); // reports never flag on their own
        Assert.Equal(6, before.GetProperty("reports").GetProperty("count").GetInt32());

        var group = Assert.Single((await QueueAsync(reviewer, "")).Items);
        Assert.Equal((6, 7, true), (group.Reporters, group.Times, group.Burst));
        var decided = await reviewer.PostAsJsonAsync($"/v1/reports/{group.ReportIds[0]}/decision", new
        {
            decision = "accept", category = "impersonating_authorities", risk = "high", reason = "Six independent reports of the same script",
        });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        var after = await LookupAsync(app, "+8617012345678");
        Assert.Equal("flagged", after.GetProperty("verdict").GetString());
        var sources = after.GetProperty("matches")[0].GetProperty("sources").EnumerateArray().ToList();
        Assert.Equal(6, sources.Count);
        Assert.All(sources, source => Assert.Equal("report", source.GetProperty("type").GetString()));
        Assert.Empty((await QueueAsync(reviewer, "")).Items);
    }

    private static async Task<long> InsertReportInsteadOfPostingItAsync(
        FlagApiFactory app, string value, string reporter, string network, string? category, string description,
        IdentifierKind kind = IdentifierKind.Phone, int times = 1)
    {
        var canonical = Identifier.Canonicalize(kind, value);
        Assert.True(canonical.IsValid, canonical.ToString());
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var report = new Report
        {
            Kind = kind,
            Value = Matching.EntryKey(kind, canonical.Value!),
            Query = value,
            Category = category is null ? null : WireNames.Parse<Category>(category),
            Description = description,
            ReporterHash = AppealSecrets.Hash(reporter),
            ReporterType = "anonymous",
            NetworkHash = AppealSecrets.Hash(network),
            Times = times,
            CreatedAt = now,
            LastAt = now,
            Status = "pending",
        };
        db.Reports.Add(report);
        await db.SaveChangesAsync();
        return report.Id;
    }

    /// <summary>Clears an entry the way an approved appeal does.</summary>
    private static async Task ClearByApprovedAppealAsync(FlagApiFactory app, string canonicalPhone)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var entry = await db.Entries.SingleAsync(e => e.Kind == IdentifierKind.Phone && e.Value == canonicalPhone);
            var appeal = new Appeal
            {
                TrackingCode = AppealSecrets.NewTrackingCode(),
                TokenHash = AppealSecrets.Hash(AppealSecrets.NewAccessToken()),
                EntryId = entry.Id,
                Kind = IdentifierKind.Phone,
                Value = canonicalPhone,
                Query = canonicalPhone,
                AppellantName = "Zhang Wei",
                AppellantContact = "+86 139 0000 0000",
                ContactHash = AppealSecrets.ContactHash("+86 139 0000 0000"),
                Statement = "It is my own number.",
                Status = AppealStatus.Submitted,
                CreatedAt = now,
                DueBy = now.AddHours(72),
                Revision = 1,
            };
            db.Appeals.Add(appeal);
            await db.SaveChangesAsync();
            var result = await scope.ServiceProvider.GetRequiredService<AppealDecisionWriter>()
                .DecideAsync(new AppealDecision(appeal.Id, null, true, "Owner verified with the carrier.", Verification.CarrierRealName, null, "test"));
            Assert.Equal(AppealDecisionStatus.Decided, result.Status);
        }

        await app.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
    }

    private static async Task<long> ListVersionAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlagDbContext>().ListState.Select(s => s.Version).SingleAsync();
    }

    private static async Task<ReportQueuePage> QueueAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/v1/reports" + query);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ReportQueuePage>(Json))!;
    }

    private static async Task<JsonElement> LookupAsync(FlagApiFactory app, string number)
    {
        using var client = app.CreateClient();
        using var json = JsonDocument.Parse(await client.GetStringAsync($"/v1/lookup/phone?value={number}"));
        return json.RootElement.Clone();
    }
}
