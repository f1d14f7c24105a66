using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

[Collection(BrowserTests.Name)]
public sealed class TrackPageTests(BrowserFixture browser)
{
    private const string Number = "+8613800138000";

    /// <summary>The eight bytes every PNG starts with, which is what the API checks; the rest does not matter here.</summary>
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

    [Fact]
    public async Task TrackingWithTheRightCodeAndTokenShowsTheStatusAndHistoryInBothLanguages()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        var appeal = await AppealApi.FileAsync(app, Number);

        foreach (var (screen, language) in new[] { (Screen.Phone, (string?)null), (Screen.Desktop, "en") })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            var page = session.Page;
            await session.GotoAsync($"/track?code={appeal.Code}");
            await Assertions.Expect(page.Locator("#track-code")).ToHaveValueAsync(appeal.Code);
            await Assertions.Expect(page.Locator("#track-token")).ToBeFocusedAsync();
            Assert.Equal("password", await page.Locator("#track-token").GetAttributeAsync("type"));
            await session.ScreenshotAsync($"track-form-{screen.Name}-{language ?? "zh"}");

            // Keyboard only: type the token, show it to check it, and press Enter.
            await page.Keyboard.TypeAsync(appeal.Token);
            await page.Keyboard.PressAsync("Tab");
            await Assertions.Expect(page.Locator("#track-token-toggle")).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
            Assert.Equal("text", await page.Locator("#track-token").GetAttributeAsync("type"));
            await Assertions.Expect(page.Locator("#track-token-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
            await page.Locator("#track-token").FocusAsync();
            await page.Keyboard.PressAsync("Enter");

            var status = page.Locator("#appeal-status");
            await Assertions.Expect(status).ToHaveAttributeAsync("data-status", "submitted");
            await Assertions.Expect(page.Locator("#appeal-view-title")).ToBeFocusedAsync();
            var history = page.Locator("#appeal-history li");
            await Assertions.Expect(history).ToHaveCountAsync(1);
            if (language is null)
            {
                await Assertions.Expect(status).ToHaveTextAsync("已提交，等待审核");
                await Assertions.Expect(history.First).ToContainTextAsync("您");
                await Assertions.Expect(history.First).ToContainTextAsync("提交了申诉");
                await Assertions.Expect(page.Locator("#appeal-view")).ToContainTextAsync("之前给您答复");
            }
            else
            {
                await Assertions.Expect(status).ToHaveTextAsync("Received, waiting for a reviewer");
                await Assertions.Expect(history.First).ToContainTextAsync("You");
                await Assertions.Expect(history.First).ToContainTextAsync("Filed the appeal");
                await Assertions.Expect(page.Locator("#appeal-due")).Not.ToBeEmptyAsync();
            }

            Assert.DoesNotContain(appeal.Token, page.Url, StringComparison.Ordinal);

            // A reload keeps the appeal on screen for this tab; closing it forgets the token.
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "submitted");
            await page.Locator("#track-forget").ClickAsync();
            await Assertions.Expect(page.Locator("#appeal-view")).ToBeHiddenAsync();
            Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('flagapi.track')"));
        }
    }

    [Fact]
    public async Task AWrongTokenOrCodeShowsOneNeutralMessage()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        var appeal = await AppealApi.FileAsync(app, Number);

        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, "en");
        session.Tolerated.Add("status of 404");
        var page = session.Page;
        await session.GotoAsync("/track");
        var alert = page.Locator("#track-form [data-role='form-alert']");

        await page.Locator("#track-code").FillAsync(appeal.Code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal));
        await page.Locator("#track-token").FillAsync(appeal.Token + "x");
        await page.Locator("#track-submit").ClickAsync();
        await Assertions.Expect(alert).ToHaveTextAsync(
            "There is no appeal with this tracking code and access token. Please check both carefully and try again.");
        await Assertions.Expect(alert).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#appeal-view")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("[aria-invalid='true']")).ToHaveCountAsync(0);

        // A code that does not exist gets the very same words, so the page does not tell which one was wrong.
        var otherCode = appeal.Code[..^1] + (appeal.Code[^1] == 'X' ? 'Y' : 'X');
        await page.Locator("#track-code").FillAsync(otherCode);
        await page.Locator("#track-token").FillAsync(appeal.Token);
        await page.Locator("#track-submit").ClickAsync();
        await Assertions.Expect(alert).ToHaveTextAsync(
            "There is no appeal with this tracking code and access token. Please check both carefully and try again.");

        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(alert).ToHaveTextAsync("没有找到这个申诉编号和查询密码对应的申诉。请把两样都仔细核对一遍再试。");
    }

    [Fact]
    public async Task AnsweringARequestForInformationMovesItBackToReviewAndShowsTheAnswer()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        var appeal = await AppealApi.FileAsync(app, Number);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var asked = await reviewer.PostAsJsonAsync($"/v1/review/appeals/{appeal.Id}/request-info", new { message = "请上传营业执照照片。Please send a photo of your shop licence." });
        Assert.True(asked.IsSuccessStatusCode, await asked.Content.ReadAsStringAsync());

        foreach (var (screen, language) in new[] { (Screen.Desktop, "en"), (Screen.Phone, (string?)null) })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            var page = session.Page;
            await OpenAsync(session, appeal);
            await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "needs_info");
            var questions = page.Locator("#appeal-questions");
            await Assertions.Expect(questions).ToContainTextAsync("Please send a photo of your shop licence.");
            await Assertions.Expect(questions).ToContainTextAsync(language is null ? "审核人员的问题" : "The reviewer's questions");
            await Assertions.Expect(page.Locator("#answer-form")).ToBeVisibleAsync();
            await session.ScreenshotAsync($"track-needs-info-{screen.Name}-{language ?? "zh"}");
        }

        await using (var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone))
        {
            var page = session.Page;
            await OpenAsync(session, appeal);
            await page.Locator("#answer-submit").ClickAsync();
            await Assertions.Expect(page.Locator("#answer-message-error")).ToHaveTextAsync("请写下您的回复，或添加审核人员要的照片或文件。");

            await page.Locator("#answer-message").FillAsync("营业执照号码 91530100MA6K123456，照片我去拍。");

            // Opening the appeal again (pressed once more, or opened by itself from the success page) keeps what is typed.
            await page.Locator("#track-submit").ClickAsync();
            await Assertions.Expect(page.Locator("#track-submit")).ToBeEnabledAsync();
            await Assertions.Expect(page.Locator("#answer-message")).ToHaveValueAsync("营业执照号码 91530100MA6K123456，照片我去拍。");

            await page.Locator("#answer-submit").ClickAsync();
            await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "in_review");
            await Assertions.Expect(page.Locator("#track-notice")).ToHaveTextAsync("您的回复已发送，审核人员会继续处理。");
            await Assertions.Expect(page.Locator("#track-notice")).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#answer-form")).ToHaveCountAsync(0);
            var last = page.Locator("#appeal-history li").Last;
            await Assertions.Expect(last).ToContainTextAsync("您");
            await Assertions.Expect(last).ToContainTextAsync("营业执照号码 91530100MA6K123456");
            await Assertions.Expect(page.Locator("#appeal-history li").Nth(1)).ToContainTextAsync("审核人员");
        }

        var seen = await AppealApi.ReviewerViewAsync(reviewer, appeal.Id);
        Assert.Equal("in_review", seen.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task WithdrawingAsksForConfirmationInThePageFirst()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        var appeal = await AppealApi.FileAsync(app, Number);

        foreach (var (screen, language) in new[] { (Screen.Phone, (string?)null), (Screen.Desktop, "en") })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            var page = session.Page;
            await OpenAsync(session, appeal);
            if (screen == Screen.Phone)
            {
                await page.Locator("#withdraw-button").ClickAsync();
                await Assertions.Expect(page.Locator("#withdraw-confirm-text")).ToBeFocusedAsync();
                await Assertions.Expect(page.Locator("#withdraw-confirm-panel")).ToContainTextAsync("确定要撤回这个申诉吗？");
                await page.Locator("#withdraw-cancel").ClickAsync();
                await Assertions.Expect(page.Locator("#withdraw-button")).ToBeFocusedAsync();
                await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "submitted");

                // Keyboard only this time: Enter on the focused button, Escape steps back, then Enter on the confirmation.
                await page.Keyboard.PressAsync("Enter");
                await Assertions.Expect(page.Locator("#withdraw-confirm-text")).ToBeFocusedAsync();
                await page.Keyboard.PressAsync("Escape");
                await Assertions.Expect(page.Locator("#withdraw-button")).ToBeFocusedAsync();
                await page.Keyboard.PressAsync("Enter");
                await Assertions.Expect(page.Locator("#withdraw-confirm-text")).ToBeFocusedAsync();
                await page.Keyboard.PressAsync("Tab");
                await Assertions.Expect(page.Locator("#withdraw-confirm")).ToBeFocusedAsync();
                await page.Keyboard.PressAsync("Enter");
                await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "withdrawn");
                await Assertions.Expect(page.Locator("#appeal-status")).ToHaveTextAsync("已撤回");
                await Assertions.Expect(page.Locator("#track-notice")).ToHaveTextAsync("申诉已撤回。");
            }

            await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "withdrawn");
            await Assertions.Expect(page.Locator("#withdraw-button")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#appeal-history li").Last).ToContainTextAsync(language is null ? "撤回了申诉" : "Withdrew the appeal");
            await session.ScreenshotAsync($"track-withdrawn-{screen.Name}-{language ?? "zh"}");
        }
    }

    [Fact]
    public async Task AnAnswerCarriesThePhotoTheReviewerAskedForUnderTheFilingRules()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        var appeal = await AppealApi.FileAsync(app, Number);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var asked = await reviewer.PostAsJsonAsync($"/v1/review/appeals/{appeal.Id}/request-info", new { message = "请上传营业执照照片。" });
        Assert.True(asked.IsSuccessStatusCode, await asked.Content.ReadAsStringAsync());

        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone);
        session.Tolerated.Add("status of 400");
        var page = session.Page;
        await OpenAsync(session, appeal);
        await Assertions.Expect(page.Locator("#answer-files-hint")).ToContainTextAsync("每个不超过 2 MB");

        // The page refuses what it can tell (a text file); the API refuses a file named .png that is not one, shown by the chooser.
        await page.Locator("#answer-files").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "hello"u8.ToArray() },
            new FilePayload { Name = "fake.png", MimeType = "image/png", Buffer = "<html>"u8.ToArray() },
        });
        await Assertions.Expect(page.Locator("#answer-files-error")).ToContainTextAsync("notes.txt");
        await Assertions.Expect(page.Locator("#answer-file-list li")).ToHaveCountAsync(1);
        await page.Locator("#answer-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#answer-files-error")).ToContainTextAsync("不是真正的 PNG");
        await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "needs_info");

        // The photo alone is an answer.
        await page.Locator("#answer-file-list button").ClickAsync();
        await page.Locator("#answer-files").SetInputFilesAsync(new FilePayload { Name = "licence.png", MimeType = "image/png", Buffer = Png });
        await page.Locator("#answer-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "in_review");
        var last = page.Locator("#appeal-history > li").Last;
        await Assertions.Expect(last).ToHaveAttributeAsync("data-action", "message");
        await Assertions.Expect(last.Locator(".history-files li")).ToHaveTextAsync("licence.png");

        var seen = await AppealApi.ReviewerViewAsync(reviewer, appeal.Id);
        var file = Assert.Single(seen.Json.GetProperty("attachments").EnumerateArray());
        Assert.Equal("licence.png", file.GetProperty("fileName").GetString());
        Assert.Equal("image/png", file.GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task ADecidedAppealShowsTheDecisionAndItsReason()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        var appeal = await AppealApi.FileAsync(app, Number);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        await AppealApi.DecideAsync(reviewer, appeal.Id, "approve", "已回拨核实，号码为本人小卖部使用。Called back: the shop's own number.");

        foreach (var (screen, language) in new[] { (Screen.Phone, (string?)null), (Screen.Desktop, "en") })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            var page = session.Page;
            await OpenAsync(session, appeal);
            await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "approved");
            var decision = page.Locator("#appeal-decision");
            await Assertions.Expect(decision).ToContainTextAsync("已回拨核实，号码为本人小卖部使用。Called back: the shop's own number.");
            await Assertions.Expect(decision).ToContainTextAsync(language is null ? "几分钟内更新" : "update within minutes");
            await Assertions.Expect(page.Locator("#withdraw-button")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#appeal-history li").Last).ToContainTextAsync(language is null ? "审核人员" : "Reviewer");
            await session.ScreenshotAsync($"track-approved-{screen.Name}-{language ?? "zh"}");
        }
    }

    [Fact]
    public async Task ARejectedAppealSaysWhenTheAppellantMayAppealAgainAndWhatWouldChangeTheDecision()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"), ("phone", "+8613900000001", "other", "high"));
        var told = await AppealApi.FileAsync(app, Number);
        var defaulted = await AppealApi.FileAsync(app, "+8613900000001");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        await AppealApi.DecideAsync(reviewer, told.Id, new { decision = "reject", reason = "话费单上的机主不是您。", whatWouldChange = "请提供运营商出具的、写明您姓名的实名登记证明。" });
        await AppealApi.DecideAsync(reviewer, defaulted.Id, new { decision = "reject", reason = "没有证明材料。" });

        foreach (var (screen, language) in new[] { (Screen.Phone, (string?)null), (Screen.Desktop, "en") })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            var page = session.Page;
            await OpenAsync(session, told);
            await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "rejected");
            await Assertions.Expect(page.Locator("#appeal-what-would-change")).ToContainTextAsync("请提供运营商出具的、写明您姓名的实名登记证明。");
            await Assertions.Expect(page.Locator("#appeal-what-would-change h4")).ToHaveTextAsync(language is null ? "怎样才能改变这个决定" : "What would change the decision");
            await Assertions.Expect(page.Locator("#appeal-again")).ToContainTextAsync(language is null ? "起重新申诉" : "you can appeal again from");
            await session.ScreenshotAsync($"track-rejected-{screen.Name}-{language ?? "zh"}");
        }

        // Without the reviewer's words, what helps for a phone number, in the language the appeal was filed in.
        await using var plain = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, null);
        await OpenAsync(plain, defaulted);
        await Assertions.Expect(plain.Page.Locator("#appeal-what-would-change")).ToContainTextAsync("运营商出具的实名登记证明");
    }

    [Fact]
    public async Task AnAppealClosedBecauseTheFlagEndedShowsItAsResolved()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        var approved = await AppealApi.FileAsync(app, Number);
        var other = await AppealApi.FileAsync(app, Number, contact: "13700137000");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        await AppealApi.DecideAsync(reviewer, approved.Id, "approve", "已回拨核实。");

        foreach (var (screen, language) in new[] { (Screen.Phone, (string?)null), (Screen.Desktop, "en") })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            var page = session.Page;
            await OpenAsync(session, other);
            await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "resolved");
            await Assertions.Expect(page.Locator("#appeal-status")).ToHaveTextAsync(language is null ? "已结案：不再被标记" : "Closed: no longer flagged");
            await Assertions.Expect(page.Locator("#appeal-decision")).ToHaveAttributeAsync("data-decision", "resolved");
            await Assertions.Expect(page.Locator("#appeal-decision .decision-reason")).ToContainTextAsync("另一份申诉已经通过");
            await Assertions.Expect(page.Locator("#withdraw-button")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#appeal-history li").Last).ToContainTextAsync(language is null ? "申诉结案" : "Closed the appeal");
            await session.ScreenshotAsync($"track-resolved-{screen.Name}-{language ?? "zh"}");
        }
    }

    private static async Task OpenAsync(PortalSession session, AppealApi.Filed appeal)
    {
        await session.GotoAsync($"/track?code={appeal.Code}");
        await session.Page.Locator("#track-token").FillAsync(appeal.Token);
        await session.Page.Locator("#track-submit").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#appeal-view")).ToBeVisibleAsync();
    }
}
