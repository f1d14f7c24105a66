using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Identifiers;
using FlagApi.Notifications;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

/// <summary>
/// The appeal notifications' outbox and its sender, in process: which events write which message in which language, the
/// SMS recorded for an operator, and the sender's retries, backoff and leases against a channel the test controls. The
/// real SMTP server is in <see cref="SmtpDeliveryTests"/>.
/// </summary>
public abstract class NotificationTests(DatabaseTarget target)
{
    private const string Portal = "https://flagapi.example.gov.cn";

    [Fact]
    public async Task FilingWritesOneMessageInTheLanguageAskedForOrPreferredWithTheTrackingCodeAndNeverTheToken()
    {
        await using var app = await CreateAsync();
        await app.PublishAsync(("phone", "13800138001", "impersonating_authorities", "high"), ("phone", "13800138002", "impersonating_authorities", "high"),
            ("phone", "13800138003", "impersonating_authorities", "high"));

        var english = await FileAsync(app, "13800138001", "li.na@example.com", language: "en-GB");
        var preferred = await FileAsync(app, "13800138002", "zhang.wei@example.com", acceptLanguage: "fr, en;q=0.8, zh;q=0.5");
        var chinese = await FileAsync(app, "13800138003", "wang.fang@example.com");

        var rows = await OutboxAsync(app);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal((NotificationChannels.Email, NotificationStatuses.Pending, "appeal.submitted", "appeal"), (r.Channel, r.Status, r.Template, r.SubjectType)));

        var en = rows.Single(r => r.SubjectId == english.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("li.na@example.com", "en"), (en.Recipient, en.Language));
        Assert.Equal($"Appeal {english.Code} received", en.Subject);
        Assert.Contains($"Tracking code: {english.Code}", en.Body, StringComparison.Ordinal);
        Assert.Contains($"{Portal}/track", en.Body, StringComparison.Ordinal);
        Assert.Equal("en", rows.Single(r => r.Recipient == "zhang.wei@example.com").Language);

        var zh = rows.Single(r => r.Recipient == "wang.fang@example.com");
        Assert.Equal("zh", zh.Language);
        Assert.Equal($"申诉 {chinese.Code} 已收到", zh.Subject);
        Assert.Contains($"查询码：{chinese.Code}", zh.Body, StringComparison.Ordinal);
        Assert.Contains("（北京时间）", zh.Body, StringComparison.Ordinal);

        // The stored appeal keeps the language; the token is nowhere in the outbox, however it is written.
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(["en", "en", "zh"], await db.Appeals.OrderBy(a => a.Id).Select(a => a.Language).ToListAsync());
        foreach (var (filed, row) in new[] { (english, en), (preferred, rows.Single(r => r.Recipient == "zhang.wei@example.com")), (chinese, zh) })
        {
            AssertNoToken(filed.Token, row);
        }
    }

    [Fact]
    public async Task ALanguageOtherThanChineseOrEnglishIsRefusedWithItsCode()
    {
        await using var app = await CreateAsync();
        await app.PublishAsync(("phone", "13800138004", "impersonating_authorities", "high"));
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/appeals", Body("13800138004", "li.na@example.com", "fr"));

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_language");
        Assert.Empty(await OutboxAsync(app));
    }

    [Fact]
    public async Task ARequestForInformationADecisionOneByOneOrInBulkAndAClosingEachWriteTheAppellantsMessage()
    {
        await using var app = await CreateAsync();
        await app.PublishAsync(("phone", "13800138011", "impersonating_authorities", "high"), ("phone", "13800138012", "impersonating_authorities", "high"),
            ("phone", "13800138013", "impersonating_authorities", "high"));
        var asked = await FileAsync(app, "13800138011", "li.na@example.com", language: "en");
        var bulk = await FileAsync(app, "13800138012", "wang.fang@example.com");
        var closed = await FileAsync(app, "13800138012", "zhang.wei@example.com", language: "en");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var request = await reviewer.PostAsJsonAsync($"/v1/review/appeals/{asked.Id}/request-info", new { message = "Please send the carrier's real-name certificate." });
        Assert.Equal(HttpStatusCode.OK, request.StatusCode);
        await AppealApi.DecideAsync(reviewer, asked.Id, "reject", "The certificate names another person.");
        var many = await reviewer.PostAsJsonAsync("/v1/review/appeals/decisions", new
        {
            appealIds = new[] { bulk.Id },
            decision = "approve",
            reason = "运营商确认号码属于申诉人。",
            verification = "callback",
        });
        Assert.Equal(HttpStatusCode.OK, many.StatusCode);

        // The approval cleared the entry another appellant appealed too: that appeal is closed as resolved in the approval's
        // transaction, and its appellant told why.
        var rows = await OutboxAsync(app);
        Assert.Equal(
            ["appeal.submitted", "appeal.submitted", "appeal.submitted", "appeal.info_requested", "appeal.rejected", "appeal.approved", "appeal.resolved"],
            rows.Select(r => r.Template));

        var info = rows.Single(r => r.Template == "appeal.info_requested");
        Assert.Equal(($"Appeal {asked.Code}: more information needed", "li.na@example.com"), (info.Subject, info.Recipient));
        Assert.Contains("Please send the carrier's real-name certificate.", info.Body, StringComparison.Ordinal);

        var rejected = rows.Single(r => r.Template == "appeal.rejected");
        var again = app.Clock.GetUtcNow().UtcDateTime + TimeSpan.FromDays(30);
        Assert.Contains("Reason: The certificate names another person.", rejected.Body, StringComparison.Ordinal);
        Assert.Contains($"You may appeal again from {again:yyyy-MM-dd HH:mm} UTC", rejected.Body, StringComparison.Ordinal);
        Assert.Contains("What would change the decision: " + RejectionGuidance.Default(IdentifierKind.Phone, "en"), rejected.Body, StringComparison.Ordinal);

        var approved = rows.Single(r => r.Template == "appeal.approved");
        Assert.Equal(($"申诉 {bulk.Code} 已通过", "zh"), (approved.Subject, approved.Language));
        Assert.Contains("理由：运营商确认号码属于申诉人。", approved.Body, StringComparison.Ordinal);

        var resolved = rows.Single(r => r.Template == "appeal.resolved");
        Assert.Equal("zhang.wei@example.com", resolved.Recipient);
        Assert.Contains(OpenAppealResolver.Reason(FlagEnd.AppealApproved, "en"), resolved.Body, StringComparison.Ordinal);
        Assert.Equal(rows.Count, rows.Select(r => r.MessageId).Distinct().Count());
        AssertNoToken(asked.Token, info);
    }

    [Fact]
    public async Task AMobileNumberGetsItsMessagesRecordedForAnOperatorAndAnyOtherContactGetsNone()
    {
        var file = Path.Combine(Path.GetTempPath(), "flagapi-tests", Guid.NewGuid().ToString("N"), "sms.jsonl");
        await using var app = await CreateAsync(new() { ["Notifications:Sms:RecordFile"] = file });
        await app.PublishAsync(("phone", "13800138021", "impersonating_authorities", "high"), ("phone", "13800138022", "impersonating_authorities", "high"),
            ("phone", "13800138023", "impersonating_authorities", "high"));

        var mobile = await FileAsync(app, "13800138021", "139 0013 9000");
        await FileAsync(app, "13800138022", "010 6552 9988");
        await FileAsync(app, "13800138023", "QQ 12345678");

        var row = Assert.Single(await OutboxAsync(app));
        Assert.Equal((NotificationChannels.Sms, "+8613900139000"), (row.Channel, row.Recipient));

        var pass = await app.Services.GetRequiredService<NotificationSender>().DeliverDueAsync(CancellationToken.None);

        Assert.Equal(new DeliveryPass(1, 0, 0), pass);
        var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(file))).RootElement;
        Assert.Equal(row.MessageId, line.GetProperty("messageId").GetString());
        Assert.Equal("+8613900139000", line.GetProperty("recipient").GetString());
        Assert.Equal("appeal.submitted", line.GetProperty("template").GetString());
        Assert.Contains($"查询码：{mobile.Code}", line.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(mobile.Token, line.GetProperty("text").GetString(), StringComparison.Ordinal);
        var sent = Assert.Single(await OutboxAsync(app));
        Assert.Equal((NotificationStatuses.Sent, 1, null), (sent.Status, sent.Attempts, sent.ClaimedUntil));
        Assert.NotNull(sent.SentAt);

        // Sent is final: later passes record nothing again.
        await app.Services.GetRequiredService<NotificationSender>().DeliverDueAsync(CancellationToken.None);
        Assert.Single(File.ReadAllLines(file));
    }

    [Fact]
    public async Task AFailingChannelKeepsTheMessagePendingRetriesItWithAGrowingWaitAndGivesUpAfterTheLastAttempt()
    {
        var channel = new ControlledChannel { Failure = new IOException("550 mailbox li.na@example.com unavailable") };
        await using var app = await CreateAsync(
            new() { ["Notifications:MaxAttempts"] = "3", ["Notifications:FirstRetryDelay"] = "00:01:00", ["Notifications:MaxRetryDelay"] = "00:10:00" },
            channel);
        await app.PublishAsync(("phone", "13800138031", "impersonating_authorities", "high"));
        await FileAsync(app, "13800138031", "li.na@example.com", language: "en");
        var sender = app.Services.GetRequiredService<NotificationSender>();
        var start = app.Clock.GetUtcNow().UtcDateTime;

        Assert.Equal(new DeliveryPass(0, 1, 0), await sender.DeliverDueAsync(CancellationToken.None));
        var first = Assert.Single(await OutboxAsync(app));
        Assert.Equal((NotificationStatuses.Pending, 1, null), (first.Status, first.Attempts, first.ClaimedUntil));

        // PostgreSQL keeps microseconds, the test clock ticks in tenths of them.
        Assert.Equal(start.AddMinutes(1), first.NextAttemptAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal("IOException: 550 mailbox <recipient> unavailable", first.LastError);

        // Not due before its wait is over; then the wait doubles.
        Assert.Equal(new DeliveryPass(0, 0, 0), await sender.DeliverDueAsync(CancellationToken.None));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new DeliveryPass(0, 1, 0), await sender.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(start.AddMinutes(3), Assert.Single(await OutboxAsync(app)).NextAttemptAt, TimeSpan.FromMilliseconds(1));

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(new DeliveryPass(0, 0, 1), await sender.DeliverDueAsync(CancellationToken.None));
        var given = Assert.Single(await OutboxAsync(app));
        Assert.Equal((NotificationStatuses.Failed, 3), (given.Status, given.Attempts));
        Assert.Equal(3, channel.Attempts);

        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new DeliveryPass(0, 0, 0), await sender.DeliverDueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ARowLeasedByAnotherSenderWaitsForItsLeaseAndARowRecordedAsSentIsNeverSentAgain()
    {
        var channel = new ControlledChannel();
        await using var app = await CreateAsync(new() { ["Notifications:Lease"] = "00:05:00" }, channel);
        await app.PublishAsync(("phone", "13800138041", "impersonating_authorities", "high"), ("phone", "13800138042", "impersonating_authorities", "high"));
        await FileAsync(app, "13800138041", "li.na@example.com");
        await FileAsync(app, "13800138042", "wang.fang@example.com");
        var now = app.Clock.GetUtcNow().UtcDateTime;

        // One row another instance claimed and then died holding; one it sent and recorded before dying.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var rows = await db.Notifications.OrderBy(n => n.Id).ToListAsync();
            rows[0].ClaimedUntil = now.AddMinutes(5);
            rows[1].Status = NotificationStatuses.Sent;
            rows[1].SentAt = now;
            rows[1].ClaimedUntil = now.AddMinutes(-1);
            await db.SaveChangesAsync();
        }

        var sender = app.Services.GetRequiredService<NotificationSender>();
        Assert.Equal(new DeliveryPass(0, 0, 0), await sender.DeliverDueAsync(CancellationToken.None));

        app.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(new DeliveryPass(1, 0, 0), await sender.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(["li.na@example.com"], channel.Sent.Select(m => m.Recipient));
        Assert.All(await OutboxAsync(app), r => Assert.Equal(NotificationStatuses.Sent, r.Status));
    }

    [Fact]
    public async Task WithoutAMailServerConfiguredEmailsWaitInTheOutboxUntouched()
    {
        await using var app = await CreateAsync();
        await app.PublishAsync(("phone", "13800138051", "impersonating_authorities", "high"));
        await FileAsync(app, "13800138051", "li.na@example.com");

        var pass = await app.Services.GetRequiredService<NotificationSender>().DeliverDueAsync(CancellationToken.None);

        Assert.Equal(new DeliveryPass(0, 0, 0), pass);
        var row = Assert.Single(await OutboxAsync(app));
        Assert.Equal((NotificationStatuses.Pending, 0, null), (row.Status, row.Attempts, row.ClaimedUntil));
    }

    private async Task<FlagApiFactory> CreateAsync(Dictionary<string, string?>? settings = null, INotificationChannel? channel = null)
    {
        settings ??= [];
        settings["Notifications:SenderEnabled"] = "false";
        settings["Portal:OfficialAddress"] = Portal;
        var app = new FlagApiFactory(target.Provider, await target.CreateDatabaseAsync(), settings)
        {
            TestServices = channel is null ? null : services => services.AddSingleton<INotificationChannel>(channel),
        };
        _ = app.Server;
        return app;
    }

    private static object Body(string number, string contact, string? language) => new
    {
        kind = "phone",
        value = number,
        appellant = new { name = "Li Na", contact },
        statement = "This has been my shop's number for eight years.",
        language,
    };

    /// <summary>Files an appeal on a phone number with this contact, in this language or by Accept-Language.</summary>
    internal static async Task<AppealApi.Filed> FileAsync(FlagApiFactory app, string number, string contact, string? language = null, string? acceptLanguage = null)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/appeals") { Content = JsonContent.Create(Body(number, contact, language)) };
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new AppealApi.Filed(created.GetProperty("id").GetInt64(), created.GetProperty("trackingCode").GetString()!, created.GetProperty("accessToken").GetString()!);
    }

    internal static async Task<List<Notification>> OutboxAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Notifications.AsNoTracking().OrderBy(n => n.Id).ToListAsync();
    }

    internal static void AssertNoToken(string token, Notification row)
    {
        foreach (var form in new[] { token, token.Replace("-", "", StringComparison.Ordinal) })
        {
            Assert.DoesNotContain(form, row.Subject + row.Body, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>An e-mail channel that records what it is given, or fails with <see cref="Failure"/>.</summary>
    private sealed class ControlledChannel : INotificationChannel
    {
        public Exception? Failure { get; set; }

        public int Attempts { get; private set; }

        public List<OutgoingNotification> Sent { get; } = [];

        public string Name => NotificationChannels.Email;

        public bool IsConfigured => true;

        public Task SendAsync(OutgoingNotification message, CancellationToken cancellationToken)
        {
            Attempts++;
            if (Failure is not null)
            {
                throw Failure;
            }

            Sent.Add(message);
            return Task.CompletedTask;
        }
    }
}
