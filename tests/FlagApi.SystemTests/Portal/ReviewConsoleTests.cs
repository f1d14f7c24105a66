using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

[Collection(BrowserTests.Name)]
public sealed class ReviewConsoleTests(BrowserFixture browser)
{
    private const string KeyStore = "flagapi.reviewerKey";

    [Fact]
    public async Task AWrongKeyIsRefusedWithAMessageAndNothingIsStored()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        var appKey = await app.CreateKeyAsync("app");
        foreach (var screen in Screen.Both)
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen);
            session.Tolerated.Add("status of 401");
            session.Tolerated.Add("status of 403");
            await session.GotoAsync("/review");
            await Assertions.Expect(session.Page.Locator("#signin-form")).ToBeVisibleAsync();
            await session.ScreenshotAsync($"review-signin-{screen.Name}-zh");

            await session.Page.Locator("#reviewer-key").FillAsync("fk_not-a-real-key");
            await session.Page.Locator("#signin-submit").ClickAsync();
            var alert = session.Page.Locator("#signin-form [data-role=form-alert]");
            await Assertions.Expect(alert).ToContainTextAsync("这个密钥无效");
            await Assertions.Expect(alert).ToBeFocusedAsync();
            await Assertions.Expect(session.Page.Locator("#reviewer-key")).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(session.Page.Locator("#console")).ToBeHiddenAsync();
            await AssertNothingStoredAsync(session.Page);

            // A key that works but is not a reviewer's is told apart.
            await session.Page.Locator("#reviewer-key").FillAsync(appKey);
            await session.Page.Locator("#signin-submit").ClickAsync();
            await Assertions.Expect(alert).ToContainTextAsync("不是审核员密钥");
            await AssertNothingStoredAsync(session.Page);
            await session.ScreenshotAsync($"review-signin-refused-{screen.Name}-zh");
        }
    }

    [Fact]
    public async Task AReviewerKeySignsInWithTheKeyboardForThisTabOnlyAndSignOutForgetsIt()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        var key = await app.CreateKeyAsync("reviewer");
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, language: "en");
        await session.GotoAsync("/review");
        var page = session.Page;
        await Assertions.Expect(page.Locator("#signin-form")).ToBeVisibleAsync();

        await page.TabToAsync("reviewer-key");
        await page.Keyboard.TypeAsync(key);
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#console")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#review-status")).ToContainTextAsync("You are signed in");
        await Assertions.Expect(page.Locator("#review-status")).ToBeFocusedAsync();
        Assert.Equal(key, await page.EvaluateAsync<string?>($"() => sessionStorage.getItem('{KeyStore}')"));
        Assert.False(await page.EvaluateAsync<bool>(
            "key => Object.keys(localStorage).some(k => k.includes(key) || (localStorage.getItem(k) || '').includes(key))", key));
        Assert.DoesNotContain(key, page.Url, StringComparison.Ordinal);
        Assert.Equal(string.Empty, await page.Locator("#reviewer-key").InputValueAsync());

        // A reload of the tab stays signed in; signing out forgets the key.
        await session.GotoAsync("/review");
        await Assertions.Expect(page.Locator("#console")).ToBeVisibleAsync();
        await page.Locator("#signout-button").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#signin-form")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#review-status")).ToContainTextAsync("The key was removed");
        await Assertions.Expect(page.Locator("#reviewer-key")).ToBeFocusedAsync();
        await AssertNothingStoredAsync(page);
    }

    [Fact]
    public async Task TheQueueListsAnOverdueAppealFirstWithAnOverdueBadge()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "+8613800138001", "impersonating_authorities", "high"), ("phone", "+8613800138002", "task_brushing", "medium"));
        var key = await app.CreateKeyAsync("reviewer");
        var early = await AppealAsync(app, "+8613800138001");
        app.Clock.Advance(TimeSpan.FromHours(80));
        var late = await AppealAsync(app, "+8613800138002");

        foreach (var (screen, language, badge) in new[] { (Screen.Phone, (string?)null, "已逾期"), (Screen.Desktop, "en", "Overdue") })
        {
            await using var session = await SignedInAsync(app, key, screen, language);
            var rows = session.Page.Locator("#appeal-rows tr");
            await Assertions.Expect(rows).ToHaveCountAsync(2);
            await Assertions.Expect(rows.Nth(0)).ToHaveAttributeAsync("data-appeal-id", early.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(rows.Nth(0).Locator(".badge.overdue")).ToHaveTextAsync(badge);
            await Assertions.Expect(rows.Nth(0)).ToContainTextAsync(early.Code);
            await Assertions.Expect(rows.Nth(1)).ToContainTextAsync(late.Code);
            await Assertions.Expect(rows.Nth(1).Locator(".badge.overdue")).ToHaveCountAsync(0);
            await Assertions.Expect(rows.Nth(0).Locator(".bulk-select")).ToHaveCountAsync(1);
            await Assertions.Expect(rows.Nth(0).Locator(".open-appeal")).ToBeVisibleAsync();
            await session.ScreenshotAsync($"review-queue-{screen.Name}-{language ?? "zh"}");

            // Only overdue: the filter asks the API and shows just the one. On a phone the filters are folded away first.
            if (screen == Screen.Phone)
            {
                await Assertions.Expect(session.Page.Locator("#filter-overdue")).ToBeHiddenAsync();
                await session.Page.Locator("#filter-box summary").ClickAsync();
            }

            await session.Page.Locator("#filter-overdue").CheckAsync();
            await session.Page.Locator("#filter-submit").ClickAsync();
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            await session.Page.Locator("#filter-clear").ClickAsync();
            await Assertions.Expect(rows).ToHaveCountAsync(2);

            if (screen == Screen.Phone)
            {
                // Each appeal is a card on a 360 px phone: code, due time, status, identifier and category all on screen with
                // their column's name, nothing scrolled out of sight, and the page never wider than the phone.
                Assert.True(await session.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
                Assert.True(await session.Page.EvaluateAsync<bool>("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth <= w.clientWidth; }"));
                var card = rows.Nth(0);
                foreach (var cell in new[] { ".code", "td.due", "td.status", ".identifier", "td.category" })
                {
                    var box = await card.Locator(cell).First.BoundingBoxAsync();
                    Assert.True(box is { Width: > 0 } && box.X >= 0 && box.X + box.Width <= Screen.Phone.Width, $"{cell} is off the phone's screen: {box?.X} + {box?.Width}");
                }

                await Assertions.Expect(card.Locator("td.due .cell-label")).ToBeVisibleAsync();
                await Assertions.Expect(card.Locator("td.category .cell-label")).ToHaveTextAsync("类别");
            }
            else
            {
                await Assertions.Expect(rows.Nth(0).Locator(".cell-label").First).ToBeHiddenAsync();
            }
        }
    }

    [Fact]
    public async Task TheBadgeCountsOnlyAppealsWaitingForAReviewerAndTheServicesTextsAreInTheReadersLanguage()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(
            ("phone", "+8613800138011", "impersonating_authorities", "high"),
            ("phone", "+8613800138012", "impersonating_authorities", "high"),
            ("phone", "+8613800138013", "impersonating_authorities", "high"),
            ("phone", "+8613800138014", "impersonating_authorities", "high"));
        var key = await app.CreateKeyAsync("reviewer");
        using var reviewer = app.CreateClient(key);
        var waiting = await AppealAsync(app, "+8613800138011");
        var answered = await AppealAsync(app, "+8613800138012");
        var asked = await AppealAsync(app, "+8613800138013");
        var rejected = await AppealAsync(app, "+8613800138014");

        // Taken, asked for a photo, and answered with it later: in review again, so it needs a reviewer.
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.True((await reviewer.PostAsJsonAsync($"/v1/review/appeals/{answered.Id}/assign", new { reviewer = "li.na" })).IsSuccessStatusCode);
        Assert.True((await reviewer.PostAsJsonAsync($"/v1/review/appeals/{answered.Id}/request-info", new { message = "请上传合同照片。" })).IsSuccessStatusCode);
        using (var appellant = app.CreateClient())
        {
            using var answer = new HttpRequestMessage(HttpMethod.Post, $"/v1/appeals/{answered.Code}/messages")
            {
                Content = JsonContent.Create(new { message = "照片在附件里。", attachments = new[] { new { fileName = "contract.png", contentBase64 = Png } } }),
            };
            answer.Headers.Add("X-Appeal-Token", answered.Token);
            Assert.True((await appellant.SendAsync(answer)).IsSuccessStatusCode);
        }

        // Waiting on the appellant, or decided: nothing for a reviewer to do.
        Assert.True((await reviewer.PostAsJsonAsync($"/v1/review/appeals/{asked.Id}/request-info", new { message = "请说明号码用途。" })).IsSuccessStatusCode);
        await AppealApi.DecideAsync(reviewer, rejected.Id, "reject", "回拨无人接听。");

        await using var session = await SignedInAsync(app, key, Screen.Phone);
        var page = session.Page;
        var badge = page.Locator("#tab-appeals-count");
        await Assertions.Expect(page.Locator("#appeal-rows tr")).ToHaveCountAsync(4);
        await Assertions.Expect(badge).ToHaveTextAsync("2");

        // A filter changes the queue below, not the count of what waits.
        await page.Locator("#filter-box summary").ClickAsync();
        await page.Locator("#filter-status").SelectOptionAsync("rejected");
        await page.Locator("#filter-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-rows tr")).ToHaveCountAsync(1);
        await Assertions.Expect(badge).ToHaveTextAsync("2");

        // The rejected appeal's entry history: the service's words in Chinese, the reviewer's reason as written.
        await page.Locator($"tr[data-appeal-id='{rejected.Id}'] .open-appeal").ClickAsync();
        var history = page.Locator("#entry-history");
        await Assertions.Expect(history).ToContainTextAsync($"收到申诉 {rejected.Code}。");
        await Assertions.Expect(history).ToContainTextAsync($"申诉 {rejected.Code} 已驳回。审核理由： 回拨无人接听。");
        await Assertions.Expect(history).Not.ToContainTextAsync("submitted");
        await Assertions.Expect(history).Not.ToContainTextAsync("rejected:");
        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(history).ToContainTextAsync($"Appeal {rejected.Code} rejected. The reviewer's reason: 回拨无人接听。");
        await page.Locator("#language-switch").ClickAsync();

        // The answered appeal: the assignment in Chinese, and the photo marked as sent with the answer.
        await page.Locator("#back-to-queue").ClickAsync();
        await page.Locator("#filter-clear").ClickAsync();
        await page.Locator($"tr[data-appeal-id='{answered.Id}'] .open-appeal").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-detail")).ToContainTextAsync("已分配给 li.na。");
        await Assertions.Expect(page.Locator("#appeal-detail")).Not.ToContainTextAsync("Assigned to");
        var photo = page.Locator(".attachments li[data-sent=reply]");
        await Assertions.Expect(photo).ToContainTextAsync("contract.png");
        await Assertions.Expect(photo).ToContainTextAsync("随申诉人的回复补交");
    }

    [Fact]
    public async Task OpeningAnAppealShowsTheCaseAndTheEntrysSourcesAndAskingForMoreWaitsForTheAppellant()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "+8613800138003", "fake_customer_service", "high"));
        var key = await app.CreateKeyAsync("reviewer");
        var appeal = await AppealAsync(app, "+8613800138003", withPhoto: true);

        foreach (var screen in Screen.Both)
        {
            await using var session = await SignedInAsync(app, key, screen, "en");
            var page = session.Page;
            await page.Locator($"tr[data-appeal-id='{appeal.Id}'] .open-appeal").ClickAsync();
            var detail = page.Locator("#appeal-detail");
            await Assertions.Expect(detail).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#detail-title")).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#detail-title")).ToHaveTextAsync($"Appeal {appeal.Code}");
            await Assertions.Expect(page.Locator("#appeal-statement")).ToHaveTextAsync(Statement);
            await Assertions.Expect(detail).ToContainTextAsync("zhang.wei@example.com");

            // Evidence is text: a link opens apart from the console, markup is shown as typed.
            var link = detail.Locator("ul.evidence a");
            await Assertions.Expect(link).ToHaveAttributeAsync("href", "https://example.org/proof");
            await Assertions.Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer");
            await Assertions.Expect(link).ToHaveAttributeAsync("target", "_blank");
            await Assertions.Expect(detail.Locator("ul.evidence")).ToContainTextAsync("<b>my contract</b>");
            await Assertions.Expect(detail.Locator("ul.evidence b")).ToHaveCountAsync(0);

            // The entry's record: what it is, and who flagged it.
            var record = page.Locator("#entry-record");
            await Assertions.Expect(record).ToContainTextAsync("+8613800138003");
            await Assertions.Expect(record).ToContainTextAsync("Fake shop or delivery customer service");
            await Assertions.Expect(page.Locator("#entry-sources li[data-source-type=list]")).ToContainTextAsync("Police list");
            await Assertions.Expect(page.Locator("#entry-sources")).ToContainTextAsync("Test police");
            await Assertions.Expect(page.Locator("#entry-history")).ToContainTextAsync("Flagged");

            // The attachment needs the key: fetched with it, then shown from a blob URL.
            await Assertions.Expect(detail.Locator(".attachments")).ToContainTextAsync("id-card.png");
            await detail.Locator(".attachment-download").ClickAsync();
            await Assertions.Expect(detail.Locator("img.attachment-preview")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^blob:"));
            await Assertions.Expect(detail.Locator(".attachment-file a[download='id-card.png']")).ToBeFocusedAsync();
            await session.ScreenshotAsync($"review-appeal-{screen.Name}-en");
        }

        await using (var session = await SignedInAsync(app, key, Screen.Desktop, "en"))
        {
            var page = session.Page;
            await page.Locator($"tr[data-appeal-id='{appeal.Id}'] .open-appeal").ClickAsync();
            await page.Locator("#assign-button").ClickAsync();
            await Assertions.Expect(page.Locator("#detail-notice")).ToContainTextAsync("The appeal is yours now");
            await Assertions.Expect(page.Locator("#appeal-detail")).ToHaveAttributeAsync("data-status", "in_review");
            await Assertions.Expect(page.Locator("#assign-button")).ToBeHiddenAsync();

            // Keyboard only: Tab into the question, type it, Tab to the button, Enter.
            await page.Locator("#request-info-message").FocusAsync();
            await page.Keyboard.TypeAsync("Please send a photo of your ID card next to the SIM card's paper.");
            await page.Keyboard.PressAsync("Tab");
            await Assertions.Expect(page.Locator("#request-info-submit")).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#detail-notice")).ToContainTextAsync("waits for the appellant to answer");
            await Assertions.Expect(page.Locator("#appeal-detail")).ToHaveAttributeAsync("data-status", "needs_info");
            await Assertions.Expect(page.Locator("#detail-body")).ToContainTextAsync("Waiting for the appellant to answer");
            await Assertions.Expect(page.Locator("#request-info-form")).ToBeHiddenAsync();
        }

        Assert.Equal("needs_info", (await ReviewerViewAsync(app, key, appeal.Id)).Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ApprovingWithoutVerificationShowsTheFieldMessageAndWithItClearsTheEntry()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "+8613800138004", "impersonating_authorities", "high"));
        var key = await app.CreateKeyAsync("reviewer");
        var appeal = await AppealAsync(app, "+8613800138004");

        foreach (var (screen, language) in new[] { (Screen.Desktop, "en"), (Screen.Phone, (string?)null) })
        {
            await using var session = await SignedInAsync(app, key, screen, language);
            var page = session.Page;
            // Keyboard: Enter on the row's open button, then the link down to the decision.
            await page.Locator($"tr[data-appeal-id='{appeal.Id}'] .open-appeal").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#detail-title")).ToBeFocusedAsync();
            await page.Locator("#jump-to-decision a").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#decision-title")).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.PressAsync("Space");
            await Assertions.Expect(page.Locator("#decision-approve")).ToBeCheckedAsync();
            await page.Locator("#decision-reason").FillAsync(language is null ? "运营商确认号码登记在申诉人名下。" : "The carrier confirmed the number is the appellant's.");
            await page.Locator("#decision-submit").ClickAsync();

            var verification = page.Locator("#decision-verification");
            await Assertions.Expect(verification).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(verification).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#decision-verification-error"))
                .ToHaveTextAsync(language is null ? "要通过，请选择您是怎样核实申诉人身份的。" : "To approve, say how you checked that the appellant owns it.");
            await Assertions.Expect(page.Locator("#decision-form [data-role=form-alert]")).ToBeVisibleAsync();
            await page.Locator("#decision-form").ScrollIntoViewIfNeededAsync();
            await session.ScreenshotAsync($"review-decision-error-{screen.Name}-{language ?? "zh"}");
        }

        await using (var session = await SignedInAsync(app, key, Screen.Phone))
        {
            var page = session.Page;
            await page.Locator($"tr[data-appeal-id='{appeal.Id}'] .open-appeal").ClickAsync();
            await page.Locator("#decision-approve").CheckAsync();
            await page.Locator("#decision-verification").SelectOptionAsync("carrier_real_name");
            await page.Locator("#decision-reason").FillAsync("运营商确认号码登记在申诉人名下。");
            await page.Locator("#decision-note").FillAsync("Checked with China Mobile, ticket 1234.");
            await page.Locator("#decision-submit").ClickAsync();

            await Assertions.Expect(page.Locator("#appeal-queue")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#queue-status")).ToHaveTextAsync($"申诉 {appeal.Code} 已通过：+8613800138004 已解除标记。");
            await Assertions.Expect(page.Locator("#queue-status")).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator($"tr[data-appeal-id='{appeal.Id}']")).ToHaveAttributeAsync("data-status", "approved");
        }

        Assert.Equal("cleared", await VerdictAsync(app, "+8613800138004"));
    }

    [Fact]
    public async Task AStaleViewSaysSomeoneElseChangedItAndReloads()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "+8613800138005", "gambling", "medium"));
        var key = await app.CreateKeyAsync("reviewer");
        var appeal = await AppealAsync(app, "+8613800138005");

        await using var session = await SignedInAsync(app, key, Screen.Desktop, "en");
        session.Tolerated.Add("status of 412");
        var page = session.Page;
        await page.Locator($"tr[data-appeal-id='{appeal.Id}'] .open-appeal").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-detail")).ToHaveAttributeAsync("data-status", "submitted");

        // Another reviewer rejects it through the API meanwhile.
        var (etag, _) = await ReviewerViewAsync(app, key, appeal.Id);
        using (var other = app.CreateClient(await app.CreateKeyAsync("reviewer", name: "other reviewer")))
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/review/appeals/{appeal.Id}/decision")
        {
            Content = JsonContent.Create(new { decision = "reject", reason = "The number is on the list for good reason." }),
        })
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            Assert.Equal(HttpStatusCode.OK, (await other.SendAsync(request)).StatusCode);
        }

        await page.Locator("#decision-approve").CheckAsync();
        await page.Locator("#decision-verification").SelectOptionAsync("callback");
        await page.Locator("#decision-reason").FillAsync("We called back and the owner answered.");
        await page.Locator("#decision-submit").ClickAsync();

        await Assertions.Expect(page.Locator("#detail-notice")).ToContainTextAsync("Someone else changed this appeal");
        await Assertions.Expect(page.Locator("#detail-notice")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#appeal-detail")).ToHaveAttributeAsync("data-status", "rejected");
        await Assertions.Expect(page.Locator("#detail-body")).ToContainTextAsync("The number is on the list for good reason.");
        await Assertions.Expect(page.Locator("#decision-form")).ToBeHiddenAsync();

        // Messages built from data follow a change of language.
        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(page.Locator("#detail-notice")).ToContainTextAsync("别人改动了这条申诉");
        await Assertions.Expect(page.Locator("#detail-title")).ToHaveTextAsync($"申诉 {appeal.Code}");
        await Assertions.Expect(page.Locator("#appeal-detail .facts").First).ToContainTextAsync("未通过，标记保留");
        Assert.Equal("flagged", await VerdictAsync(app, "+8613800138005"));
    }

    [Fact]
    public async Task ABulkRejectOfTwoAppealsReportsBothOutcomes()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "+8613800138006", "loan_or_card", "high"), ("phone", "+8613800138007", "loan_or_card", "high"));
        var key = await app.CreateKeyAsync("reviewer");
        var first = await AppealAsync(app, "+8613800138006");
        var second = await AppealAsync(app, "+8613800138007");

        await using var session = await SignedInAsync(app, key, Screen.Desktop, "en");
        var page = session.Page;
        await page.Locator($"tr[data-appeal-id='{first.Id}'] .bulk-select").CheckAsync();
        await page.Locator($"tr[data-appeal-id='{second.Id}'] .bulk-select").CheckAsync();
        await Assertions.Expect(page.Locator("#bulk-count")).ToHaveTextAsync("Appeals selected: 2.");
        await page.Locator("#bulk-reject").CheckAsync();
        await page.Locator("#bulk-reason").FillAsync("Both numbers called victims in the same campaign.");
        await page.Locator("#bulk-submit").ClickAsync();

        var results = page.Locator("#bulk-results");
        await Assertions.Expect(results).ToBeFocusedAsync();
        await Assertions.Expect(results.Locator("h3")).ToHaveTextAsync("Done: 2 decided, 0 skipped");
        await Assertions.Expect(results.Locator("li[data-outcome=decided]")).ToHaveCountAsync(2);
        await Assertions.Expect(results).ToContainTextAsync($"{first.Code}: decided, now \"Rejected: the flag stays\"");
        await Assertions.Expect(results).ToContainTextAsync(second.Code);
        await Assertions.Expect(page.Locator("#bulk-count")).ToHaveTextAsync("No appeals selected.");
        await Assertions.Expect(page.Locator("#appeal-rows tr[data-status=rejected]")).ToHaveCountAsync(2);

        // Deciding them again: each is skipped, and says why.
        await page.Locator($"tr[data-appeal-id='{first.Id}'] .bulk-select").CheckAsync();
        await page.Locator("#bulk-reject").CheckAsync();
        await page.Locator("#bulk-reason").FillAsync("Again.");
        await page.Locator("#bulk-submit").ClickAsync();
        await Assertions.Expect(results.Locator("li[data-outcome=skipped]")).ToContainTextAsync("skipped, because it was already closed");
    }

    [Fact]
    public async Task AcceptingAReportGroupFlagsTheIdentifier()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        var key = await app.CreateKeyAsync("reviewer");
        // A dialer app forwards two of its users' reports: two distinct reporters.
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));
        foreach (var (reporterId, description) in new[] { ("user-1", "自称客服说快递丢了，要我扫码退款。"), ("user-2", "Said my parcel was lost and asked me to share my screen.") })
        {
            var reported = await client.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "+8613800138008", category = "fake_customer_service", description, reporterId });
            Assert.Equal(HttpStatusCode.Accepted, reported.StatusCode);
        }

        foreach (var (screen, language) in new[] { (Screen.Desktop, "en"), (Screen.Phone, (string?)null) })
        {
            await using var session = await SignedInAsync(app, key, screen, language);
            await session.Page.Locator("#tab-reports").ClickAsync();
            var group = session.Page.Locator("#report-queue .report-group[data-value='+8613800138008']");
            await Assertions.Expect(group).ToBeVisibleAsync();
            await Assertions.Expect(group).ToContainTextAsync("自称客服说快递丢了");
            await Assertions.Expect(group).ToContainTextAsync(language is null ? "来自 2 个不同的人" : "different people: 2");
            await Assertions.Expect(group.Locator("select[id$=-category]")).ToHaveValueAsync("fake_customer_service");
            await session.ScreenshotAsync($"review-reports-{screen.Name}-{language ?? "zh"}");
        }

        await using (var session = await SignedInAsync(app, key, Screen.Phone))
        {
            var page = session.Page;
            await page.Locator("#tab-reports").ClickAsync();
            var group = page.Locator(".report-group[data-value='+8613800138008']");
            await group.Locator("textarea[id$=-reason]").FillAsync("两人描述一致，是冒充客服。");

            // The queue refreshes (here: the tab again) without losing what the reviewer typed.
            var refreshed = page.WaitForResponseAsync(r => r.Url.Contains("/v1/reports?", StringComparison.Ordinal));
            await page.Locator("#tab-reports").ClickAsync();
            await refreshed;
            await Assertions.Expect(group.Locator("textarea[id$=-reason]")).ToHaveValueAsync("两人描述一致，是冒充客服。");
            await group.Locator(".report-accept").ClickAsync();
            await Assertions.Expect(group.Locator("select[id$=-risk]")).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(group.Locator("select[id$=-risk] + .field-error")).ToHaveTextAsync("要采纳，请选择风险。");

            await group.Locator("select[id$=-risk]").SelectOptionAsync("high");
            await group.Locator(".report-accept").ClickAsync();
            await Assertions.Expect(page.Locator("#report-status")).ToHaveTextAsync("已采纳：+8613800138008 现在已被标记（2 条举报）。");
            await Assertions.Expect(page.Locator("#report-status")).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator(".report-group")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#report-empty")).ToBeVisibleAsync();
        }

        Assert.Equal("flagged", await VerdictAsync(app, "+8613800138008"));
    }

    private const string Statement = "This is my shop's number; customers call it every day.\nWe never called anyone about parcels.";

    // A 1×1 PNG: the API reads an attachment's type from its bytes.
    internal const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    private static Task<AppealApi.Filed> AppealAsync(FlagApiFactory app, string value, bool withPhoto = false) =>
        AppealApi.FileAsync(
            app, value, contact: "zhang.wei@example.com", name: "Zhang Wei", statement: Statement,
            evidence:
            [
                new { type = "link", url = "https://example.org/proof" },
                new { type = "text", text = "<b>my contract</b> with the carrier" },
            ],
            attachments: withPhoto ? [new { fileName = "id-card.png", contentBase64 = Png }] : null);

    private static async Task<(string ETag, JsonElement Body)> ReviewerViewAsync(FlagApiFactory app, string key, long id)
    {
        using var client = app.CreateClient(key);
        var view = await AppealApi.ReviewerViewAsync(client, id);
        return (view.ETag, view.Json);
    }

    private static Task<string?> VerdictAsync(FlagApiFactory app, string phone) => AppealApi.VerdictAsync(app, phone);

    private async Task<PortalSession> SignedInAsync(FlagApiFactory app, string key, Screen screen, string? language = null)
    {
        var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
        await session.GotoAsync("/review");
        await session.Page.Locator("#reviewer-key").FillAsync(key);
        await session.Page.Locator("#signin-submit").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#console")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.Locator("#queue-summary")).Not.ToBeEmptyAsync();
        return session;
    }

    private static async Task AssertNothingStoredAsync(IPage page)
    {
        Assert.Null(await page.EvaluateAsync<string?>($"() => sessionStorage.getItem('{KeyStore}')"));
        Assert.Null(await page.EvaluateAsync<string?>($"() => localStorage.getItem('{KeyStore}')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => sessionStorage.length"));
    }
}
