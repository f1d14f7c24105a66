using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Feed;
using FlagApi.Lists;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

/// <summary>
/// Issue 23, items 4 and 5: a reissued number's new owner, appeals closed as resolved when their entry stops being
/// flagged, and what a rejected appellant is told.
/// </summary>
public abstract class AppealFlowTests(DatabaseTarget target)
{
    private const string Number = "13800138000";
    private const string Canonical = "+8613800138000";
    private static readonly JsonSerializerOptions Json = FlagApiFactory.ApiJson;

    [Fact]
    public async Task ApprovingOneAppealResolvesTheOtherOpenAppealsOnTheEntryAndTheirAppellantsSeeWhy()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, "Beijing PSB", "2026-W11", null, Number);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer", name: "Li"));
        var first = await FileAsync(app, "first@example.com");
        var second = await FileAsync(app, "second@example.com");
        var third = await FileAsync(app, "third@example.com");
        await WithdrawAsync(app, third);

        var approved = await DecideAsync(reviewer, first.Id, new { decision = "approve", reason = "Owner showed ID", verification = "in_person_id" });

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var view = await ViewAsync(app, second);
        Assert.Equal("resolved", view.GetProperty("status").GetString());
        var decision = view.GetProperty("decision");
        Assert.Equal("resolved", decision.GetProperty("outcome").GetString());
        Assert.Equal(OpenAppealResolver.Reason(FlagEnd.AppealApproved, "zh"), decision.GetProperty("reason").GetString());
        Assert.False(decision.TryGetProperty("appealAgainAt", out _));
        var resolved = view.GetProperty("history").EnumerateArray().Last();
        Assert.Equal(("resolved", "submitted", "resolved"), (resolved.GetProperty("action").GetString(), resolved.GetProperty("from").GetString(), resolved.GetProperty("to").GetString()));
        Assert.Equal("withdrawn", (await ViewAsync(app, third)).GetProperty("status").GetString());

        // The reviewer sees the same event, by the reviewer who cleared the entry, in the same transaction as the clearing.
        var detail = await reviewer.GetFromJsonAsync<ReviewAppealDetail>($"/v1/review/appeals/{second.Id}", Json);
        var resolvedEvent = detail!.Events[^1];
        Assert.Equal(("resolved", AppealStatus.Submitted, AppealStatus.Resolved), (resolvedEvent.Action, resolvedEvent.FromStatus, resolvedEvent.ToStatus));
        Assert.Matches(@"^key \d+ \(Li\)$", resolvedEvent.Actor);
        Assert.Equal(AppealStatus.Resolved, detail.Decision!.Outcome);
    }

    [Fact]
    public async Task AResolvedAppellantMayAppealAgainWhenALaterListFlagsTheNumber()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, "Beijing PSB", "2026-W11", null, Number);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var first = await FileAsync(app, "first@example.com");
        var second = await FileAsync(app, "second@example.com");
        await DecideAsync(reviewer, first.Id, new { decision = "approve", reason = "Owner showed ID", verification = "in_person_id" });

        using var client = app.CreateClient();
        await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/appeals", Request("second@example.com")), HttpStatusCode.Conflict, "not_flagged");
        await PublishAsync(app, "Shanghai PSB", "2026-W12", null, Number);
        var again = await client.PostAsJsonAsync("/v1/appeals", Request("second@example.com"));

        // A new appeal, not the resolved one: one open appeal per contact counts only open ones.
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var code = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("trackingCode").GetString();
        Assert.NotEqual(second.Code, code);
        Assert.Equal("resolved", (await ViewAsync(app, second)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task RetractingTheListThatAloneFlaggedTheNumberResolvesItsOpenAppeals()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var listId = await PublishAsync(app, "Beijing PSB", "2026-W11", null, Number);
        var kept = await PublishAsync(app, "Beijing PSB", "2026-W11-b", null, "13900000001");
        await PublishAsync(app, "Shanghai PSB", "2026-W12", null, "13900000001");
        var appeal = await FileAsync(app, "first@example.com");
        var other = await FileAsync(app, "first@example.com", "13900000001");
        using var admin = app.CreateClient(await app.CreateKeyAsync("admin"));

        var retracted = await admin.PostAsJsonAsync($"/v1/batches/{listId}/retract", new { reason = "Published by mistake" });
        var keptRetracted = await admin.PostAsJsonAsync($"/v1/batches/{kept}/retract", new { reason = "Published by mistake" });

        Assert.Equal(HttpStatusCode.OK, retracted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keptRetracted.StatusCode);
        var view = await ViewAsync(app, appeal);
        Assert.Equal("resolved", view.GetProperty("status").GetString());
        Assert.Equal(OpenAppealResolver.Reason(FlagEnd.ListRetracted, "zh"), view.GetProperty("decision").GetProperty("reason").GetString());

        // Still flagged by the Shanghai list: nothing resolved the appeal against it.
        Assert.Equal("submitted", (await ViewAsync(app, other)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnExpiredFlagResolvesItsOpenAppeals()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var expires = app.Clock.GetUtcNow().AddDays(1).ToString("O", CultureInfo.InvariantCulture);
        await app.PublishAsync($$"""{"entries":[{"kind":"phone","value":"{{Number}}","category":"other","risk":"low","expiresAt":"{{expires}}"}]}""");
        var appeal = await FileAsync(app, "first@example.com");
        app.Clock.Advance(TimeSpan.FromDays(2));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<EntryLedger>().ExpireDueAsync());
        }

        var view = await ViewAsync(app, appeal);
        Assert.Equal("resolved", view.GetProperty("status").GetString());
        Assert.Equal(OpenAppealResolver.Reason(FlagEnd.Expired, "zh"), view.GetProperty("decision").GetProperty("reason").GetString());
        var events = await EventsAsync(app, appeal.Id);
        Assert.Equal((EntryLedger.ExpiryActor, AppealStatus.Resolved), (events[^1].Actor, events[^1].ToStatus));
    }

    [Fact]
    public async Task ARejectedAppellantSeesWhenTheyMayAppealAgainAndWhatWouldChangeTheDecision()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, "Beijing PSB", "2026-W11", null, Number, "13900000001");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var told = await FileAsync(app, "first@example.com");
        var defaulted = await FileAsync(app, "first@example.com", "13900000001");

        var rejected = await DecideAsync(reviewer, told.Id, new
        {
            decision = "reject", reason = "The bill is in another name.", whatWouldChange = "A real-name certificate from China Mobile in your name.",
        });
        await DecideAsync(reviewer, defaulted.Id, new { decision = "reject", reason = "No evidence." });

        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var decision = (await ViewAsync(app, told)).GetProperty("decision");
        Assert.Equal("A real-name certificate from China Mobile in your name.", decision.GetProperty("whatWouldChange").GetString());
        var decidedAt = decision.GetProperty("decidedAt").GetDateTime();
        Assert.Equal(decidedAt + TimeSpan.FromDays(30), decision.GetProperty("appealAgainAt").GetDateTime());
        var fallback = (await ViewAsync(app, defaulted)).GetProperty("decision");
        Assert.Equal(RejectionGuidance.Default(Identifiers.IdentifierKind.Phone, "zh"), fallback.GetProperty("whatWouldChange").GetString());
        var detail = await reviewer.GetFromJsonAsync<ReviewAppealDetail>($"/v1/review/appeals/{told.Id}", Json);
        Assert.Equal("A real-name certificate from China Mobile in your name.", detail!.Decision!.WhatWouldChange);

        var approveWithIt = await DecideAsync(reviewer, (await FileAsync(app, "second@example.com")).Id,
            new { decision = "approve", reason = "ok", verification = "callback", whatWouldChange = "nothing" });
        await Problem.AssertAsync(approveWithIt, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Fact]
    public async Task AnOwnerSinceDateIsCheckedWhenFiled()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        await PublishAsync(app, "Beijing PSB", "2026-W11", today.AddDays(-40), Number);
        using var client = app.CreateClient();

        await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/appeals", Request("a@example.com", ownerSince: "01/03/2026")), HttpStatusCode.BadRequest, "invalid_owner_since");
        await Problem.AssertAsync(
            await client.PostAsJsonAsync("/v1/appeals", Request("a@example.com", ownerSince: Day(today.AddDays(2)))), HttpStatusCode.BadRequest, "invalid_owner_since");
        await Problem.AssertAsync(
            await client.PostAsJsonAsync("/v1/appeals", Request("a@example.com", ownerSince: Day(today.AddDays(-40)))), HttpStatusCode.Conflict, "flag_not_older_than_ownership");
        var filed = await client.PostAsJsonAsync("/v1/appeals", Request("a@example.com", ownerSince: Day(today.AddDays(-39))));

        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var created = JsonDocument.Parse(await filed.Content.ReadAsStringAsync()).RootElement;
        var appeal = new Filed(created.GetProperty("id").GetInt64(), created.GetProperty("trackingCode").GetString()!, created.GetProperty("accessToken").GetString()!);
        Assert.Equal(Day(today.AddDays(-39)), (await ViewAsync(app, appeal)).GetProperty("ownerSince").GetString());
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var detail = await reviewer.GetFromJsonAsync<ReviewAppealDetail>($"/v1/review/appeals/{appeal.Id}", Json);
        Assert.Equal(today.AddDays(-39), detail!.OwnerSince);
    }

    [Fact]
    public async Task AVerifiedNewOwnerClearsEveryOlderSourceInOneDecisionAndALaterListFlagsTheNumberAgain()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        var ownerSince = today.AddDays(-30);
        await PublishAsync(app, "Beijing PSB", "2026-W11", today.AddDays(-200), Number);
        await PublishAsync(app, "Shanghai PSB", "2026-W11-b", today.AddDays(-100), Number);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        using var feedApp = app.CreateClient(await app.CreateKeyAsync("app"));
        var since = await FeedVersionAsync(feedApp);
        var appeal = await FileAsync(app, "new.owner@example.com", ownerSince: Day(ownerSince));
        var other = await FileAsync(app, "old.owner@example.com");

        var approved = await DecideAsync(reviewer, appeal.Id, new
        {
            decision = "approve", reason = "Activation record shows the number was issued to the appellant.", verification = "carrier_real_name", ownerSince = Day(ownerSince),
        });

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var lookup = await LookupAsync(app);
        Assert.Equal((Verdict.Cleared, false), (lookup.Verdict, lookup.Flagged));
        var removal = Assert.Single((await ChangesAsync(feedApp, since)).Changes);
        Assert.Equal(("remove", Canonical), (removal.Op, removal.Value));
        var decision = (await ViewAsync(app, appeal)).GetProperty("decision");
        Assert.Equal(("approved", Day(ownerSince), false),
            (decision.GetProperty("outcome").GetString(), decision.GetProperty("ownerSince").GetString(), decision.GetProperty("stillFlagged").GetBoolean()));
        Assert.Equal("resolved", (await ViewAsync(app, other)).GetProperty("status").GetString());
        Assert.Equal(OpenAppealResolver.Reason(FlagEnd.NewOwner, "zh"), (await ViewAsync(app, other)).GetProperty("decision").GetProperty("reason").GetString());

        var entry = (await reviewer.GetFromJsonAsync<ReviewAppealDetail>($"/v1/review/appeals/{appeal.Id}", Json))!.Entry;
        var cleared = entry.History[^1];
        Assert.Equal("cleared", cleared.Action);
        Assert.Contains($"new owner since {Day(ownerSince)}, verified by carrier_real_name", cleared.Reason, StringComparison.Ordinal);
        Assert.All(entry.Sources, s => Assert.NotNull(s.RemovedAt));

        // A list published after the decision flags the number again as usual, with only its own source.
        var afterDecision = await FeedVersionAsync(feedApp);
        await PublishAsync(app, "Guangzhou PSB", "2026-W12", null, Number);
        var reflagged = await LookupAsync(app);
        Assert.Equal((Verdict.Flagged, true), (reflagged.Verdict, reflagged.Flagged));
        Assert.Equal(["Guangzhou PSB 2026-W12"], reflagged.Matches.Single().Sources.Select(s => s.Label));
        var added = Assert.Single((await ChangesAsync(feedApp, afterDecision)).Changes);
        Assert.Equal(("add", Canonical), (added.Op, added.Value));
    }

    [Fact]
    public async Task ANewOwnerApprovalLeavesTheNumberFlaggedBySourcesNewerThanTheOwnershipAndSaysSo()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        var ownerSince = today.AddDays(-30);
        await PublishAsync(app, "Beijing PSB", "2026-W11", today.AddDays(-200), Number);

        // Uploaded today with no date of its own: it counts from today, after the new owner's date.
        await PublishAsync(app, "Shanghai PSB", "2026-W12", null, Number);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        using var feedApp = app.CreateClient(await app.CreateKeyAsync("app"));
        var since = await FeedVersionAsync(feedApp);
        var appeal = await FileAsync(app, "new.owner@example.com", ownerSince: Day(ownerSince));
        var other = await FileAsync(app, "someone@example.com");

        var approved = await DecideAsync(reviewer, appeal.Id, new
        {
            decision = "approve", reason = "Activation record checked.", verification = "carrier_real_name", ownerSince = Day(ownerSince),
        });

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var lookup = await LookupAsync(app);
        Assert.Equal((Verdict.Flagged, true), (lookup.Verdict, lookup.Flagged));
        Assert.Equal(["Shanghai PSB 2026-W12"], lookup.Matches.Single().Sources.Select(s => s.Label));
        var update = Assert.Single((await ChangesAsync(feedApp, since)).Changes);
        Assert.Equal(("update", Canonical), (update.Op, update.Value));
        var decision = (await ViewAsync(app, appeal)).GetProperty("decision");
        Assert.Equal(("approved", true), (decision.GetProperty("outcome").GetString(), decision.GetProperty("stillFlagged").GetBoolean()));
        Assert.Equal("submitted", (await ViewAsync(app, other)).GetProperty("status").GetString());
        var detail = (await reviewer.GetFromJsonAsync<ReviewAppealDetail>($"/v1/review/appeals/{appeal.Id}", Json))!;
        Assert.Equal((ownerSince, 1), (detail.Decision!.OwnerSince!.Value, detail.Decision.SourcesKept!.Value));
        var history = detail.Entry.History[^1];
        Assert.Equal("source_removed", history.Action);
        Assert.Contains($"new owner since {Day(ownerSince)}, verified by carrier_real_name", history.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReviewersOwnerSinceMustBeAfterAFlagAndOnlyApproves()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        await PublishAsync(app, "Beijing PSB", "2026-W11", today.AddDays(-10), Number);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var appeal = await FileAsync(app, "new.owner@example.com");

        await Problem.AssertAsync(
            await DecideAsync(reviewer, appeal.Id, new { decision = "approve", reason = "r", verification = "carrier_real_name", ownerSince = Day(today.AddDays(-10)) }),
            HttpStatusCode.Conflict, "flag_not_older_than_ownership");
        await Problem.AssertAsync(
            await DecideAsync(reviewer, appeal.Id, new { decision = "reject", reason = "r", ownerSince = Day(today.AddDays(-5)) }),
            HttpStatusCode.BadRequest, "invalid_owner_since");
        await Problem.AssertAsync(
            await DecideAsync(reviewer, appeal.Id, new { decision = "approve", reason = "r", verification = "carrier_real_name", ownerSince = "soon" }),
            HttpStatusCode.BadRequest, "invalid_owner_since");

        // Nothing was written by the refusals: the appeal is still open and the number flagged.
        Assert.Equal("submitted", (await ViewAsync(app, appeal)).GetProperty("status").GetString());
        Assert.True((await LookupAsync(app)).Flagged);
    }

    private sealed record Filed(long Id, string Code, string Token);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<long> PublishAsync(FlagApiFactory app, string agency, string reference, DateOnly? publishedOn, params string[] numbers)
    {
        var json = JsonSerializer.Serialize(new { entries = numbers.Select(n => new { kind = "phone", value = n, category = "impersonating_authorities", risk = "high" }) });
        ImportOutcome outcome;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<ListImporter>();
            outcome = await importer.ImportAsync(
                ListFile.ReadJson(System.Text.Encoding.UTF8.GetBytes(json)), new ListSubmission(agency, reference, "Test list", "import", "test", publishedOn));
        }

        Assert.True(outcome.Result is not null, "the test list should publish");
        await app.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
        return outcome.Result!.ListId;
    }

    private static object Request(string contact, string number = Number, string? ownerSince = null) => new
    {
        kind = "phone",
        value = number,
        appellant = new { name = "Zhang Wei", contact },
        statement = "This is my own number.",
        ownerSince,
    };

    private static async Task<Filed> FileAsync(FlagApiFactory app, string contact, string number = Number, string? ownerSince = null)
    {
        using var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/v1/appeals", Request(contact, number, ownerSince));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /v1/appeals answered {(int)response.StatusCode}: {body}");
        var created = JsonDocument.Parse(body).RootElement;
        return new Filed(created.GetProperty("id").GetInt64(), created.GetProperty("trackingCode").GetString()!, created.GetProperty("accessToken").GetString()!);
    }

    private static async Task WithdrawAsync(FlagApiFactory app, Filed appeal)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/appeals/{appeal.Code}/withdraw") { Content = JsonContent.Create(new { reason = "done" }) };
        request.Headers.Add(AppellantEndpoints.TokenHeader, appeal.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
    }

    private static async Task<JsonElement> ViewAsync(FlagApiFactory app, Filed appeal)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/appeals/{appeal.Code}");
        request.Headers.Add(AppellantEndpoints.TokenHeader, appeal.Token);
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /v1/appeals/{appeal.Code} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<HttpResponseMessage> DecideAsync(HttpClient reviewer, long id, object body)
    {
        var etag = (await reviewer.GetAsync($"/v1/review/appeals/{id}")).Headers.ETag!.ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/review/appeals/{id}/decision") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return await reviewer.SendAsync(request);
    }

    private static async Task<List<AppealEvent>> EventsAsync(FlagApiFactory app, long appealId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlagDbContext>().AppealEvents.AsNoTracking()
            .Where(e => e.AppealId == appealId).OrderBy(e => e.Id).ToListAsync();
    }

    private static async Task<LookupResponse> LookupAsync(FlagApiFactory app)
    {
        await app.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
        using var client = app.CreateClient();
        return (await client.GetFromJsonAsync<LookupResponse>($"/v1/lookup/phone?value={Number}", Json))!;
    }

    private static async Task<long> FeedVersionAsync(HttpClient feedApp) => (await ChangesAsync(feedApp, 0)).ToVersion;

    private static async Task<FeedChangesResponse> ChangesAsync(HttpClient feedApp, long since) =>
        (await feedApp.GetFromJsonAsync<FeedChangesResponse>($"/v1/feed/changes?since={since}&limit=10000", Json))!;
}
