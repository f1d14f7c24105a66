using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

[Collection(BrowserTests.Name)]
public sealed class PortalJourneyOnSqlite(BrowserFixture browser) : PortalJourneyTests(browser, new SqliteTarget());

[Collection(BrowserTests.Name)]
public sealed class PortalJourneyOnPostgres(BrowserFixture browser, PostgresTarget target) : PortalJourneyTests(browser, target), IClassFixture<PostgresTarget>;

/// <summary>
/// The whole path of a wrongly flagged person, in a real browser against the real service: check, appeal,
/// a reviewer's question, the answer, the approval, and the check page saying cleared.
/// </summary>
public abstract class PortalJourneyTests(BrowserFixture browser, DatabaseTarget target)
{
    [Fact]
    public async Task ANewcomerAppealsAWrongFlagAndOnceAReviewerApprovesTheCheckPageSaysCleared()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(target);
        await app.PublishAsync(("phone", "+8613800138000", "impersonating_authorities", "high"));
        var reviewerKey = await app.CreateKeyAsync("reviewer");
        var shots = target.Provider == FlagApi.Data.DatabaseProvider.Sqlite;

        // A shop owner, on a phone, in Chinese, checks her own number as she would write it.
        await using var person = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone);
        var page = person.Page;
        await person.GotoAsync("/");
        await page.Locator("#check-value").FillAsync("138 0013 8000");
        await page.Locator("#check-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#check-result")).ToHaveAttributeAsync("data-verdict", "flagged");
        await Assertions.Expect(page.Locator("#check-result")).ToContainTextAsync("冒充公检法");
        if (shots) await person.ScreenshotAsync("journey-1-check-flagged-phone");

        // One click to appeal, with the number already filled in.
        await page.Locator("#appeal-link").ClickAsync();
        await page.WaitForURLAsync("**/appeal?*");
        await Assertions.Expect(page.Locator("#appeal-value")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("13800138000"));
        await page.Locator("#appeal-name").FillAsync("王秀英");
        await page.Locator("#appeal-contact").FillAsync("wang.xiuying@example.cn");
        await page.Locator("#appeal-statement").FillAsync("这是我小卖部的电话，用了十年，从来没有做过坏事。上周开始打不出去了。");
        await page.Locator("#appeal-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-created")).ToBeVisibleAsync();
        var code = (await page.Locator("#tracking-code").InnerTextAsync()).Trim();
        var token = (await page.Locator("#access-token").InnerTextAsync()).Trim();
        Assert.Matches("^AP-[A-Z0-9]{4}-[A-Z0-9]{4}$", code);
        Assert.False(string.IsNullOrWhiteSpace(token));
        Assert.DoesNotContain(token, page.Url, StringComparison.Ordinal);
        if (shots) await person.ScreenshotAsync("journey-2-appeal-created-phone");

        // A reviewer signs in at a desktop and asks for proof.
        await using (var reviewer = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, "en"))
        {
            await SignInAndOpenAsync(reviewer, reviewerKey, code);
            await reviewer.Page.Locator("#request-info-message").FillAsync("Please send a photo of the carrier's real-name registration for this number.");
            await reviewer.Page.Locator("#request-info-submit").ClickAsync();
            await Assertions.Expect(reviewer.Page.Locator("#appeal-detail")).ToHaveAttributeAsync("data-status", "needs_info");
            if (shots) await reviewer.ScreenshotAsync("journey-3-review-asked-desktop");
        }

        // The appellant tracks the appeal with her code and token, sees the question and answers it.
        await page.Locator("#track-link").ClickAsync();
        await page.WaitForURLAsync("**/track?*");

        // The success page left the code and token in this tab: the track page opens the appeal without retyping.
        await Assertions.Expect(page.Locator("#track-code")).ToHaveValueAsync(code);
        await Assertions.Expect(page.Locator("#track-token")).ToHaveValueAsync(token);
        await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "needs_info");
        await Assertions.Expect(page.Locator("#appeal-view")).ToContainTextAsync("real-name registration");
        await page.Locator("#answer-message").FillAsync("实名登记在我本人名下，营业厅回执的照片已经带去派出所，也可以打小卖部座机核实。");
        await page.Locator("#answer-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "in_review");
        if (shots) await person.ScreenshotAsync("journey-4-track-answered-phone");

        // The reviewer reads the answer and approves, saying how it was verified.
        await using (var reviewer = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, "en"))
        {
            await SignInAndOpenAsync(reviewer, reviewerKey, code);
            await Assertions.Expect(reviewer.Page.Locator("#appeal-detail")).ToContainTextAsync("营业厅回执");
            await reviewer.Page.Locator("#decision-form input[name=decision][value=approve]").CheckAsync();
            await reviewer.Page.Locator("#decision-verification").SelectOptionAsync("callback");
            await reviewer.Page.Locator("#decision-reason").FillAsync("Called the shop's landline; the carrier confirms the real-name owner.");
            await reviewer.Page.Locator("#decision-submit").ClickAsync();
            await Assertions.Expect(reviewer.Page.Locator("#queue-status")).ToContainTextAsync($"{code} approved");
            if (shots) await reviewer.ScreenshotAsync("journey-5-review-approved-desktop");
        }

        // Her tracking page shows the decision, and the check page now says cleared.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "approved");
        await Assertions.Expect(page.Locator("#appeal-decision")).ToContainTextAsync("carrier confirms");

        await person.GotoAsync("/?kind=phone&value=13800138000");
        await Assertions.Expect(page.Locator("#check-result")).ToHaveAttributeAsync("data-verdict", "cleared");
        if (shots) await person.ScreenshotAsync("journey-6-check-cleared-phone");
    }

    private static async Task SignInAndOpenAsync(PortalSession reviewer, string key, string trackingCode)
    {
        var page = reviewer.Page;
        await reviewer.GotoAsync("/review");
        await page.Locator("#reviewer-key").FillAsync(key);
        await page.Locator("#signin-submit").ClickAsync();
        var row = page.Locator("#appeal-queue [data-appeal-id]", new() { HasText = trackingCode });
        await row.Locator(".open-appeal").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-detail")).ToContainTextAsync(trackingCode);
    }
}
