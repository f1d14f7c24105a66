using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

/// <summary>
/// Issue 26 on the review console: every form and action sent with the keyboard leaves focus on its result or on a
/// control (never on the page's body), and a language switch redraws every message the console shows, with Chinese left
/// only where it is marked lang="zh…" or is what a person typed. axe-core checks each new state at its screenshot.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed partial class ReviewFocusAndLanguageTests(BrowserFixture browser)
{
    /// <summary>
    /// The text of every message, notice, alert, field error, result and table shown, with what is marked Chinese and
    /// what a person typed (statements, their words in the service's texts) taken out.
    /// </summary>
    private const string ShownMessages = """
        () => [...document.querySelectorAll(
            '#main .notice, #main [role=alert], #main [role=status], .field-error, #bulk-results, #bulk-count, #queue-summary, '
            + '#report-summary, #appeal-table, #detail-title, #main .facts, #queue-page, #report-page')]
          .filter((node) => !node.closest('[hidden]') && node.textContent.trim() !== '')
          .map((node) => {
            const copy = node.cloneNode(true);
            for (const skipped of copy.querySelectorAll('[lang^="zh"], .statement, .their-words')) skipped.remove();
            return `${node.id || node.className}: ${copy.textContent}`;
          })
        """;

    [Fact]
    public async Task SigningInAndOutWithTheKeyboardKeepsFocusOnTheMessageOrTheKeyField()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        var appKey = await app.CreateKeyAsync("app");
        var key = await app.CreateKeyAsync("reviewer");
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, null);
        session.Tolerated.Add("status of 401");
        session.Tolerated.Add("status of 403");
        var page = session.Page;
        await session.GotoAsync("/review");

        await SendAsync(page, "#signin-submit");
        await AssertFocusedAsync(page, "#reviewer-key");

        var alert = "#signin-form [data-role=form-alert]";
        await page.Locator("#reviewer-key").FillAsync("fk_not-a-real-key");
        await SendAsync(page, "#signin-submit");
        await AssertFocusedAsync(page, alert);

        await page.Locator("#reviewer-key").FillAsync(appKey);
        await SendAsync(page, "#signin-submit");
        await Assertions.Expect(page.Locator(alert)).ToContainTextAsync("不是审核员密钥");
        await AssertFocusedAsync(page, alert);

        await page.Locator("#reviewer-key").FillAsync(key);
        await SendAsync(page, "#signin-submit");
        await AssertFocusedAsync(page, "#review-status");

        await SendAsync(page, "#signout-button");
        await AssertFocusedAsync(page, "#reviewer-key");
    }

    [Fact]
    public async Task TheQueuesFiltersPagingAndBulkDecisionsKeepFocus()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        // One more appeal than a page holds: the queue has a second page.
        var numbers = Enumerable.Range(0, 26).Select(i => $"+86138001381{i:00}").ToArray();
        await app.PublishAsync(numbers.Select(n => ("phone", n, "task_brushing", "high")).ToArray());
        foreach (var number in numbers)
        {
            await FileAsync(app, number);
        }

        await using var session = await SignedInAsync(app, Screen.Desktop);
        session.Tolerated.Add("status of 400");
        var page = session.Page;
        var rows = page.Locator("#appeal-rows tr");

        // Filters: a list number the page refuses, one the API refuses, one that applies, and clearing them.
        await page.Locator("#filter-list").FillAsync("abc");
        await SendAsync(page, "#filter-submit");
        await AssertFocusedAsync(page, "#filter-list");
        await page.Locator("#filter-list").FillAsync("99999999999999999999");
        await SendAsync(page, "#filter-submit");
        await Assertions.Expect(page.Locator("#filter-list")).ToHaveAttributeAsync("aria-invalid", "true");
        await AssertFocusedAsync(page, "#queue-filters [data-role=form-alert]");
        await page.Locator("#filter-list").FillAsync(string.Empty);
        await page.Locator("#filter-status").SelectOptionAsync("submitted");
        await SendAsync(page, "#filter-submit");
        await Assertions.Expect(page.Locator("#queue-filters [data-role=form-alert]")).ToBeHiddenAsync();
        await AssertFocusedAsync(page, "#filter-submit");
        await SendAsync(page, "#filter-clear");
        await AssertFocusedAsync(page, "#filter-clear");

        // Paging: the last page disables "next", the first "previous"; focus goes to the other button.
        await Assertions.Expect(rows).ToHaveCountAsync(25);
        await SendAsync(page, "#queue-next");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#queue-next")).ToBeDisabledAsync();
        await AssertFocusedAsync(page, "#queue-prev");
        await session.ScreenshotAsync("review-queue-last-page-desktop-zh");
        await SendAsync(page, "#queue-prev");
        await Assertions.Expect(rows).ToHaveCountAsync(25);
        await AssertFocusedAsync(page, "#queue-next");

        // A bulk decision: nothing selected, no decision chosen, then done.
        await SendAsync(page, "#bulk-submit");
        await AssertFocusedAsync(page, "#bulk-form [data-role=form-alert]");
        await rows.Nth(0).Locator(".bulk-select").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await SendAsync(page, "#bulk-submit");
        await AssertFocusedAsync(page, "#bulk-approve");
        await page.Locator("#bulk-reject").CheckAsync();
        await page.Locator("#bulk-reason").FillAsync("The number called victims of a task scam.");
        await SendAsync(page, "#bulk-submit");
        await Assertions.Expect(page.Locator("#bulk-results li[data-outcome=decided]")).ToHaveCountAsync(1);
        await AssertFocusedAsync(page, "#bulk-results");
        await page.SetViewportSizeAsync(Screen.Phone.Width, Screen.Phone.Height);
        await session.ScreenshotAsync("review-bulk-results-phone-zh");
    }

    [Fact]
    public async Task ActingOnAnAppealKeepsFocusOnTheNoticeTheFieldOrTheControl()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "+8613800138201", "gambling", "high"), ("phone", "+8613800138202", "gambling", "high"));
        var appeal = await FileAsync(app, "+8613800138201", withPhoto: true);
        var other = await FileAsync(app, "+8613800138202");
        using var otherReviewer = app.CreateClient(await app.CreateKeyAsync("reviewer", name: "other reviewer"));

        await using var session = await SignedInAsync(app, Screen.Desktop);
        foreach (var status in new[] { "400", "412", "500" })
        {
            session.Tolerated.Add($"status of {status}");
        }

        var page = session.Page;
        await SendAsync(page, $"tr[data-appeal-id='{appeal.Id}'] .open-appeal");
        await AssertFocusedAsync(page, "#detail-title");

        // The attachment: a failed download leaves focus on its button, a good one moves it to the saved file's link.
        await page.RouteAsync("**/attachments/**", route => route.FulfillAsync(new RouteFulfillOptions { Status = 500 }));
        await SendAsync(page, ".attachment-download");
        await Assertions.Expect(page.Locator(".attachment-file .field-error")).ToBeVisibleAsync();
        await AssertFocusedAsync(page, ".attachment-download");
        await page.UnrouteAsync("**/attachments/**");
        await SendAsync(page, ".attachment-download");
        await AssertFocusedAsync(page, ".attachment-file a");

        // Asking for more: refused by the page, refused by the API (too long), then sent after taking the appeal.
        await SendAsync(page, "#request-info-submit");
        await AssertFocusedAsync(page, "#request-info-message");
        await page.Locator("#request-info-message").FillAsync(new string('x', 2001));
        await SendAsync(page, "#request-info-submit");
        await AssertFocusedAsync(page, "#request-info-form [data-role=form-alert]");
        await SendAsync(page, "#assign-button");
        await Assertions.Expect(page.Locator("#appeal-detail")).ToHaveAttributeAsync("data-status", "in_review");
        await AssertFocusedAsync(page, "#detail-notice");
        await page.Locator("#request-info-message").FillAsync("Please send a photo of the contract.");
        await SendAsync(page, "#request-info-submit");
        await Assertions.Expect(page.Locator("#appeal-detail")).ToHaveAttributeAsync("data-status", "needs_info");
        await AssertFocusedAsync(page, "#detail-notice");

        // The appellant answers meanwhile: the console's copy is stale.
        using (var appellant = app.CreateClient())
        using (var answer = new HttpRequestMessage(HttpMethod.Post, $"/v1/appeals/{appeal.Code}/messages")
        {
            Content = JsonContent.Create(new { message = "The contract is attached." }),
        })
        {
            answer.Headers.Add("X-Appeal-Token", appeal.Token);
            Assert.True((await appellant.SendAsync(answer)).IsSuccessStatusCode);
        }

        // Deciding: refused by the page, refused as stale (reloaded), then done.
        await SendAsync(page, "#decision-submit");
        await AssertFocusedAsync(page, "#decision-approve");
        await page.Locator("#decision-approve").CheckAsync();
        await page.Locator("#decision-verification").SelectOptionAsync("callback");
        await page.Locator("#decision-reason").FillAsync("We called back and the owner answered.");
        await SendAsync(page, "#decision-submit");
        await Assertions.Expect(page.Locator("#appeal-detail")).ToHaveAttributeAsync("data-status", "in_review");
        await AssertFocusedAsync(page, "#detail-notice");
        await session.ScreenshotAsync("review-detail-stale-desktop-zh");
        await page.SetViewportSizeAsync(Screen.Phone.Width, Screen.Phone.Height);
        await session.ScreenshotAsync("review-detail-stale-phone-zh");
        await page.SetViewportSizeAsync(Screen.Desktop.Width, Screen.Desktop.Height);
        await page.Locator("#decision-reject").CheckAsync();
        await page.Locator("#decision-reason").FillAsync("The owner could not show the number is theirs.");
        await SendAsync(page, "#decision-submit");
        await Assertions.Expect(page.Locator("#appeal-queue")).ToBeVisibleAsync();
        await AssertFocusedAsync(page, "#queue-status");

        // Taking an appeal another reviewer took meanwhile: stale, reloaded, and said so.
        await SendAsync(page, $"tr[data-appeal-id='{other.Id}'] .open-appeal");
        await AssertFocusedAsync(page, "#detail-title");
        var taken = await otherReviewer.PostAsJsonAsync($"/v1/review/appeals/{other.Id}/assign", new { });
        Assert.True(taken.IsSuccessStatusCode, await taken.Content.ReadAsStringAsync());
        await SendAsync(page, "#assign-button");
        await Assertions.Expect(page.Locator("#detail-notice")).ToBeVisibleAsync();
        await AssertFocusedAsync(page, "#detail-notice");
        await SendAsync(page, "#back-to-queue");
        await AssertFocusedAsync(page, $"tr[data-appeal-id='{other.Id}'] .open-appeal");
    }

    [Fact]
    public async Task ReportDecisionsAndReportPagingKeepFocus()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        // One more group than a page holds.
        await ReportAsync(app, Enumerable.Range(0, 21).Select(i => $"+86137001372{i:00}"));
        var key = await app.CreateKeyAsync("reviewer");
        await using var session = await SignedInAsync(app, Screen.Desktop, key);
        session.Tolerated.Add("status of 409");
        session.Tolerated.Add("status of 400");
        var page = session.Page;
        await SendAsync(page, "#tab-reports");
        var groups = page.Locator(".report-group");
        await Assertions.Expect(groups).ToHaveCountAsync(20);

        await SendAsync(page, "#report-next");
        await Assertions.Expect(groups).ToHaveCountAsync(1);
        await AssertFocusedAsync(page, "#report-prev");
        await SendAsync(page, "#report-prev");
        await Assertions.Expect(groups).ToHaveCountAsync(20);
        await AssertFocusedAsync(page, "#report-next");

        // Accepting without a risk: the first field to mend takes focus.
        var first = groups.Nth(0);
        await SendAsync(page, first.Locator(".report-accept"));
        await AssertFocusedAsync(page, first.Locator("select[id$=-risk]"));

        // A group another reviewer decided meanwhile: the group's alert says so.
        var second = groups.Nth(1);
        var id = await second.GetAttributeAsync("data-report-id");
        await second.Locator("textarea[id$=-reason]").FillAsync("Not enough to go on.");
        await DecideReportAsync(app, key, id!);
        await SendAsync(page, second.Locator(".report-reject"));
        await AssertFocusedAsync(page, second.Locator("[data-role=form-alert]"));
        await session.ScreenshotAsync("review-report-refused-desktop-zh");

        // Done: the group is gone and the status says what happened.
        var third = groups.Nth(2);
        await third.Locator("textarea[id$=-reason]").FillAsync("Only one person, no details.");
        await SendAsync(page, third.Locator(".report-reject"));
        await Assertions.Expect(page.Locator("#report-status")).ToBeVisibleAsync();
        await AssertFocusedAsync(page, "#report-status");
    }

    [Fact]
    public async Task SwitchingLanguageRedrawsTheQueuesMessagesAndResults()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "+8613800138301", "loan_or_card", "high"), ("phone", "+8613800138302", "loan_or_card", "high"));
        var decided = await FileAsync(app, "+8613800138301");
        var unopened = await FileAsync(app, "+8613800138302");
        await using var session = await SignedInAsync(app, Screen.Desktop);
        session.Tolerated.Add("status of 400");
        session.Tolerated.Add("net::ERR_FAILED");
        var page = session.Page;

        // In Chinese: the signed-in notice, a filter the API refused, a bulk result, a refused bulk form, and a problem of
        // the shared kind (the server out of reach while an appeal opens).
        await page.Locator("#filter-list").FillAsync("99999999999999999999");
        await SendAsync(page, "#filter-submit");
        await Assertions.Expect(page.Locator("#filter-list-error")).ToBeVisibleAsync();
        await page.Locator($"tr[data-appeal-id='{decided.Id}'] .bulk-select").CheckAsync();
        await page.Locator("#bulk-reject").CheckAsync();
        await page.Locator("#bulk-reason").FillAsync("Same campaign.");
        await SendAsync(page, "#bulk-submit");
        await Assertions.Expect(page.Locator("#bulk-results li")).ToHaveCountAsync(1);
        await SendAsync(page, "#bulk-submit");
        await page.RouteAsync($"**/v1/review/appeals/{unopened.Id}", route => route.AbortAsync());
        await SendAsync(page, $"tr[data-appeal-id='{unopened.Id}'] .open-appeal");
        await Assertions.Expect(page.Locator("#queue-status")).ToBeVisibleAsync();
        foreach (var shown in new[] { "#review-status", "#queue-status", "#filter-list-error", "#queue-filters [data-role=form-alert]", "#bulk-results", "#bulk-form [data-role=form-alert]" })
        {
            await Assertions.Expect(page.Locator(shown)).ToHaveTextAsync(Han());
        }

        await SwitchToEnglishAndAssertNoUnmarkedChineseAsync(page, atLeast: 9);
        await Assertions.Expect(page.Locator("#queue-status")).ToHaveTextAsync(new Regex("server cannot be reached"));
        await Assertions.Expect(page.Locator("#filter-list-error")).ToHaveTextAsync(new Regex("filter is not valid"));
        await session.ScreenshotAsync("review-queue-messages-desktop-en");
    }

    [Fact]
    public async Task SwitchingLanguageRedrawsAnAppealsMessagesAndTheReportGroupsErrors()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "+8613800138401", "loan_or_card", "high"));
        var appeal = await FileAsync(app, "+8613800138401", withPhoto: true);
        await ReportAsync(app, ["+8613700137401", "+8613700137402", "+8613700137403"]);
        var key = await app.CreateKeyAsync("reviewer");
        await using var session = await SignedInAsync(app, Screen.Desktop, key);
        foreach (var status in new[] { "400", "409", "500" })
        {
            session.Tolerated.Add($"status of {status}");
        }

        var page = session.Page;

        // One appeal: taken (a notice), a request the API refused, a decision refused by the page, a failed download.
        await SendAsync(page, $"tr[data-appeal-id='{appeal.Id}'] .open-appeal");
        await AssertFocusedAsync(page, "#detail-title");
        await SendAsync(page, "#assign-button");
        await Assertions.Expect(page.Locator("#detail-notice")).ToHaveTextAsync(Han());
        await page.Locator("#request-info-message").FillAsync(new string('x', 2001));
        await SendAsync(page, "#request-info-submit");
        await Assertions.Expect(page.Locator("#request-info-message-error")).ToHaveTextAsync(Han());
        await SendAsync(page, "#decision-submit");
        await Assertions.Expect(page.Locator("#decision-form .field-error")).ToHaveCountAsync(2);
        await page.RouteAsync("**/attachments/**", route => route.FulfillAsync(new RouteFulfillOptions { Status = 500 }));
        await SendAsync(page, ".attachment-download");
        await Assertions.Expect(page.Locator(".attachment-file .field-error")).ToHaveTextAsync(Han());

        await SwitchToEnglishAndAssertNoUnmarkedChineseAsync(page, atLeast: 8);
        await Assertions.Expect(page.Locator("#request-info-message-error")).ToHaveTextAsync(new Regex("Write what the appellant should send"));
        await session.ScreenshotAsync("review-detail-messages-desktop-en");

        // The report groups, in Chinese again: one rejected (the status), one refused by the page, one decided elsewhere.
        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await SendAsync(page, "#tab-reports");
        var groups = page.Locator(".report-group");
        await Assertions.Expect(groups).ToHaveCountAsync(3);
        await groups.Nth(0).Locator("textarea[id$=-reason]").FillAsync("Only one person, no details.");
        await SendAsync(page, groups.Nth(0).Locator(".report-reject"));
        await Assertions.Expect(groups).ToHaveCountAsync(2);
        await SendAsync(page, groups.Nth(0).Locator(".report-accept"));
        await Assertions.Expect(groups.Nth(0).Locator(".field-error")).ToHaveCountAsync(2);
        var id = await groups.Nth(1).GetAttributeAsync("data-report-id");
        await groups.Nth(1).Locator("textarea[id$=-reason]").FillAsync("Not enough to go on.");
        await DecideReportAsync(app, key, id!);
        await SendAsync(page, groups.Nth(1).Locator(".report-reject"));
        await Assertions.Expect(groups.Nth(1).Locator("[data-role=form-alert]")).ToHaveTextAsync(Han());
        await Assertions.Expect(page.Locator("#report-status")).ToHaveTextAsync(Han());

        await SwitchToEnglishAndAssertNoUnmarkedChineseAsync(page, atLeast: 6);
        await Assertions.Expect(groups.Nth(1).Locator("[data-role=form-alert]")).ToHaveTextAsync(new Regex("decided already"));
        await session.ScreenshotAsync("review-report-messages-desktop-en");
        await page.SetViewportSizeAsync(Screen.Phone.Width, Screen.Phone.Height);
        await session.ScreenshotAsync("review-report-messages-phone-en");
    }

    // The CJK ideographs, written so that Playwright can hand the same pattern to the browser's RegExp.
    [GeneratedRegex(@"[\u4E00-\u9FFF]")]
    private static partial Regex Han();

    private static Task SendAsync(IPage page, string selector) => SendAsync(page, page.Locator(selector));

    /// <summary>Sends a form or presses a control as a keyboard user does: focus on it, then Enter.</summary>
    private static async Task SendAsync(IPage page, ILocator control)
    {
        await control.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
    }

    private static Task AssertFocusedAsync(IPage page, string selector) => AssertFocusedAsync(page, page.Locator(selector));

    private static async Task AssertFocusedAsync(IPage page, ILocator expected)
    {
        await Assertions.Expect(expected).ToBeFocusedAsync();
        Assert.NotEqual("BODY", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));
    }

    private static async Task SwitchToEnglishAndAssertNoUnmarkedChineseAsync(IPage page, int atLeast)
    {
        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        var shown = await page.EvaluateAsync<string[]>(ShownMessages);
        Assert.True(shown.Length >= atLeast, $"only {shown.Length} messages shown:\n" + string.Join("\n", shown));
        var chinese = shown.Where(text => Han().IsMatch(text)).ToArray();
        Assert.True(chinese.Length == 0, "left in Chinese after the switch:\n" + string.Join("\n", chinese));
    }

    private static Task<AppealApi.Filed> FileAsync(FlagApiFactory app, string number, bool withPhoto = false) =>
        AppealApi.FileAsync(
            app, number, contact: "li.lei@example.com", name: "Li Lei", statement: "这是我的号码。",
            attachments: withPhoto ? [new { fileName = "contract.png", contentBase64 = ReviewConsoleTests.Png }] : null);

    private static async Task ReportAsync(FlagApiFactory app, IEnumerable<string> numbers)
    {
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));
        foreach (var number in numbers)
        {
            var reported = await client.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = number, category = "gambling", description = "他叫我下载赌博软件。", reporterId = "user-1" });
            Assert.True(reported.IsSuccessStatusCode, await reported.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Another reviewer rejects the report group through the API.</summary>
    private static async Task DecideReportAsync(FlagApiFactory app, string key, string reportId)
    {
        using var reviewer = app.CreateClient(key);
        var decided = await reviewer.PostAsJsonAsync($"/v1/reports/{reportId}/decision", new { decision = "reject", reason = "Decided elsewhere." });
        Assert.True(decided.IsSuccessStatusCode, await decided.Content.ReadAsStringAsync());
    }

    /// <summary>A tab signed in to the console with the keyboard; the signed-in notice takes focus.</summary>
    private async Task<PortalSession> SignedInAsync(FlagApiFactory app, Screen screen, string? key = null)
    {
        key ??= await app.CreateKeyAsync("reviewer");
        var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, null);
        await session.GotoAsync("/review");
        await session.Page.Locator("#reviewer-key").FillAsync(key);
        await SendAsync(session.Page, "#signin-submit");
        await AssertFocusedAsync(session.Page, "#review-status");
        await Assertions.Expect(session.Page.Locator("#queue-summary")).Not.ToBeEmptyAsync();
        return session;
    }
}
