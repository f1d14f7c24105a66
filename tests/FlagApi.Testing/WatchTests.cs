using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlagApi.Data;
using FlagApi.Notifications;
using FlagApi.Tests.Infrastructure;
using FlagApi.Watches;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

/// <summary>
/// Owners watching an identifier (issue 23, item 3): subscribe, confirm the address with the mailed code, a reviewer verifies
/// ownership, and the owner is mailed (an outbox row) when the identifier becomes flagged, once per flag.
/// </summary>
public abstract partial class WatchTests(DatabaseTarget target)
{
    private const string Phone = "13800138000";
    private const string Email = "owner@example.com";

    [Fact]
    public async Task AnOwnerIsToldOnceWhenTheirNumberIsFlaggedAndAgainAfterItWasClearedAndFlaggedAnew()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var watch = await ActiveWatchAsync(app, "phone", "138 0013 8000", language: "en");
        var active = Assert.Single(await MailsAsync(app, watch.Id, WatchMails.ActiveTemplate));
        Assert.Contains("calling the number back", active.Body, StringComparison.Ordinal);

        await PublishAsync(app, "2026-W13", Phone, reason: "Called victims pretending to be the police.", contact: "Beijing PSB, 010-110");
        await RunNotifierAsync(app);

        var flagged = Assert.Single(await MailsAsync(app, watch.Id, WatchMails.FlaggedTemplate));
        Assert.Equal((NotificationChannels.Email, Email, "en", NotificationStatuses.Pending), (flagged.Channel, flagged.Recipient, flagged.Language, flagged.Status));
        Assert.Contains("138 0013 8000", flagged.Subject, StringComparison.Ordinal);
        foreach (var fact in new[]
        {
            "Beijing PSB (list 2026-W13", "Called victims pretending to be the police.", "Contact: Beijing PSB, 010-110",
            "/appeal?kind=phone&value=%2B8613800138000", "POST /v1/appeals", "carrier's real-name registration certificate",
            "within 72 hours", $"DELETE /v1/watches/{watch.Id}", WatchSecrets.EndCode(await TokenHashAsync(app, watch.Id)),
        })
        {
            Assert.Contains(fact, flagged.Body, StringComparison.Ordinal);
        }

        // The owner is told the very notice a lookup of the number answers, in the watch's language.
        using var client = app.CreateClient();
        using var lookup = new HttpRequestMessage(HttpMethod.Get, "/v1/lookup/phone?value=13800138000");
        lookup.Headers.AcceptLanguage.ParseAdd("en");
        using var answer = await client.SendAsync(lookup);
        var summary = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("notice").GetProperty("summary").GetString();
        Assert.Contains(summary!, flagged.Body, StringComparison.Ordinal);

        // Another list naming the flagged number changes the entry but does not flag it anew.
        await PublishAsync(app, "2026-W14", Phone, agency: "Shanghai PSB");
        await RunNotifierAsync(app);
        Assert.Single(await MailsAsync(app, watch.Id, WatchMails.FlaggedTemplate));

        // Cleared, then flagged again by a later list: that is news again.
        await app.ClearEntryAsync(await EntryIdAsync(app, "+8613800138000"));
        await RunNotifierAsync(app);
        Assert.Single(await MailsAsync(app, watch.Id, WatchMails.FlaggedTemplate));
        await PublishAsync(app, "2026-W15-watch", Phone);
        await RunNotifierAsync(app);
        Assert.Equal(2, (await MailsAsync(app, watch.Id, WatchMails.FlaggedTemplate)).Count);
    }

    [Fact]
    public async Task WatchesThatAreNotVerifiedOrWereEndedAreNotTold()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var unconfirmed = await SubscribeAsync(app, "phone", Phone, "a@example.com");
        var unverified = await SubscribeAsync(app, "phone", Phone, "b@example.com");
        await ConfirmAsync(app, unverified);
        var rejected = await SubscribeAsync(app, "phone", Phone, "c@example.com");
        await ConfirmAsync(app, rejected);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsJsonAsync($"/v1/review/watches/{rejected.Id}/reject", new { reason = "Nobody answered the call back." })).StatusCode);
        var ended = await ActiveWatchAsync(app, "phone", Phone, email: "d@example.com");

        // The end code of a mail ends the watch; it opens nothing else.
        var endCode = WatchSecrets.EndCode(await TokenHashAsync(app, ended.Id));
        using var client = app.CreateClient();
        await Problem.AssertAsync(await client.SendAsync(WithToken(HttpMethod.Get, $"/v1/watches/{ended.Id}", endCode)), HttpStatusCode.NotFound, WatchProblems.WatchNotFound);
        var end = await client.SendAsync(WithToken(HttpMethod.Delete, $"/v1/watches/{ended.Id}", endCode));
        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        Assert.Equal(WatchStatuses.Ended, (await end.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        await PublishAsync(app, "2026-W13", Phone);
        await RunNotifierAsync(app);

        foreach (var watch in new[] { unconfirmed, unverified, rejected, ended })
        {
            Assert.Empty(await MailsAsync(app, watch.Id, WatchMails.FlaggedTemplate));
        }

        var view = await GetAsync(app, rejected);
        Assert.Equal((WatchStatuses.Rejected, "Nobody answered the call back."), (view.GetProperty("status").GetString(), view.GetProperty("decisionReason").GetString()));
        Assert.Contains("Nobody answered the call back.", Assert.Single(await MailsAsync(app, rejected.Id, WatchMails.RejectedTemplate)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWebAddressIsToldWhenItsDomainIsFlagged()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var watch = await ActiveWatchAsync(app, "url", "https://shop.example.com/pay?order=7");
        var other = await ActiveWatchAsync(app, "url", "https://example.org/", email: "other@example.com");

        await PublishAsync(app, "2026-W13", "example.com", kind: "domain");
        await RunNotifierAsync(app);

        var flagged = Assert.Single(await MailsAsync(app, watch.Id, WatchMails.FlaggedTemplate));
        Assert.Contains("（被标记的是涵盖它的域名 example.com）", flagged.Body, StringComparison.Ordinal);
        Assert.Contains("/appeal?kind=url&value=https%3A%2F%2Fshop.example.com%2Fpay%3Forder%3D7", flagged.Body, StringComparison.Ordinal);
        Assert.Equal("zh", flagged.Language);
        Assert.Contains("已被标记", flagged.Subject, StringComparison.Ordinal);
        Assert.Empty(await MailsAsync(app, other.Id, WatchMails.FlaggedTemplate));
    }

    [Fact]
    public async Task TwoNotifiersReadingTheSameChangesTellEachOwnerOnce()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var watch = await ActiveWatchAsync(app, "phone", Phone);
        await PublishAsync(app, "2026-W13", Phone);

        var notifier = app.Services.GetRequiredService<WatchNotifier>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => notifier.NotifyOnceAsync(CancellationToken.None))));
        await RunNotifierAsync(app);

        Assert.Single(await MailsAsync(app, watch.Id, WatchMails.FlaggedTemplate));
    }

    [Fact]
    public async Task TheConfirmationMailIsInTheLanguageAskedForAndSaysTheCodeProvesOnlyTheAddress()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var chinese = await SubscribeAsync(app, "phone", Phone, Email);
        var english = await SubscribeAsync(app, "phone", Phone, "en@example.com", language: "en-GB");

        var zh = Assert.Single(await MailsAsync(app, chinese.Id, WatchMails.ConfirmTemplate));
        var en = Assert.Single(await MailsAsync(app, english.Id, WatchMails.ConfirmTemplate));

        Assert.Equal(("zh", "en"), (zh.Language, en.Language));
        Assert.Contains("不证明", zh.Body, StringComparison.Ordinal);
        Assert.Contains("proves that this address is yours, not that", en.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(chinese.Token, zh.Body, StringComparison.Ordinal);
        Assert.Equal(WatchStatuses.Unconfirmed, (await GetAsync(app, chinese)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AWrongCodeCountsAndTheLastAttemptSpendsTheCode()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Watches:MaxCodeAttempts"] = "2" });
        var watch = await SubscribeAsync(app, "phone", Phone, Email);
        var code = await CodeAsync(app, watch.Id);
        var wrong = code == "000000" ? "000001" : "000000";

        var first = await Problem.AssertAsync(await ConfirmRequestAsync(app, watch, wrong), HttpStatusCode.BadRequest, WatchProblems.WrongCode);
        Assert.Equal(1, first.GetProperty("attemptsLeft").GetInt32());
        await Problem.AssertAsync(await ConfirmRequestAsync(app, watch, "not a code"), HttpStatusCode.BadRequest, WatchProblems.WrongCode);
        await Problem.AssertAsync(await ConfirmRequestAsync(app, watch, code), HttpStatusCode.Conflict, WatchProblems.TooManyAttempts);
        await Problem.AssertAsync(await ConfirmRequestAsync(app, watch, ""), HttpStatusCode.BadRequest, WatchProblems.MissingCode);

        // Subscribing again replaces the unconfirmed watch and mails a new code.
        var again = await SubscribeAsync(app, "phone", Phone, Email);
        Assert.Equal(WatchStatuses.Ended, (await GetAsync(app, watch)).GetProperty("status").GetString());
        await ConfirmAsync(app, again);
        Assert.Equal(WatchStatuses.AwaitingProof, (await GetAsync(app, again)).GetProperty("status").GetString());
        await Problem.AssertAsync(await ConfirmRequestAsync(app, again, await CodeAsync(app, again.Id)), HttpStatusCode.Conflict, "invalid_transition");
    }

    [Fact]
    public async Task AnExpiredCodeIsRefused()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var watch = await SubscribeAsync(app, "phone", Phone, Email);
        var code = await CodeAsync(app, watch.Id);

        app.Clock.Advance(TimeSpan.FromMinutes(31));

        await Problem.AssertAsync(await ConfirmRequestAsync(app, watch, code), HttpStatusCode.Conflict, WatchProblems.CodeExpired);
    }

    [Fact]
    public async Task AWrongTokenAMissingOneAndAnUnknownIdAreTheSameNotFound()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var watch = await SubscribeAsync(app, "phone", Phone, Email);
        var other = await SubscribeAsync(app, "phone", Phone, "other@example.com");
        using var client = app.CreateClient();
        var code = await CodeAsync(app, watch.Id);

        foreach (var (id, token) in new (long, string?)[] { (watch.Id, other.Token), (watch.Id, null), (watch.Id + 100, watch.Token), (watch.Id, "zz"), (watch.Id, new string('A', 64)) })
        {
            await Problem.AssertAsync(await client.SendAsync(WithToken(HttpMethod.Get, $"/v1/watches/{id}", token)), HttpStatusCode.NotFound, WatchProblems.WatchNotFound);
            await Problem.AssertAsync(await client.SendAsync(WithToken(HttpMethod.Delete, $"/v1/watches/{id}", token)), HttpStatusCode.NotFound, WatchProblems.WatchNotFound);
            var confirm = WithToken(HttpMethod.Post, $"/v1/watches/{id}/confirm", token);
            confirm.Content = JsonContent.Create(new { code });
            await Problem.AssertAsync(await client.SendAsync(confirm), HttpStatusCode.NotFound, WatchProblems.WatchNotFound);
        }

        // The token is read as a person types it.
        var typed = watch.Token.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(WithToken(HttpMethod.Get, $"/v1/watches/{watch.Id}", typed))).StatusCode);
    }

    [Fact]
    public async Task AConfirmedWatchOfTheSameAddressIsAConflictWhateverTheCaseOfTheAddress()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var watch = await SubscribeAsync(app, "phone", Phone, Email);
        await ConfirmAsync(app, watch);
        using var client = app.CreateClient();

        var again = await client.PostAsJsonAsync("/v1/watches", Body("phone", "+86 138-0013-8000", "Owner@Example.com"));

        await Problem.AssertAsync(again, HttpStatusCode.Conflict, WatchProblems.WatchExists);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/watches", Body("phone", "13900139000", Email))).StatusCode);
    }

    [Theory]
    [InlineData(null, "13800138000", "owner@example.com", "mine", "unknown_kind")]
    [InlineData("planet", "13800138000", "owner@example.com", "mine", "unknown_kind")]
    [InlineData("phone", "", "owner@example.com", "mine", "missing_value")]
    [InlineData("phone", "12", "owner@example.com", "mine", "invalid_phone")]
    [InlineData("phone", "13800138000", null, "mine", "missing_email")]
    [InlineData("phone", "13800138000", "not an address", "mine", "invalid_email")]
    [InlineData("phone", "13800138000", "owner@localhost", "mine", "invalid_email")]
    [InlineData("phone", "13800138000", "Owner <owner@example.com>", "mine", "invalid_email")]
    [InlineData("phone", "13800138000", "a@example.com,b@example.com", "mine", "invalid_email")]
    [InlineData("phone", "13800138000", "owner@example.com", " ", "missing_statement")]
    public async Task ABadSubscriptionIsAProblemWithAStableCode(string? kind, string? value, string? email, string? statement, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/watches", new { kind, value, email, statement });

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task TooLongFieldsAndBadReviewerRequestsAreProblemsNeverErrors()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/watches", Body("phone", Phone, Email) with { statement = new string('x', 5001) }), HttpStatusCode.BadRequest, "field_too_long");
        await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/watches", Body("phone", Phone, Email) with { language = new string('x', 36) }), HttpStatusCode.BadRequest, "field_too_long");
        await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/watches", Body("phone", Phone, new string('a', 250) + "@example.com")), HttpStatusCode.BadRequest, WatchProblems.InvalidEmail);

        var watch = await SubscribeAsync(app, "phone", Phone, Email);
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/review/watches/{watch.Id}/verify", new { verification = "callback" }), HttpStatusCode.Conflict, "invalid_transition");
        await ConfirmAsync(app, watch);
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/review/watches/{watch.Id}/verify", new { note = "called" }), HttpStatusCode.BadRequest, "missing_verification");
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/review/watches/{watch.Id}/verify", new { verification = "a_hunch" }), HttpStatusCode.BadRequest, "invalid_verification");
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/review/watches/{watch.Id}/verify", new { verification = "callback", note = new string('x', 4001) }), HttpStatusCode.BadRequest, "field_too_long");
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/review/watches/{watch.Id}/reject", new { reason = " " }), HttpStatusCode.BadRequest, "missing_reason");
        await Problem.AssertAsync(await reviewer.PostAsJsonAsync($"/v1/review/watches/{watch.Id + 100}/verify", new { verification = "callback" }), HttpStatusCode.NotFound, "not_found");
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/review/watches?status=sleeping"), HttpStatusCode.BadRequest, "invalid_status");
        await Problem.AssertAsync(await reviewer.GetAsync("/v1/review/watches?pageSize=501"), HttpStatusCode.BadRequest, "invalid_page");
        await Problem.AssertAsync(await client.GetAsync("/v1/review/watches"), HttpStatusCode.Unauthorized, "missing_api_key");

        var queue = await reviewer.GetFromJsonAsync<JsonElement>("/v1/review/watches?status=awaiting_proof");
        var item = Assert.Single(queue.GetProperty("items").EnumerateArray());
        Assert.Equal((watch.Id, Email, "It is my shop's number; call it back."), (item.GetProperty("id").GetInt64(), item.GetProperty("email").GetString(), item.GetProperty("statement").GetString()));
        Assert.Equal(1, queue.GetProperty("total").GetInt32());
    }

    public sealed record Subscribed(long Id, string Token);

    private sealed record WatchBody(string? kind, string? value, string? email, string? statement, string? language = null);

    private static WatchBody Body(string kind, string value, string email, string? language = null) =>
        new(kind, value, email, "It is my shop's number; call it back.", language);

    private static async Task<Subscribed> SubscribeAsync(FlagApiFactory app, string kind, string value, string email, string? language = null)
    {
        using var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/v1/watches", Body(kind, value, email, language));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var receipt = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(WatchStatuses.Unconfirmed, receipt.GetProperty("status").GetString());
        return new Subscribed(receipt.GetProperty("id").GetInt64(), receipt.GetProperty("accessToken").GetString()!);
    }

    /// <summary>Subscribed, confirmed with the mailed code, and verified by a reviewer calling the number back.</summary>
    private static async Task<Subscribed> ActiveWatchAsync(FlagApiFactory app, string kind, string value, string email = Email, string? language = null)
    {
        var watch = await SubscribeAsync(app, kind, value, email, language);
        await ConfirmAsync(app, watch);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var verified = await reviewer.PostAsJsonAsync($"/v1/review/watches/{watch.Id}/verify", new { verification = "callback", note = "Answered on the second ring." });
        Assert.True(verified.StatusCode == HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());
        var view = await GetAsync(app, watch);
        Assert.Equal((WatchStatuses.Active, "callback"), (view.GetProperty("status").GetString(), view.GetProperty("verification").GetString()));
        return watch;
    }

    private static async Task ConfirmAsync(FlagApiFactory app, Subscribed watch)
    {
        var response = await ConfirmRequestAsync(app, watch, await CodeAsync(app, watch.Id));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(WatchStatuses.AwaitingProof, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    private static async Task<HttpResponseMessage> ConfirmRequestAsync(FlagApiFactory app, Subscribed watch, string code)
    {
        using var client = app.CreateClient();
        var request = WithToken(HttpMethod.Post, $"/v1/watches/{watch.Id}/confirm", watch.Token);
        request.Content = JsonContent.Create(new { code });
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> GetAsync(FlagApiFactory app, Subscribed watch)
    {
        using var client = app.CreateClient();
        var response = await client.SendAsync(WithToken(HttpMethod.Get, $"/v1/watches/{watch.Id}", watch.Token));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static HttpRequestMessage WithToken(HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation(WatchEndpoints.TokenHeader, token);
        }

        return request;
    }

    /// <summary>The code, as the owner reads it in the confirmation mail the outbox holds.</summary>
    private static async Task<string> CodeAsync(FlagApiFactory app, long watchId)
    {
        var mail = Assert.Single(await MailsAsync(app, watchId, WatchMails.ConfirmTemplate));
        return SixDigits().Match(mail.Body).Value;
    }

    private static async Task<List<Notification>> MailsAsync(FlagApiFactory app, long watchId, string template)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var id = watchId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await db.Notifications.AsNoTracking()
            .Where(n => n.SubjectType == WatchService.SubjectType && n.SubjectId == id && n.Template == template)
            .OrderBy(n => n.Id)
            .ToListAsync();
    }

    private static async Task<string> TokenHashAsync(FlagApiFactory app, long watchId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Watches.Where(w => w.Id == watchId).Select(w => w.TokenHash).SingleAsync();
    }

    private static async Task<long> EntryIdAsync(FlagApiFactory app, string value)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Entries.Where(e => e.Value == value).Select(e => e.Id).SingleAsync();
    }

    /// <summary>Publishes a list naming one identifier, with the reason and contact its publisher gives.</summary>
    private static async Task PublishAsync(
        FlagApiFactory app, string reference, string value, string kind = "phone", string agency = "Beijing PSB", string? reason = null, string? contact = null)
    {
        var json = JsonSerializer.Serialize(new { entries = new[] { new { kind, value, category = "impersonating_authorities", risk = "high" } } });
        await app.PublishAsync(json, agency, reference, reason, contact);
    }

    /// <summary>Runs the notifier until it has read the whole change log (the background one may be running too: it must not matter).</summary>
    private static async Task RunNotifierAsync(FlagApiFactory app)
    {
        var notifier = app.Services.GetRequiredService<WatchNotifier>();
        for (var i = 0; i < 100; i++)
        {
            await notifier.NotifyOnceAsync(CancellationToken.None);
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var version = await db.ListState.Select(s => s.Version).SingleAsync();
            var cursor = await db.ChangeLogReaders.Where(r => r.Name == WatchNotifier.ReaderName).Select(r => r.Version).SingleAsync();
            if (cursor >= version)
            {
                return;
            }
        }

        Assert.Fail("The watch notifier did not catch up with the change log.");
    }

    [GeneratedRegex(@"(?<!\d)\d{6}(?!\d)")]
    private static partial Regex SixDigits();
}
