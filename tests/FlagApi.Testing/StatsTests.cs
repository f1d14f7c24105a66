using System.Globalization;
using System.Net;
using System.Text.Json;
using FlagApi.Lists;
using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Stats;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class StatsTests(DatabaseTarget target)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    [Fact]
    public async Task EmptyServiceAnswersEveryKnownKindCategoryAndStatusWithZero()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        var response = await client.GetAsync("/v1/stats");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var entries = root.GetProperty("entries");
        Assert.Equal(0, entries.GetProperty("total").GetInt32());
        Assert.Equal(["phone", "url", "domain", "app", "account"], Names(entries.GetProperty("byKind")));
        Assert.Equal(
            ["fake_credit_repair", "fake_customer_service", "gambling", "impersonating_acquaintance", "impersonating_authorities", "investment_romance", "loan_or_card", "other", "remote_control_app", "task_brushing"],
            Names(entries.GetProperty("byCategory")));
        Assert.Equal(["active", "cleared", "expired", "retracted"], Names(entries.GetProperty("byStatus")));
        Assert.All(new[] { "byKind", "byCategory", "byStatus" }, name =>
            Assert.All(entries.GetProperty(name).EnumerateObject(), p => Assert.Equal(0, p.Value.GetInt32())));

        var appeals = root.GetProperty("appeals");
        Assert.Equal(["approved", "in_review", "needs_info", "rejected", "resolved", "submitted", "withdrawn"], Names(appeals.GetProperty("byStatus")));
        var weeks = appeals.GetProperty("decisionsPerWeek");
        Assert.Equal(StatsQueries.Weeks, weeks.GetArrayLength());
        Assert.All(weeks.EnumerateArray(), w =>
        {
            Assert.Equal(0, w.GetProperty("decided").GetInt32());
            Assert.Equal(JsonValueKind.Null, w.GetProperty("p90Hours").ValueKind);
        });
        Assert.Equal(JsonValueKind.Null, appeals.GetProperty("medianDecisionHours").ValueKind);
        Assert.Equal(0, appeals.GetProperty("overdue").GetInt32());
        Assert.Equal(StatsQueries.Weeks, root.GetProperty("lists").GetProperty("perWeek").GetArrayLength());
        Assert.Equal(0, root.GetProperty("listAppeals").GetArrayLength());
        var reports = root.GetProperty("reports");
        Assert.Equal(["received", "reporters", "pending", "accepted", "rejected", "identifiers"], Names(reports));
        Assert.All(reports.EnumerateObject(), p => Assert.Equal(0, p.Value.GetInt32()));
        Assert.Equal(0, root.GetProperty("lists").GetProperty("perAgency").GetArrayLength());
    }

    [Fact]
    public async Task FiguresCountEntriesListsPerWeekAppealsAndHowEachListFaredOnAppeal()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var firstPublished = app.Clock.GetUtcNow().UtcDateTime;
        var first = await PublishAsync(app, "Shenzhen PSB", "2026-01",
            ("phone", "13900000001", "task_brushing"), ("phone", "13900000002", "task_brushing"), ("phone", "13800138000", "task_brushing"),
            ("domain", "evil.example", "gambling"));
        app.Clock.Advance(Week);
        var secondPublished = app.Clock.GetUtcNow().UtcDateTime;
        var second = await PublishAsync(app, "Kunming PSB", "sweep-1",
            ("account", "qq:12345678", "other"), ("account", "qq:87654321", "other"), ("phone", "+86 138 0013 8000", "other"));
        app.Clock.Advance(Week);
        var thirdPublished = app.Clock.GetUtcNow().UtcDateTime;
        var third = await PublishAsync(app, "Shenzhen PSB", "2026-03", ("url", "http://phish.example/login", "fake_customer_service"));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ListWriter>().RetractAsync(third, "test", "published by mistake");
        }

        var now = app.Clock.GetUtcNow().UtcDateTime;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var ids = await db.Entries.ToDictionaryAsync(e => e.Value, e => e.Id);
            var filed = now.AddDays(-10);
            db.Appeals.AddRange(
                NewAppeal(ids["+8613900000001"], AppealStatus.Rejected, filed, decidedAfter: 40 * Hour),
                NewAppeal(ids["+8613900000001"], AppealStatus.Approved, filed, decidedAfter: 10 * Hour),
                NewAppeal(ids["+8613900000002"], AppealStatus.Rejected, filed, decidedAfter: 30 * Hour),
                NewAppeal(ids["+8613800138000"], AppealStatus.Approved, filed, decidedAfter: 20 * Hour),
                NewAppeal(ids["+8613800138000"], AppealStatus.Withdrawn, filed),
                NewAppeal(ids["evil.example"], AppealStatus.NeedsInfo, filed, dueBy: now - Hour),
                NewAppeal(ids["qq:12345678"], AppealStatus.Submitted, filed, dueBy: now - Hour),
                NewAppeal(ids["qq:87654321"], AppealStatus.InReview, filed, dueBy: now + Hour));
            await db.SaveChangesAsync();
        }

        var stats = await app.GetJsonAsync<StatsResponse>("/v1/stats");

        Assert.Equal(7, stats.Entries.Total);
        Assert.Equal(Counts(("phone", 3), ("url", 1), ("domain", 1), ("app", 0), ("account", 2)), stats.Entries.ByKind);
        Assert.Equal(Counts(("active", 6), ("cleared", 0), ("expired", 0), ("retracted", 1)), stats.Entries.ByStatus);
        // The number both lists named takes the category of the later list.
        Assert.Equal(2, stats.Entries.ByCategory["task_brushing"]);
        Assert.Equal(1, stats.Entries.ByCategory["gambling"]);
        Assert.Equal(3, stats.Entries.ByCategory["other"]);
        Assert.Equal(0, stats.Entries.ByCategory["loan_or_card"]);

        Assert.Equal(3, stats.Lists.Total);
        Assert.Equal(1, stats.Lists.Retracted);
        Assert.Equal(StatsQueries.Weeks, stats.Lists.PerWeek.Count);
        Assert.Equal(
            [new WeekStats(IsoWeek(firstPublished), 1, 4), new WeekStats(IsoWeek(secondPublished), 1, 3), new WeekStats(IsoWeek(thirdPublished), 1, 1)],
            stats.Lists.PerWeek.TakeLast(3));
        Assert.All(stats.Lists.PerWeek.SkipLast(3), w => Assert.Equal((0, 0), (w.Lists, w.Entries)));

        Assert.Equal(8, stats.Appeals.Total);
        Assert.Equal(
            Counts(("submitted", 1), ("in_review", 1), ("needs_info", 1), ("approved", 2), ("rejected", 2), ("resolved", 0), ("withdrawn", 1)),
            stats.Appeals.ByStatus);
        Assert.Equal(3, stats.Appeals.Open);
        Assert.Equal(2, stats.Appeals.Overdue);
        Assert.Equal((4, 2, 2), (stats.Appeals.Decided, stats.Appeals.Approved, stats.Appeals.Rejected));
        Assert.Equal(25.0, stats.Appeals.MedianDecisionHours);

        Assert.Equal(
            [
                new ListAppealStats(first, "Shenzhen PSB", "2026-01", Entries: 4, Appealed: 4, Overturned: 2, OverturnedShare: 0.5),
                new ListAppealStats(second, "Kunming PSB", "sweep-1", Entries: 3, Appealed: 3, Overturned: 1, OverturnedShare: 0.3333),
            ],
            stats.ListAppeals);
    }

    [Fact]
    public async Task MedianOfAnOddNumberOfDecisionsIsTheMiddleOneAndWithdrawalsAreNotDecisions()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, "Shenzhen PSB", "2026-01", ("phone", "13900000001", "other"));
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await InsertAppealsAsync(app, entryId => [
            NewAppeal(entryId, AppealStatus.Approved, now.AddDays(-5), decidedAfter: 2 * Hour),
            NewAppeal(entryId, AppealStatus.Rejected, now.AddDays(-5), decidedAfter: 100 * Hour),
            NewAppeal(entryId, AppealStatus.Rejected, now.AddDays(-5), decidedAfter: TimeSpan.FromMinutes(90)),
            NewAppeal(entryId, AppealStatus.Withdrawn, now.AddDays(-5), decidedAfter: 1000 * Hour)]);

        var stats = await app.GetJsonAsync<StatsResponse>("/v1/stats");

        Assert.Equal(3, stats.Appeals.Decided);
        Assert.Equal(2.0, stats.Appeals.MedianDecisionHours);
    }

    [Fact]
    public async Task DecisionTimesPerWeekHaveExactMediansNinetiethPercentilesAndSharesDecidedWithinTheirDueTime()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, "Shenzhen PSB", "2026-01", ("phone", "13900000001", "other"));
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var thisMonday = now.Date.AddDays(-(((int)now.DayOfWeek + 6) % 7));
        var lastWeek = DateTime.SpecifyKind(thisMonday.AddDays(-7 + 1), DateTimeKind.Utc);
        var threeWeeksAgo = DateTime.SpecifyKind(thisMonday.AddDays(-21 + 1), DateTimeKind.Utc);
        var longAgo = DateTime.SpecifyKind(thisMonday.AddDays(-7 * StatsQueries.Weeks), DateTimeKind.Utc);
        await InsertAppealsAsync(app, entryId => [
            // Last week: 1 to 10 hours, promised within 5: median 5.5, p90 9 + 0.1 × (10 − 9) = 9.1, half on time.
            .. Enumerable.Range(1, 10).Select(h => NewAppeal(
                entryId, h % 2 == 0 ? AppealStatus.Approved : AppealStatus.Rejected, lastWeek, decidedAfter: h * Hour, dueBy: lastWeek + 5 * Hour)),

            // Three weeks ago: 10 and 30 hours, both on time: median 20, p90 10 + 0.9 × 20 = 28.
            NewAppeal(entryId, AppealStatus.Approved, threeWeeksAgo, decidedAfter: 10 * Hour),
            NewAppeal(entryId, AppealStatus.Rejected, threeWeeksAgo, decidedAfter: 30 * Hour),

            // Neither counts: a withdrawal is no decision, and a decision before the 26 weeks is outside them.
            NewAppeal(entryId, AppealStatus.Withdrawn, lastWeek, decidedAfter: 3 * Hour),
            NewAppeal(entryId, AppealStatus.Resolved, lastWeek, decidedAfter: 3 * Hour),
            NewAppeal(entryId, AppealStatus.Approved, longAgo, decidedAfter: 100 * Hour)]);

        var stats = await app.GetJsonAsync<StatsResponse>("/v1/stats");

        var weeks = stats.Appeals.DecisionsPerWeek;
        Assert.Equal(StatsQueries.Weeks, weeks.Count);
        Assert.Equal(IsoWeek(thisMonday), weeks[^1].Week);
        Assert.Equal(new DecisionWeekStats(IsoWeek(lastWeek), 10, 5.5, 9.1, 5, 0.5), weeks[^2]);
        Assert.Equal(new DecisionWeekStats(IsoWeek(threeWeeksAgo), 2, 20, 28, 2, 1), weeks[^4]);
        Assert.Equal(new DecisionWeekStats(IsoWeek(thisMonday.AddDays(-14)), 0, null, null, 0, null), weeks[^3]);
        Assert.Equal(12, weeks.Sum(w => w.Decided));
    }

    [Fact]
    public async Task OpenAppealBecomesOverdueWhenItsDueTimePasses()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishAsync(app, "Shenzhen PSB", "2026-01", ("phone", "13900000001", "other"));
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await InsertAppealsAsync(app, entryId => [
            NewAppeal(entryId, AppealStatus.InReview, now, dueBy: now + 72 * Hour),
            NewAppeal(entryId, AppealStatus.Rejected, now, decidedAfter: Hour, dueBy: now + 72 * Hour)]);

        var before = await app.GetJsonAsync<StatsResponse>("/v1/stats");
        app.Clock.Advance(73 * Hour);
        var after = await app.GetJsonAsync<StatsResponse>("/v1/stats");

        Assert.Equal((1, 0), (before.Appeals.Open, before.Appeals.Overdue));
        Assert.Equal((1, 1), (after.Appeals.Open, after.Appeals.Overdue));
    }

    [Fact]
    public async Task FiguresAreServedFromTheCacheUntilCacheDurationPasses()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Stats:CacheDuration"] = "00:00:10" });
        await PublishAsync(app, "Shenzhen PSB", "2026-01", ("phone", "13900000001", "other"));

        var first = await app.GetJsonAsync<StatsResponse>("/v1/stats");
        await PublishAsync(app, "Shenzhen PSB", "2026-02", ("phone", "13900000002", "other"));
        app.Clock.Advance(TimeSpan.FromSeconds(9));
        var cached = await app.GetJsonAsync<StatsResponse>("/v1/stats");
        app.Clock.Advance(TimeSpan.FromSeconds(2));
        var fresh = await app.GetJsonAsync<StatsResponse>("/v1/stats");

        Assert.Equal((1, 1), (first.Entries.Total, first.Lists.Total));
        Assert.Equal(first.GeneratedAt, cached.GeneratedAt);
        Assert.Equal((1, 1), (cached.Entries.Total, cached.Lists.Total));
        Assert.Equal((2, 2), (fresh.Entries.Total, fresh.Lists.Total));
        Assert.True(fresh.ListVersion > first.ListVersion);
    }

    [Fact]
    public async Task EntryPastItsExpiryCountsAsExpired()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var expires = app.Clock.GetUtcNow().AddDays(1).ToString("O", CultureInfo.InvariantCulture);
        await app.PublishAsync(
            $$"""{"entries":[{"kind":"phone","value":"13900000001","category":"other","risk":"low","expiresAt":"{{expires}}"},{"kind":"phone","value":"13900000002"}]}""");
        app.Clock.Advance(TimeSpan.FromDays(2));

        var stats = await app.GetJsonAsync<StatsResponse>("/v1/stats");

        Assert.Equal(Counts(("active", 1), ("cleared", 0), ("expired", 1), ("retracted", 0)), stats.Entries.ByStatus);
    }

    private static async Task<long> PublishAsync(FlagApiFactory app, string agency, string reference, params (string Kind, string Value, string Category)[] rows)
    {
        var json = JsonSerializer.Serialize(new { entries = rows.Select(r => new { kind = r.Kind, value = r.Value, category = r.Category, risk = "high" }) });
        var outcome = await app.PublishAsync(json, agency, reference);
        Assert.True(outcome.Succeeded, "the test list should publish");
        return outcome.Result!.ListId;
    }

    private static async Task InsertAppealsAsync(FlagApiFactory app, Func<long, Appeal[]> appealsOnFirstEntry)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var entryId = await db.Entries.OrderBy(e => e.Id).Select(e => e.Id).FirstAsync();
        db.Appeals.AddRange(appealsOnFirstEntry(entryId));
        await db.SaveChangesAsync();
    }

    /// <summary>An appeal as the appeal endpoints would have stored it; only what the figures read is chosen by the test.</summary>
    private static Appeal NewAppeal(long entryId, AppealStatus status, DateTime filed, TimeSpan? decidedAfter = null, DateTime? dueBy = null)
    {
        var code = AppealSecrets.NewTrackingCode();
        return new Appeal
        {
            TrackingCode = code,
            TokenHash = AppealSecrets.Hash(AppealSecrets.NewAccessToken()),
            EntryId = entryId,
            Kind = IdentifierKind.Phone,
            Value = "stored with the entry",
            Query = "as typed",
            AppellantName = "Owner",
            AppellantContact = "owner@example.org",
            ContactHash = AppealSecrets.Hash(code),
            Statement = "This is my number.",
            Status = status,
            CreatedAt = filed,
            DueBy = dueBy ?? filed + 72 * Hour,
            DecidedAt = filed + decidedAfter,
            DecidedBy = decidedAfter is null ? null : "reviewer",
            Revision = 1,
        };
    }

    private static Dictionary<string, int> Counts(params (string Name, int Count)[] counts) => counts.ToDictionary(c => c.Name, c => c.Count);

    private static string IsoWeek(DateTime day) =>
        $"{ISOWeek.GetYear(day)}-W{ISOWeek.GetWeekOfYear(day).ToString("00", CultureInfo.InvariantCulture)}";

    private static string[] Names(JsonElement counts) => [.. counts.EnumerateObject().Select(p => p.Name)];
}
