using System.Net.Http.Json;
using FlagApi.Lists;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

/// <summary>The check page as a person uses it: one field, a verdict in plain words, and the next step that fits it.</summary>
[Collection(BrowserTests.Name)]
public sealed class CheckPageTests(BrowserFixture browser)
{
    private const string Number = "+8613800138000";

    /// <summary>Each state is looked at on a phone in Chinese and on a desktop in English.</summary>
    private static readonly (Screen Screen, string? Language, string Suffix)[] Views =
    [
        (Screen.Phone, null, "phone-zh"),
        (Screen.Desktop, "en", "desktop-en"),
    ];

    [Fact]
    public async Task EmptyPageGuessesTheKindAndShowsWhatCanBeTyped()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        foreach (var (screen, language, suffix) in Views)
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            await session.GotoAsync("/");
            var page = session.Page;

            await Assertions.Expect(page.Locator("#check-kind")).ToHaveValueAsync("auto");
            await Assertions.Expect(page.Locator("#check-kind option[value=auto]")).ToHaveTextAsync(language is null ? "自动判断" : "Work it out for me");
            await Assertions.Expect(page.GetByLabel(language is null ? "要查的号码、网址、应用或账号" : "Number, web address, app or account")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator(".examples")).ToContainTextAsync(language is null ? "微信:wxid_abc123" : "wechat:wxid_abc123");
            await Assertions.Expect(page.Locator("#check-result")).ToBeEmptyAsync();
            await session.ScreenshotAsync($"check-empty-{suffix}");
        }
    }

    [Fact]
    public async Task FlaggedNumberShowsItsCategoryAndListAndAnAppealLinkWithItsKindAndValue()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        foreach (var (screen, language, suffix) in Views)
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            await session.GotoAsync("/");
            var page = session.Page;

            await page.Locator("#check-value").FillAsync("138 0013 8000");
            await page.Locator("#check-value").PressAsync("Enter");

            var result = page.Locator("#check-result");
            await Assertions.Expect(result).ToHaveAttributeAsync("data-verdict", "flagged");
            if (language is null)
            {
                await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync("注意：它已被列为涉诈");
                await Assertions.Expect(result).ToContainTextAsync("冒充公检法");
                await Assertions.Expect(result).ToContainTextAsync("危险程度高");
                await Assertions.Expect(result).ToContainTextAsync("名单：Test police");
                await Assertions.Expect(result).ToContainTextAsync("电话号码（自动判断）");
            }
            else
            {
                await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync("Warning: this is flagged as fraud");
                await Assertions.Expect(result).ToContainTextAsync("Pretending to be police, a court or prosecutors");
                await Assertions.Expect(result).ToContainTextAsync("Riskhigh");
                await Assertions.Expect(result).ToContainTextAsync("List: Test police");
                await Assertions.Expect(result).ToContainTextAsync("Phone number (worked out for you)");
            }

            await Assertions.Expect(result).ToContainTextAsync(Number);
            var appeal = page.Locator("a#appeal-link");
            await Assertions.Expect(appeal).ToHaveTextAsync(language is null ? "这是我的号码——标错了，我要申诉" : "This is my number — report a mistake");
            var href = await appeal.GetAttributeAsync("href");
            Assert.Equal("/appeal?kind=phone&value=%2B8613800138000", href);
            await Assertions.Expect(page.Locator("#report-link")).ToHaveCountAsync(0);
            await session.ScreenshotAsync($"check-flagged-{suffix}");
        }
    }

    [Fact]
    public async Task FlaggedNumberShowsWhoListedItWhyWhomToContactAndHowToAppealInThePagesLanguage()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<ListImporter>();
            var rows = ListFile.ReadJson("""{"entries":[{"kind":"phone","value":"13800138000","category":"impersonating_authorities"}]}"""u8.ToArray());
            await importer.ImportAsync(rows, new ListSubmission(
                "北京市公安局", "2026-W09", "第九批涉诈号码", "import", "test", new DateOnly(2026, 11, 30),
                NoticeReason: "冒充民警来电，经反诈中心核实", NoticeContact: "反诈中心 010-12345678"));
        }

        await app.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
        foreach (var (screen, language, suffix) in Views)
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            await session.GotoAsync("/?value=13800138000");
            var notice = session.Page.Locator("#flag-notice");

            await Assertions.Expect(notice).ToHaveAttributeAsync("aria-labelledby", "flag-notice-title");
            await Assertions.Expect(notice.Locator("h3#flag-notice-title")).ToHaveTextAsync(language is null ? "标记依据与申诉方式" : "Why it is flagged, and how to appeal");
            await Assertions.Expect(notice).ToContainTextAsync(language is null ? "北京市公安局，名单 2026-W09（2026-11-30）" : "北京市公安局, list 2026-W09 of 2026-11-30");
            await Assertions.Expect(notice).ToContainTextAsync("第九批涉诈号码");
            await Assertions.Expect(notice).ToContainTextAsync("冒充民警来电，经反诈中心核实");
            await Assertions.Expect(notice).ToContainTextAsync("反诈中心 010-12345678");
            await Assertions.Expect(notice).ToContainTextAsync(language is null ? "提交申诉后 72 小时内" : "within 72 hours of filing the appeal");
            await Assertions.Expect(notice.Locator("ul.notice-evidence")).ToHaveAttributeAsync("lang", language ?? "zh-CN");
            await Assertions.Expect(notice.Locator("ul.notice-evidence")).ToContainTextAsync(language is null ? "实名登记证明" : "real-name registration certificate");
            await Assertions.Expect(notice.Locator("a")).ToHaveAttributeAsync("href", "/appeal?kind=phone&value=%2B8613800138000");
            await Assertions.Expect(notice.Locator("code")).ToHaveTextAsync("POST /v1/appeals");
            await session.ScreenshotAsync($"check-notice-{suffix}");

            if (language is null)
            {
                // The notice's words follow the page into the other language, not only its labels.
                await session.Page.Locator("#language-switch").ClickAsync();
                await Assertions.Expect(notice.Locator("ul.notice-evidence")).ToContainTextAsync("real-name registration certificate");
                await Assertions.Expect(notice.Locator("ul.notice-evidence")).ToHaveAttributeAsync("lang", "en");
            }
        }
    }

    [Fact]
    public async Task ResultIsRedrawnInTheOtherLanguage()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "task_brushing", "medium"));
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone);
        await session.GotoAsync("/?value=13800138000");
        var result = session.Page.Locator("#check-result");
        await Assertions.Expect(result).ToContainTextAsync("刷单返利");

        await session.Page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(result).ToContainTextAsync("Paid \"task\" or order-brushing scam");
        await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync("Warning: this is flagged as fraud");
        await Assertions.Expect(result).Not.ToContainTextAsync("刷单返利");
    }

    [Fact]
    public async Task FullWidthDigitsFindTheSameEntry()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone);

        // A link can show a result: the page checks ?value= at once.
        await session.GotoAsync("/?value=" + Uri.EscapeDataString("１３８ ００１３ ８０００"));
        var result = session.Page.Locator("#check-result");
        await Assertions.Expect(result).ToHaveAttributeAsync("data-verdict", "flagged");
        await Assertions.Expect(result.Locator(".canonical").First).ToHaveTextAsync(Number);
        await Assertions.Expect(session.Page.Locator("#check-value")).ToHaveValueAsync("１３８ ００１３ ８０００");
    }

    [Fact]
    public async Task ClearValueSaysNothingKnownIsNoProofOfSafetyAndOffersToReportIt()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        foreach (var (screen, language, suffix) in Views)
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            await session.GotoAsync("/");
            var page = session.Page;
            await page.Locator("#check-value").FillAsync("Shop.Example.com/pay");
            await page.Locator("#check-submit").ClickAsync();

            var result = page.Locator("#check-result");
            await Assertions.Expect(result).ToHaveAttributeAsync("data-verdict", "clear");
            await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync(language is null ? "暂无记录" : "Nothing known");
            await Assertions.Expect(result).ToContainTextAsync(language is null ? "没有记录不等于安全" : "Nothing known is not proof that it is safe");
            await Assertions.Expect(result).ToContainTextAsync(language is null ? "网址（自动判断）" : "Web address (worked out for you)");
            await Assertions.Expect(result).ToContainTextAsync("http://shop.example.com/pay");
            var report = page.Locator("a#report-link");
            Assert.Equal("/report?kind=url&value=http%3A%2F%2Fshop.example.com%2Fpay", await report.GetAttributeAsync("href"));
            await Assertions.Expect(page.Locator("#appeal-link")).ToHaveCountAsync(0);
            await session.ScreenshotAsync($"check-clear-{suffix}");
        }
    }

    [Fact]
    public async Task ValueReportedByPeopleShowsTheUnverifiedReportsAndTheReportLink()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        using (var client = new HttpClient { BaseAddress = new Uri(app.BaseAddress) })
        {
            var sent = await client.PostAsJsonAsync("/v1/reports", new
            {
                kind = "phone", value = "17012345678", category = "fake_customer_service",
                description = "Said my parcel was lost and asked me to share my screen.",
            });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, sent.StatusCode);
        }

        foreach (var (screen, language, suffix) in Views)
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            await session.GotoAsync("/");
            var page = session.Page;
            await page.Locator("#check-kind").SelectOptionAsync("phone");
            await page.Locator("#check-value").FillAsync("170-1234-5678");
            await page.Locator("#check-submit").ClickAsync();

            var result = page.Locator("#check-result");
            await Assertions.Expect(result).ToHaveAttributeAsync("data-verdict", "reported");
            await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync(language is null ? "有 1 人举报过，还没有核实" : "Reported by 1 person, but not verified");
            await Assertions.Expect(result).ToContainTextAsync(language is null ? "冒充电商、物流客服" : "Fake shop or delivery customer service");
            await Assertions.Expect(result).ToContainTextAsync(language is null ? "最近一次举报" : "Last reported");
            await Assertions.Expect(result).ToContainTextAsync(language is null ? "按什么查电话号码" : "Checked asPhone number");
            Assert.Equal("/report?kind=phone&value=%2B8617012345678", await page.Locator("a#report-link").GetAttributeAsync("href"));
            await session.ScreenshotAsync($"check-reported-{suffix}");
        }
    }

    [Fact]
    public async Task InvalidPhoneShowsTheMessageNextToTheField()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        foreach (var (screen, language, suffix) in Views)
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            session.Tolerated.Add("status of 400");
            await session.GotoAsync("/");
            var page = session.Page;
            await page.Locator("#check-kind").SelectOptionAsync("phone");
            await page.Locator("#check-value").FillAsync("12");
            await page.Locator("#check-submit").ClickAsync();

            var field = page.Locator("#check-value");
            var message = page.Locator("#check-value-error");
            await Assertions.Expect(message).ToHaveTextAsync(language is null
                ? "这不像是一个电话号码，请核对位数。手机号是 11 位，例如 13800138000；座机要带区号，例如 010-87654321。"
                : "This does not look like a phone number. Check the digits: a mobile number has 11 digits, such as 13800138000; a landline needs its area code, such as 010-87654321.");
            await Assertions.Expect(field).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(field).ToHaveAttributeAsync("aria-describedby", new System.Text.RegularExpressions.Regex(@"\bcheck-value-error\b"));
            await Assertions.Expect(field).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#check-result")).ToBeEmptyAsync();

            // The field and its message are one group on the page: the message is right below the field.
            var fieldBox = (await field.BoundingBoxAsync())!;
            var messageBox = (await message.BoundingBoxAsync())!;
            Assert.InRange(messageBox.Y - (fieldBox.Y + fieldBox.Height), 0, 24);
            await session.ScreenshotAsync($"check-invalid-{suffix}");

            // Redrawn in the other language, and gone once a valid number is checked.
            await page.Locator("#language-switch").ClickAsync();
            await Assertions.Expect(message).ToContainTextAsync(language is null ? "This does not look like a phone number" : "这不像是一个电话号码");
            await field.FillAsync("13800138000");
            await field.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#check-result")).ToHaveAttributeAsync("data-verdict", "clear");
            await Assertions.Expect(message).ToHaveCountAsync(0);
            await Assertions.Expect(field).Not.ToHaveAttributeAsync("aria-invalid", "true");
        }
    }

    [Fact]
    public async Task ClearedEntrySaysItWasFlaggedThenClearedAndAnOfficialNumberWarnsOfImpostors()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "loan_or_card", "low"));
        await app.ClearEntryAsync();
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, "en");
        await session.GotoAsync("/?kind=phone&value=13800138000");
        var result = session.Page.Locator("#check-result");
        await Assertions.Expect(result).ToHaveAttributeAsync("data-verdict", "cleared");
        await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync("Was flagged, then cleared after review");
        await Assertions.Expect(session.Page.Locator("#appeal-link")).ToHaveCountAsync(0);

        // Cleared is not "no record": it was on the list, and a review found it flagged by mistake.
        await Assertions.Expect(result.Locator("#cleared-caveat")).ToContainTextAsync("Cleared means a review found this one was flagged by mistake");
        await Assertions.Expect(result).Not.ToContainTextAsync("Nothing known is not proof");
        await session.Page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(result.Locator("#cleared-caveat")).ToContainTextAsync("已解除表示经核实它是被误标的");
        await Assertions.Expect(result).Not.ToContainTextAsync("没有记录不等于安全");
        await session.Page.Locator("#language-switch").ClickAsync();

        // A bank's hotline is what fraudsters pretend to be: the page says so even though nothing flags it.
        await session.Page.Locator("#check-value").FillAsync("95555");
        await session.Page.Locator("#check-submit").ClickAsync();
        await Assertions.Expect(result).ToHaveAttributeAsync("data-verdict", "clear");
        await Assertions.Expect(result.Locator(".protected")).ToContainTextAsync("This is a protected official number or major platform: 95555");
        await Assertions.Expect(result).ToContainTextAsync("Phone number");

        // The bank's name in the reader's language only.
        await Assertions.Expect(result.Locator(".protected")).ToContainTextAsync("95555 (China Merchants Bank customer service hotline)");
        await Assertions.Expect(result.Locator(".protected")).Not.ToContainTextAsync("招商银行");
        await session.Page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(result.Locator(".protected")).ToContainTextAsync("95555（招商银行客服）");
        await Assertions.Expect(result.Locator(".protected")).Not.ToContainTextAsync("China Merchants");
    }

    [Fact]
    public async Task TheOfficialAddressIsNeverBrokenInsideAWordOnAPhone()
    {
        // Long enough that it cannot fit on one line of a 360 px phone (it is only shown, never visited).
        const string official = "https://fanzha-chaxun.portal.province-example.localhost:8443/appeals/official/track-your-appeal";
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget(), new Dictionary<string, string?> { ["Portal:OfficialAddress"] = official });
        foreach (var language in new[] { (string?)null, "en" })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, language);
            foreach (var path in new[] { "/", "/appeal", "/track" })
            {
                await session.GotoAsync(path);
                var address = session.Page.Locator("#safety-notice .official-address");
                await Assertions.Expect(address).ToHaveTextAsync(official);

                // Every character of the address sits on the line of the one before it, unless a '/', '.' or ':' ends that one.
                var breaks = await address.EvaluateAsync<string[]>("""
                    node => {
                      const broken = []; let top = null; let before = '';
                      const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT); const texts = [];
                      while (walker.nextNode()) texts.push(walker.currentNode);
                      for (const text of texts) {
                        for (let i = 0; i < text.length; i++) {
                          const range = document.createRange(); range.setStart(text, i); range.setEnd(text, i + 1);
                          const rect = range.getClientRects()[0];
                          if (top !== null && rect.top > top + 1 && !'/.:'.includes(before.at(-1))) broken.push(before + '|' + text.data.slice(i));
                          top = rect.top;
                          before += text.data[i];
                        }
                      }
                      return broken;
                    }
                    """);
                var tops = await address.EvaluateAsync<int[]>("node => [...node.querySelectorAll('.address-part')].map((part) => Math.round(part.getBoundingClientRect().top))");
                Assert.True(tops.Distinct().Count() > 1, $"{path}: the address fits on one line ({string.Join(",", tops)}), so this test shows nothing");
                Assert.True(await session.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{path}: the address widens the page");
                Assert.True(breaks.Length == 0, $"{path} ({language ?? "zh"}): the address breaks at {string.Join(", ", breaks)}");
            }
        }
    }

    [Fact]
    public async Task GuessedKindThatDoesNotFitSaysWhatItWasCheckedAs()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone);
        session.Tolerated.Add("status of 400");
        await session.GotoAsync("/");
        var page = session.Page;

        await page.Locator("#check-value").FillAsync("");
        await page.Locator("#check-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#check-value-error")).ToHaveTextAsync("请先填写号码、网址、应用或账号。");

        await page.Locator("#check-value").FillAsync("000");
        await page.Locator("#check-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#check-value-error")).ToContainTextAsync("这不像是一个电话号码");
        await Assertions.Expect(page.Locator("#check-value-error")).ToContainTextAsync("刚才是按“电话号码”来查的");
    }
}
