using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using FlagApi.Data;
using FlagApi.Notifications;
using FlagApi.Tests.Infrastructure;
using MimeKit;

namespace FlagApi.Tests;

/// <summary>
/// Appeal messages delivered by the background sender to a real SMTP server (Debian's aiosmtpd) that the test starts,
/// reads the Maildir of, and kills mid-way. System tests: a child process.
/// </summary>
public abstract class SmtpDeliveryTests(DatabaseTarget target)
{
    private const string Portal = "https://flagapi.example.gov.cn";

    [Fact]
    public async Task AnAppellantReceivesTheFilingTheRequestAndTheDecisionByEmailInTheLanguageTheyFiledIn()
    {
        using var smtp = await SmtpServer.StartAsync();
        await using var app = await CreateAsync(smtp);
        await app.PublishAsync(("phone", "13800138101", "impersonating_authorities", "high"), ("phone", "13800138102", "impersonating_authorities", "high"));
        var english = await NotificationTests.FileAsync(app, "13800138101", "li.na@example.com", "en");
        var chinese = await NotificationTests.FileAsync(app, "13800138102", "wang.fang@example.com");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));

        var asked = await reviewer.PostAsJsonAsync($"/v1/review/appeals/{english.Id}/request-info", new { message = "Please send the carrier's real-name certificate." });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        await AppealApi.DecideAsync(reviewer, english.Id, "reject", "The certificate names another person.");
        await AppealApi.DecideAsync(reviewer, chinese.Id, "approve", "运营商确认号码属于申诉人。");

        var received = await smtp.WaitForAsync(5);
        await WaitUntilAllSentAsync(app);

        var rows = await NotificationTests.OutboxAsync(app);
        Assert.Equal(5, received.Count);
        Assert.Equal(rows.Select(r => r.MessageId).Order(StringComparer.Ordinal), received.Select(m => m.MessageId).Order(StringComparer.Ordinal));

        var toLiNa = received.Where(m => To(m) == "li.na@example.com").ToList();
        Assert.Equal(
            new[] { $"Appeal {english.Code} received", $"Appeal {english.Code}: more information needed", $"Appeal {english.Code} rejected" }.Order(StringComparer.Ordinal),
            toLiNa.Select(m => m.Subject).Order(StringComparer.Ordinal));
        Assert.All(toLiNa, m =>
        {
            Assert.Equal("en", m.Body!.Headers[HeaderId.ContentLanguage]);
            Assert.Equal("appeals@flagapi.test", m.From.Mailboxes.Single().Address);
            Assert.Contains($"{Portal}/track", m.TextBody, StringComparison.Ordinal);
            AssertNoToken(english.Token, m);
        });
        Assert.Contains("Please send the carrier's real-name certificate.", toLiNa.Single(m => m.Subject!.Contains("more information", StringComparison.Ordinal)).TextBody, StringComparison.Ordinal);
        var rejection = toLiNa.Single(m => m.Subject!.EndsWith("rejected", StringComparison.Ordinal)).TextBody;
        Assert.Contains("Reason: The certificate names another person.", rejection, StringComparison.Ordinal);
        Assert.Contains("You may appeal again from", rejection, StringComparison.Ordinal);

        var toWangFang = received.Where(m => To(m) == "wang.fang@example.com").ToList();
        Assert.Equal(
            new[] { $"申诉 {chinese.Code} 已收到", $"申诉 {chinese.Code} 已通过" }.Order(StringComparer.Ordinal),
            toWangFang.Select(m => m.Subject).Order(StringComparer.Ordinal));
        Assert.All(toWangFang, m =>
        {
            Assert.Equal("zh-CN", m.Body!.Headers[HeaderId.ContentLanguage]);
            Assert.Contains($"查询码 {chinese.Code}", m.TextBody, StringComparison.Ordinal);
            AssertNoToken(chinese.Token, m);
        });
        Assert.Contains("理由：运营商确认号码属于申诉人。", toWangFang.Single(m => m.Subject!.EndsWith("已通过", StringComparison.Ordinal)).TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMailServerThatGoesDownLosesNothingAndEveryMessageArrivesOnceWhenItIsBack()
    {
        using var smtp = await SmtpServer.StartAsync();
        await using var app = await CreateAsync(smtp);
        await app.PublishAsync(("phone", "13800138111", "impersonating_authorities", "high"), ("phone", "13800138112", "impersonating_authorities", "high"));
        var first = await NotificationTests.FileAsync(app, "13800138111", "li.na@example.com", "en");
        await smtp.WaitForAsync(1);
        await WaitUntilAllSentAsync(app);

        smtp.Stop();
        var second = await NotificationTests.FileAsync(app, "13800138112", "wang.fang@example.com");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsJsonAsync($"/v1/review/appeals/{first.Id}/request-info", new { message = "Which carrier?" })).StatusCode);
        await AppealApi.DecideAsync(reviewer, second.Id, "reject", "The number called victims last week.");

        // The sender tries each while the server is down: every try fails, and each waits in the outbox for its next.
        var waiting = await WaitForAsync(app, rows => rows.Count(r => r.Status == NotificationStatuses.Pending && r.Attempts >= 1) == 3);
        Assert.All(waiting.Where(r => r.Status == NotificationStatuses.Pending), r =>
        {
            Assert.NotNull(r.LastError);
            Assert.DoesNotContain("@example.com", r.LastError, StringComparison.Ordinal);
        });
        Assert.Single(smtp.Received());

        // Again later, still down: a second attempt after the first wait.
        app.Clock.Advance(TimeSpan.FromSeconds(2));
        await WaitForAsync(app, rows => rows.Count(r => r.Status == NotificationStatuses.Pending && r.Attempts >= 2) == 3);

        await smtp.RestartAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(10));
        var received = await smtp.WaitForAsync(4);
        var sent = await WaitUntilAllSentAsync(app);

        // A few more polls: nothing recorded as sent goes out again.
        await Task.Delay(TimeSpan.FromSeconds(1));
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        await Task.Delay(TimeSpan.FromSeconds(1));
        received = smtp.Received();
        Assert.Equal(4, received.Count);
        Assert.Equal(sent.Select(r => r.MessageId).Order(StringComparer.Ordinal), received.Select(m => m.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["appeal.info_requested", "appeal.rejected", "appeal.submitted", "appeal.submitted"],
            sent.Select(r => r.Template).Order(StringComparer.Ordinal));
    }

    private async Task<FlagApiFactory> CreateAsync(SmtpServer smtp)
    {
        var settings = new Dictionary<string, string?>(smtp.Settings)
        {
            ["Portal:OfficialAddress"] = Portal,
            ["Notifications:PollInterval"] = "00:00:00.200",
            ["Notifications:FirstRetryDelay"] = "00:00:01",
            ["Notifications:MaxRetryDelay"] = "00:00:05",
            ["Notifications:Smtp:Timeout"] = "00:00:05",
        };
        return await FlagApiFactory.CreateAsync(target, settings);
    }

    private static Task<List<Notification>> WaitUntilAllSentAsync(FlagApiFactory app) =>
        WaitForAsync(app, rows => rows.All(r => r.Status == NotificationStatuses.Sent));

    private static async Task<List<Notification>> WaitForAsync(FlagApiFactory app, Func<List<Notification>, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var rows = await NotificationTests.OutboxAsync(app);
            if (done(rows))
            {
                return rows;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail("The outbox did not reach the state awaited: "
                    + string.Join("; ", rows.Select(r => $"{r.Id} {r.Template} {r.Status} attempts {r.Attempts} {r.LastError}")));
            }

            await Task.Delay(100);
        }
    }

    private static string To(MimeMessage message) => message.To.Mailboxes.Single().Address;

    private static void AssertNoToken(string token, MimeMessage message)
    {
        foreach (var form in new[] { token, token.Replace("-", "", StringComparison.Ordinal) })
        {
            Assert.DoesNotContain(form, message.Subject + message.TextBody, StringComparison.OrdinalIgnoreCase);
        }
    }
}
