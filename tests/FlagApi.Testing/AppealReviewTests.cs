using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class AppealReviewTests(DatabaseTarget target)
{
    private const string Beijing = "Beijing PSB";
    private const string Shanghai = "Shanghai PSB";
    private static readonly JsonSerializerOptions Json = FlagApiFactory.ApiJson;

    [Fact]
    public async Task QueueNeedsAReviewerKey()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var anonymous = app.CreateClient();
        using var appKey = app.CreateClient(await app.CreateKeyAsync("app"));

        await Problem.AssertAsync(await anonymous.GetAsync("/v1/review/appeals"), HttpStatusCode.Unauthorized, "missing_api_key");
        await Problem.AssertAsync(await appKey.GetAsync("/v1/review/appeals"), HttpStatusCode.Forbidden, "wrong_role");
        await Problem.AssertAsync(await appKey.GetAsync("/v1/review/appeals/1"), HttpStatusCode.Forbidden, "wrong_role");
        await Problem.AssertAsync(
            await anonymous.PostAsJsonAsync("/v1/review/appeals/1/decision", new { decision = "reject", reason = "no" }), HttpStatusCode.Unauthorized, "missing_api_key");
    }

    [Fact]
    public async Task TheFirstReviewerRoutesStillAnswerAsBeforeAndNameTheirDeprecationAndSuccessor()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var current = await reviewer.GetAsync($"/v1/review/appeals/{id}");
        var old = await reviewer.GetAsync($"/v1/appeals/{id}");

        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(await current.Content.ReadAsStringAsync(), await old.Content.ReadAsStringAsync());
        Assert.Equal(current.Headers.ETag, old.Headers.ETag);
        Assert.False(current.Headers.Contains("Deprecation"));
        Assert.Equal("@" + ReviewEndpoints.DeprecatedRoutesSince.ToUnixTimeSeconds(), old.Headers.GetValues("Deprecation").Single());
        Assert.Equal(ReviewEndpoints.DeprecatedRoutesSunset.ToString("R"), old.Headers.GetValues("Sunset").Single());
        Assert.Equal($"</v1/review/appeals/{id}>; rel=\"successor-version\"", old.Headers.GetValues("Link").Single());

        using var decide = new HttpRequestMessage(HttpMethod.Post, $"/v1/appeals/{id}/decision")
        {
            Content = JsonContent.Create(new { decision = "reject", reason = "The number called victims." }),
        };
        decide.Headers.IfMatch.Add(old.Headers.ETag!);
        var decided = await reviewer.SendAsync(decide);
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal($"</v1/review/appeals/{id}/decision>; rel=\"successor-version\"", decided.Headers.GetValues("Link").Single());
        Assert.Equal(AppealStatus.Rejected, (await decided.Content.ReadFromJsonAsync<ReviewAppealDetail>(Json))!.Status);

        // A refusal on an old route says so too, and the document no longer lists the old routes.
        using var appKey = app.CreateClient(await app.CreateKeyAsync("app"));
        var refused = await appKey.GetAsync("/v1/appeals");
        await Problem.AssertAsync(refused, HttpStatusCode.Forbidden, "wrong_role");
        Assert.Equal("</v1/review/appeals>; rel=\"successor-version\"", refused.Headers.GetValues("Link").Single());
        var document = await reviewer.GetStringAsync("/openapi/v1.json");
        Assert.DoesNotContain("\"/v1/appeals/{id}", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueShowsTheAppealWithWhoAppealedAndTheListsThatFlaggedIt()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var listId = await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var page = await QueueAsync(reviewer, "");

        var item = Assert.Single(page.Items);
        Assert.Equal((id, "phone", "+8613800138000", AppealStatus.Submitted, false), (item.Id, item.Kind, item.Value, item.Status, item.Overdue));
        Assert.Equal(Data.Category.ImpersonatingAuthorities, item.Category);
        Assert.Equal([listId], item.ListIds);
        Assert.Equal(new Appellant("Zhang Wei", "+86 139 0000 0000"), item.Appellant);
        Assert.StartsWith("AP-", item.TrackingCode, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetailCarriesTheEntryWithItsSourcesEventsAttachmentsAndAnETag()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000", attachment: ("bill.pdf", "application/pdf", "%PDF-1.4 test"u8.ToArray()));
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var response = await reviewer.GetAsync($"/v1/review/appeals/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var appeal = (await response.Content.ReadFromJsonAsync<ReviewAppealDetail>(Json))!;
        Assert.Equal(AppealSecrets.ETag(appeal.Revision), response.Headers.ETag?.ToString());
        Assert.Equal("It is my own number.", appeal.Statement);
        Assert.Equal("+8613800138000", appeal.Entry.Value);
        Assert.Equal(Beijing + " b1", Assert.Single(appeal.Entry.Sources).Label);
        Assert.Equal("submitted", Assert.Single(appeal.Events).Action);
        var attachment = Assert.Single(appeal.Attachments);

        var download = await reviewer.GetAsync($"/v1/review/appeals/{id}/attachments/{attachment.Id}");

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("%PDF-1.4 test"u8.ToArray(), await download.Content.ReadAsByteArrayAsync());
        await Problem.AssertAsync(await reviewer.GetAsync($"/v1/review/appeals/{id}/attachments/{attachment.Id + 100}"), HttpStatusCode.NotFound, "not_found");
        await Problem.AssertAsync(await reviewer.GetAsync($"/v1/review/appeals/{id + 100}"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task AssignMovesASubmittedAppealIntoReviewAndRecordsWhoTookIt()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer", name: "Li"));

        var response = await reviewer.PostAsync($"/v1/review/appeals/{id}/assign", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var appeal = (await response.Content.ReadFromJsonAsync<ReviewAppealDetail>(Json))!;
        Assert.Equal(AppealStatus.InReview, appeal.Status);
        Assert.Matches(@"^key \d+ \(Li\)$", appeal.AssignedTo);
        var assigned = appeal.Events[^1];
        Assert.Equal(("assigned", AppealStatus.Submitted, AppealStatus.InReview), (assigned.Action, assigned.FromStatus, assigned.ToStatus));
        Assert.Equal(AppealSecrets.ETag(appeal.Revision), response.Headers.ETag?.ToString());

        var handed = (await (await reviewer.PostAsJsonAsync($"/v1/review/appeals/{id}/assign", new { reviewer = "Wang" })).Content.ReadFromJsonAsync<ReviewAppealDetail>(Json))!;
        Assert.Equal("Wang", handed.AssignedTo);
        Assert.Equal(id, Assert.Single((await QueueAsync(reviewer, "?assignedTo=Wang")).Items).Id);
        Assert.Empty((await QueueAsync(reviewer, "?assignedTo=Zhao")).Items);
    }

    [Fact]
    public async Task RequestForInformationWaitsForTheAppellantWithAPublicMessage()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/review/appeals/{id}/request-info", new { message = " " }), HttpStatusCode.BadRequest, "missing_message");
        var response = await reviewer.PostAsJsonAsync($"/v1/review/appeals/{id}/request-info", new { message = "Send a photo of your SIM contract." });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var appeal = (await response.Content.ReadFromJsonAsync<ReviewAppealDetail>(Json))!;
        Assert.Equal(AppealStatus.NeedsInfo, appeal.Status);
        Assert.Equal(("info_requested", "Send a photo of your SIM contract."), (appeal.Events[^1].Action, appeal.Events[^1].PublicMessage));
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/review/appeals/{id}/assign", new { }), HttpStatusCode.Conflict, "invalid_transition");
        await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync($"/v1/review/appeals/{id}/request-info", new { message = "Again?" }), HttpStatusCode.Conflict, "invalid_transition");
    }

    [Fact]
    public async Task DecisionWithoutIfMatchIsRefusedAndAStaleOneIsPreconditionFailed()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var etag = await ETagAsync(reviewer, id);

        await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync($"/v1/review/appeals/{id}/decision", new { decision = "reject", reason = "No proof" }),
            HttpStatusCode.PreconditionRequired, "precondition_required");
        await reviewer.PostAsJsonAsync($"/v1/review/appeals/{id}/assign", new { });
        await Problem.AssertAsync(await DecideAsync(reviewer, id, etag, "reject", "No proof"), HttpStatusCode.PreconditionFailed, "stale_appeal");
        await Problem.AssertAsync(await DecideAsync(reviewer, id, "\"abc\"", "reject", "No proof"), HttpStatusCode.PreconditionFailed, "stale_appeal");

        Assert.Equal(AppealStatus.InReview, (await DetailAsync(reviewer, id)).Status);
    }

    [Fact]
    public async Task DecisionChecksItsDecisionReasonAndVerification()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var etag = await ETagAsync(reviewer, id);

        await Problem.AssertAsync(await DecideAsync(reviewer, id, etag, "maybe", "Hmm"), HttpStatusCode.BadRequest, "invalid_decision");
        await Problem.AssertAsync(await DecideAsync(reviewer, id, etag, "reject", "  "), HttpStatusCode.BadRequest, "missing_reason");
        await Problem.AssertAsync(await DecideAsync(reviewer, id, etag, "approve", "Owner"), HttpStatusCode.BadRequest, "missing_verification");
        await Problem.AssertAsync(await DecideAsync(reviewer, id, etag, "approve", "Owner", "gut_feeling"), HttpStatusCode.BadRequest, "invalid_verification");
        await Problem.AssertAsync(await DecideAsync(reviewer, id + 100, etag, "reject", "No"), HttpStatusCode.NotFound, "not_found");

        Assert.Equal(AppealStatus.Submitted, (await DetailAsync(reviewer, id)).Status);
    }

    [Fact]
    public async Task ApprovalClearsTheEntryForLookupsTheFeedAndItsHistory()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer", name: "Li"));

        var response = await DecideAsync(reviewer, id, await ETagAsync(reviewer, id), "approve", "Carrier confirms the owner since 2015", "carrier_real_name", "called China Mobile");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var appeal = (await response.Content.ReadFromJsonAsync<ReviewAppealDetail>(Json))!;
        Assert.Equal(AppealStatus.Approved, appeal.Status);
        Assert.Equal((AppealStatus.Approved, "Carrier confirms the owner since 2015", Verification.CarrierRealName, "called China Mobile"),
            (appeal.Decision!.Outcome, appeal.Decision.Reason, appeal.Decision.Verification, appeal.Decision.VerificationNote));
        Assert.Equal(("approved", "called China Mobile"), (appeal.Events[^1].Action, appeal.Events[^1].InternalNote));
        Assert.Equal(Data.EntryStatus.Cleared, appeal.Entry.Status);
        var cleared = appeal.Entry.History[^1];
        Assert.Equal("cleared", cleared.Action);
        Assert.Equal($"Appeal {appeal.TrackingCode} approved: Carrier confirms the owner since 2015", cleared.Reason);
        Assert.Equal("active", cleared.Before!.Value.GetProperty("status").GetString());
        Assert.Equal("cleared", cleared.After.GetProperty("status").GetString());
        Assert.Equal(Verdict.Cleared, (await LookupAsync(app, "13800138000")).Verdict);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var change = await db.ChangeLog.OrderByDescending(c => c.Version).FirstAsync();
        Assert.Equal((ChangeOps.Remove, Data.EntryStatus.Cleared, "+8613800138000"), (change.Op, change.Status, change.Value));
        Assert.Equal(change.Version, (await db.ListState.SingleAsync()).Version);
        Assert.Equal(change.Version, appeal.Entry.Version);
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "appeal.approved" && a.SubjectType == "appeal"));
        Assert.DoesNotContain(await db.AuditLog.Select(a => a.Detail ?? "").ToListAsync(), d => d.Contains("139 0000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListNamingAClearedEntryAgainFlagsItAndItsHistoryShowsIt()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        await DecideAsync(reviewer, id, await ETagAsync(reviewer, id), "approve", "Owner verified", "callback");

        await PublishAsync(app, Beijing, "b2", "13800138000");

        Assert.Equal(Verdict.Flagged, (await LookupAsync(app, "13800138000")).Verdict);
        var history = (await DetailAsync(reviewer, id)).Entry.History;
        Assert.Equal(["flagged", "cleared", "reflagged"], history.Select(h => h.Action));
    }

    [Fact]
    public async Task RejectionLeavesTheEntryFlaggedAndRecordsThePublicReason()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var response = await DecideAsync(reviewer, id, await ETagAsync(reviewer, id), "reject", "Police confirmed the number called victims in May");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var appeal = (await response.Content.ReadFromJsonAsync<ReviewAppealDetail>(Json))!;
        Assert.Equal(AppealStatus.Rejected, appeal.Status);
        Assert.Equal(("rejected", "Police confirmed the number called victims in May"), (appeal.Events[^1].Action, appeal.Events[^1].PublicMessage));
        Assert.Null(appeal.Decision!.Verification);
        Assert.Equal(Data.EntryStatus.Active, appeal.Entry.Status);
        Assert.Equal("appeal_rejected", appeal.Entry.History[^1].Action);
        Assert.Equal(Verdict.Flagged, (await LookupAsync(app, "13800138000")).Verdict);
    }

    [Fact]
    public async Task DecidingAWithdrawnOrDecidedAppealIsAConflict()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000", "13800138001");
        var withdrawn = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000", status: AppealStatus.Withdrawn);
        var decided = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138001");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        await Problem.AssertAsync(await DecideAsync(reviewer, withdrawn, await ETagAsync(reviewer, withdrawn), "reject", "No"), HttpStatusCode.Conflict, "invalid_transition");
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/review/appeals/{withdrawn}/assign", new { }), HttpStatusCode.Conflict, "invalid_transition");
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(reviewer, decided, await ETagAsync(reviewer, decided), "reject", "No proof")).StatusCode);
        await Problem.AssertAsync(
            await DecideAsync(reviewer, decided, await ETagAsync(reviewer, decided), "approve", "Yes after all", "callback"), HttpStatusCode.Conflict, "invalid_transition");
        await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync($"/v1/review/appeals/{decided}/request-info", new { message = "More?" }), HttpStatusCode.Conflict, "invalid_transition");

        Assert.Equal(AppealStatus.Rejected, (await DetailAsync(reviewer, decided)).Status);
        Assert.Equal(AppealStatus.Withdrawn, (await DetailAsync(reviewer, withdrawn)).Status);
    }

    [Fact]
    public async Task TwoReviewersDecidingTheSameViewAtOnceOneWinsAndTheOtherIsStale()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, Beijing, "b1", "13800138000");
        var id = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        using var first = app.CreateClient(await app.CreateKeyAsync("reviewer", name: "first"));
        using var second = app.CreateClient(await app.CreateKeyAsync("reviewer", name: "second"));
        var etag = await ETagAsync(first, id);

        var responses = await Task.WhenAll(
            DecideAsync(first, id, etag, "approve", "Owner verified", "in_person_id"),
            DecideAsync(second, id, etag, "reject", "Looks like a scam"));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        await Problem.AssertAsync(Assert.Single(responses, r => r.StatusCode != HttpStatusCode.OK), HttpStatusCode.PreconditionFailed, "stale_appeal");
        var appeal = await DetailAsync(first, id);
        Assert.Single(appeal.Events, e => e.Action is "approved" or "rejected");
        Assert.Single(appeal.Entry.History, h => h.Action is "cleared" or "appeal_rejected");
    }

    [Fact]
    public async Task BulkDecisionByListDecidesEachOpenAppealOnItsOwnAndSkipsTheRest()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var sweep = await PublishAsync(app, Beijing, "sweep", "13800138000", "13800138001", "13800138002");
        await PublishAsync(app, Shanghai, "other", "13900139000");
        var a = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        var b = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138001", status: AppealStatus.InReview);
        var withdrawn = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138002", status: AppealStatus.Withdrawn);
        var elsewhere = await InsertAppealInsteadOfPostingItAsync(app, "+8613900139000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var response = await reviewer.PostAsJsonAsync("/v1/review/appeals/decisions", new
        {
            filter = new { listId = sweep },
            decision = "approve",
            reason = "The 2019 sweep caught legitimate accounts; owners confirmed by the platform",
            verification = "platform_confirmation",
            note = "batch confirmation from the platform",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<BulkDecisionResponse>(Json))!;
        Assert.Equal(("approve", 2, 1), (result.Decision, result.Decided, result.Skipped));
        Assert.Equal(["decided", "decided", "skipped"], result.Results.OrderBy(r => r.Id).Select(r => r.Outcome));
        var skipped = Assert.Single(result.Results, r => r.Outcome == "skipped");
        Assert.Equal((withdrawn, AppealStatus.Withdrawn), (skipped.Id, skipped.Status));
        Assert.Contains("withdrawn", skipped.Reason, StringComparison.Ordinal);
        foreach (var id in new[] { a, b })
        {
            var appeal = await DetailAsync(reviewer, id);
            Assert.Equal(AppealStatus.Approved, appeal.Status);
            Assert.Single(appeal.Events, e => e.Action == "approved");
            Assert.Equal("cleared", appeal.Entry.History[^1].Action);
        }

        Assert.Equal(AppealStatus.Submitted, (await DetailAsync(reviewer, elsewhere)).Status);
        Assert.Equal(Verdict.Cleared, (await LookupAsync(app, "13800138001")).Verdict);
        Assert.Equal(Verdict.Flagged, (await LookupAsync(app, "13800138002")).Verdict);
        Assert.Equal(Verdict.Flagged, (await LookupAsync(app, "13900139000")).Verdict);
    }

    [Fact]
    public async Task BulkDecisionByIdsChecksItsSelectionAndItsSize()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Appeals:MaxBulkDecision"] = "2" });
        await PublishAsync(app, Beijing, "b1", "13800138000", "13800138001", "13800138002");
        var ids = new List<long>();
        foreach (var value in new[] { "+8613800138000", "+8613800138001", "+8613800138002" })
        {
            ids.Add(await InsertAppealInsteadOfPostingItAsync(app, value));
        }

        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync("/v1/review/appeals/decisions", new { decision = "reject", reason = "No" }), HttpStatusCode.BadRequest, "missing_selection");
        await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync("/v1/review/appeals/decisions", new { appealIds = ids, decision = "reject", reason = "No" }), HttpStatusCode.BadRequest, "too_many_appeals");
        await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync("/v1/review/appeals/decisions", new { appealIds = ids.Take(2), decision = "approve", reason = "Yes" }),
            HttpStatusCode.BadRequest, "missing_verification");
        await Problem.AssertAsync(
            await reviewer.PostAsJsonAsync("/v1/review/appeals/decisions", new { filter = new { listId = 999 }, decision = "reject", reason = "No" }),
            HttpStatusCode.NotFound, "not_found");

        var response = await reviewer.PostAsJsonAsync("/v1/review/appeals/decisions", new { appealIds = new[] { ids[0], 999 }, decision = "reject", reason = "No proof" });

        var result = (await response.Content.ReadFromJsonAsync<BulkDecisionResponse>(Json))!;
        Assert.Equal(("reject", 1, 1), (result.Decision, result.Decided, result.Skipped));
        Assert.Equal("no such appeal", Assert.Single(result.Results, r => r.Id == 999).Reason);
        Assert.Equal(AppealStatus.Rejected, (await DetailAsync(reviewer, ids[0])).Status);
    }

    [Fact]
    public async Task QueueListsOverdueAppealsFirstAndFiltersByStatusKindCategoryAndList()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var beijing = await PublishAsync(app, Beijing, "b1", "13800138000", "13800138001");
        await PublishInCategoryAsync(app, Shanghai, "s1", "task_brushing", "13900139000");
        var early = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        app.Clock.Advance(TimeSpan.FromHours(10));
        var later = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138001");
        app.Clock.Advance(TimeSpan.FromHours(10));
        var shanghai = await InsertAppealInsteadOfPostingItAsync(app, "+8613900139000", status: AppealStatus.InReview);
        app.Clock.Advance(TimeSpan.FromHours(65)); // 85 h after the first, 75 h after the second: both past their 72 h
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        await DecideAsync(reviewer, early, await ETagAsync(reviewer, early), "reject", "No proof"); // decided: never overdue

        var all = await QueueAsync(reviewer, "");
        Assert.Equal([later, early, shanghai], all.Items.Select(i => i.Id));
        Assert.Equal([true, false, false], all.Items.Select(i => i.Overdue));

        Assert.Equal([later], (await QueueAsync(reviewer, "?overdue=true")).Items.Select(i => i.Id));
        Assert.Equal([early, shanghai], (await QueueAsync(reviewer, "?overdue=false")).Items.Select(i => i.Id));
        Assert.Equal([shanghai], (await QueueAsync(reviewer, "?status=in_review")).Items.Select(i => i.Id));
        Assert.Equal([shanghai], (await QueueAsync(reviewer, "?category=task_brushing")).Items.Select(i => i.Id));
        Assert.Equal([later, early], (await QueueAsync(reviewer, $"?listId={beijing}")).Items.Select(i => i.Id));
        Assert.Empty((await QueueAsync(reviewer, "?kind=url")).Items);
        var paged = await QueueAsync(reviewer, "?pageSize=1&page=2");
        Assert.Equal((3, 2, 1), (paged.Total, paged.Page, paged.PageSize));
        Assert.Equal([early], paged.Items.Select(i => i.Id));

        await Problem.AssertAsync(await reviewer.GetAsync("/v1/review/appeals?status=open"), HttpStatusCode.BadRequest, "invalid_status");
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/review/appeals?overdue=maybe"), HttpStatusCode.BadRequest, "invalid_filter");
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/review/appeals?listId=x"), HttpStatusCode.BadRequest, "invalid_filter");
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/review/appeals?kind=fax"), HttpStatusCode.BadRequest, "unknown_kind");
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/review/appeals?category=x"), HttpStatusCode.BadRequest, "invalid_category");
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/review/appeals?pageSize=0"), HttpStatusCode.BadRequest, "invalid_page");
    }

    [Fact]
    public async Task AgencySeesAppealsAgainstItsOwnListsReadOnlyAndWithoutTheAppellant()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var beijingList = await PublishAsync(app, Beijing, "b1", "13800138000");
        var shanghaiList = await PublishAsync(app, Shanghai, "s1", "13900139000");
        var ours = await InsertAppealInsteadOfPostingItAsync(app, "+8613800138000");
        var theirs = await InsertAppealInsteadOfPostingItAsync(app, "+8613900139000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        await reviewer.PostAsJsonAsync($"/v1/review/appeals/{ours}/request-info", new { message = "Send proof" });
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));

        var queue = await publisher.GetStringAsync("/v1/review/appeals");
        var detail = await publisher.GetAsync($"/v1/review/appeals/{ours}");

        var item = Assert.Single(JsonSerializer.Deserialize<AppealQueuePage>(queue, Json)!.Items);
        Assert.Equal(ours, item.Id);
        Assert.DoesNotContain("appellant", queue, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Zhang Wei", queue, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        var body = await detail.Content.ReadAsStringAsync();
        Assert.DoesNotContain("139 0000", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Zhang Wei", body, StringComparison.Ordinal);
        Assert.Single((await publisher.GetFromJsonAsync<AppealQueuePage>($"/v1/review/appeals?listId={beijingList}", Json))!.Items);
        await Problem.AssertAsync(await publisher.GetAsync($"/v1/review/appeals?listId={shanghaiList}"), HttpStatusCode.Forbidden, "not_your_list");
        await Problem.AssertAsync(await publisher.GetAsync($"/v1/review/appeals/{theirs}"), HttpStatusCode.Forbidden, "not_your_appeal");
        await Problem.AssertAsync(await DecideAsync(publisher, ours, detail.Headers.ETag!.ToString(), "reject", "Ours"), HttpStatusCode.Forbidden, "wrong_role");
        await Problem.AssertAsync(await publisher.PostAsJsonAsync($"/v1/review/appeals/{ours}/assign", new { }), HttpStatusCode.Forbidden, "wrong_role");
        await Problem.AssertAsync(
            await publisher.PostAsJsonAsync("/v1/review/appeals/decisions", new { filter = new { listId = beijingList }, decision = "reject", reason = "x" }),
            HttpStatusCode.Forbidden, "wrong_role");
    }

    [Fact]
    public async Task ListFlagsANumberTheAppSeesItTheOwnerAppealsAReviewerApprovesAndTheAppSeesItCleared()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        using var thirdPartyApp = app.CreateClient(await app.CreateKeyAsync("app"));
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var published = await publisher.PostAsJsonAsync("/v1/batches", new
        {
            reference = "2019-yunnan-sweep",
            entries = new[] { new { kind = "phone", value = "138-0013-8000", category = "task_brushing" } },
        });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal(Verdict.Flagged, (await thirdPartyApp.GetFromJsonAsync<LookupResponse>("/v1/lookup/phone?value=13800138000", Json))!.Verdict);

        // The owner appeals without any key.
        using var owner = app.CreateClient();
        var filed = await owner.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone",
            value = "+86 138 0013 8000",
            appellant = new { name = "Zhang Wei", contact = "zhang.wei@example.com" },
            statement = "This is my own number; I was caught in the sweep.",
        });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var created = JsonDocument.Parse(await filed.Content.ReadAsStringAsync()).RootElement;
        var id = created.GetProperty("id").GetInt64();
        var trackingCode = created.GetProperty("trackingCode").GetString()!;
        owner.DefaultRequestHeaders.Add("X-Appeal-Token", created.GetProperty("accessToken").GetString());

        var queued = Assert.Single((await QueueAsync(reviewer, "?status=submitted")).Items);
        Assert.Equal(id, queued.Id);
        var approved = await DecideAsync(reviewer, id, await ETagAsync(reviewer, id), "approve", "Owner showed ID at the counter", "in_person_id");
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var lookup = (await thirdPartyApp.GetFromJsonAsync<LookupResponse>("/v1/lookup/phone?value=138-0013-8000", Json))!;
        Assert.Equal(Verdict.Cleared, lookup.Verdict);
        Assert.False(lookup.Flagged);

        // The owner sees the decision and its reason; the entry's history shows the appeal.
        var view = JsonDocument.Parse(await owner.GetStringAsync($"/v1/appeals/{trackingCode.ToLowerInvariant()}")).RootElement;
        Assert.Equal("approved", view.GetProperty("status").GetString());
        Assert.Contains("Owner showed ID at the counter", view.ToString(), StringComparison.Ordinal);
        await using var scope = app.Services.CreateAsyncScope();
        var history = await scope.ServiceProvider.GetRequiredService<FlagDbContext>().EntryHistory.OrderBy(h => h.Id).Select(h => h.Action).ToListAsync();
        Assert.Equal(["flagged", "appeal_submitted", "cleared"], history);
    }

    private static async Task<long> PublishAsync(FlagApiFactory app, string agency, string reference, params string[] numbers) =>
        await PublishInCategoryAsync(app, agency, reference, "impersonating_authorities", numbers);

    private static async Task<long> PublishInCategoryAsync(FlagApiFactory app, string agency, string reference, string category, params string[] numbers)
    {
        var json = JsonSerializer.Serialize(new { entries = numbers.Select(n => new { kind = "phone", value = n, category, risk = "high" }) });
        var outcome = await app.PublishAsync(json, agency, reference);
        return outcome.Result!.ListId;
    }

    /// <summary>
    /// Files an appeal by writing its rows, as <c>POST /v1/appeals</c> (the appellant side, built in parallel) will:
    /// after the merge this becomes that call.
    /// </summary>
    private static async Task<long> InsertAppealInsteadOfPostingItAsync(
        FlagApiFactory app, string canonicalPhone, AppealStatus status = AppealStatus.Submitted, (string Name, string Type, byte[] Bytes)? attachment = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var entry = await db.Entries.SingleAsync(e => e.Kind == IdentifierKind.Phone && e.Value == canonicalPhone);
        var now = app.Clock.GetUtcNow().UtcDateTime;
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
            Evidence = """[{"type":"text","text":"Contract since 2015"}]""",
            Status = status,
            CreatedAt = now,
            DueBy = now.AddHours(72),
            Revision = 1,
        };
        db.Appeals.Add(appeal);
        await db.SaveChangesAsync();
        db.AppealEvents.Add(new AppealEvent { AppealId = appeal.Id, At = now, Actor = "appellant", Action = "submitted", ToStatus = AppealStatus.Submitted });
        if (status != AppealStatus.Submitted)
        {
            db.AppealEvents.Add(new AppealEvent { AppealId = appeal.Id, At = now, Actor = "test", Action = "test", FromStatus = AppealStatus.Submitted, ToStatus = status });
        }

        if (attachment is { } file)
        {
            db.AppealAttachments.Add(new AppealAttachment
            {
                AppealId = appeal.Id,
                FileName = file.Name,
                ContentType = file.Type,
                Size = file.Bytes.Length,
                Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file.Bytes)),
                Content = file.Bytes,
                CreatedAt = now,
            });
        }

        await db.SaveChangesAsync();
        return appeal.Id;
    }

    private static async Task<AppealQueuePage> QueueAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/v1/review/appeals" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /v1/appeals{query} answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<AppealQueuePage>(body, Json)!;
    }

    private static async Task<ReviewAppealDetail> DetailAsync(HttpClient client, long id)
    {
        var response = await client.GetAsync($"/v1/review/appeals/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /v1/review/appeals/{id} answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<ReviewAppealDetail>(body, Json)!;
    }

    private static async Task<string> ETagAsync(HttpClient client, long id)
    {
        var response = await client.GetAsync($"/v1/review/appeals/{id}");
        return response.Headers.ETag?.ToString() ?? "\"0\"";
    }

    private static Task<HttpResponseMessage> DecideAsync(
        HttpClient client, long id, string etag, string decision, string reason, string? verification = null, string? note = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/review/appeals/{id}/decision")
        {
            Content = JsonContent.Create(new { decision, reason, verification, note }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request);
    }

    private static async Task<LookupResponse> LookupAsync(FlagApiFactory app, string number)
    {
        using var client = app.CreateClient();
        return (await client.GetFromJsonAsync<LookupResponse>($"/v1/lookup/phone?value={number}", Json))!;
    }
}
