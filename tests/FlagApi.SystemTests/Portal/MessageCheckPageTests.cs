using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

/// <summary>
/// The check page's message mode on a phone, in both languages: a pasted message answered with each item found marked
/// where it was written, its verdict and its next step, against the real <c>POST /v1/check/message</c>.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class MessageCheckPageTests(BrowserFixture browser)
{
    private const string Flagged = "+8613800138000";
    private const string Link = "http://kuaidi-lipei.example.com/pay";
    private const string Unflagged = "+8613912345678";

    // A delivery-compensation scam as it arrives, with line breaks: a flagged number, a flagged link and a number nobody listed.
    private const string Message = "【快递】您的包裹在运输中丢失，请联系理赔专员 13800138000 办理赔付。\n"
        + "或打开 " + Link + " 填写银行卡，24小时内到账。\n退订请回复 13912345678";

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task PastedMessageShowsEachItemMarkedWhereItWasWrittenWithItsVerdictAndNextStep(string language)
    {
        var chinese = language == "zh-CN";
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Flagged, "impersonating_authorities", "high"), ("url", Link, "fake_customer_service", "high"));
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, language);
        var page = session.Page;
        var requests = new List<IRequest>();
        page.Request += (_, request) => requests.Add(request);
        await session.GotoAsync("/");

        // The second mode is a tab, reached with the keyboard as well.
        await page.TabToAsync("tab-single");
        await page.Keyboard.PressAsync("ArrowRight");
        var tab = page.Locator("#tab-message");
        await Assertions.Expect(tab).ToBeFocusedAsync();
        await Assertions.Expect(tab).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(tab).ToHaveTextAsync(chinese ? "检查整条短信" : "A whole message");
        await Assertions.Expect(page.Locator("#check-form")).ToBeHiddenAsync();
        var field = page.GetByLabel(chinese ? "短信内容" : "The message");
        await field.FillAsync(Message);
        await Assertions.Expect(page.Locator("#message-count")).ToHaveTextAsync(chinese ? $"已输入 {Message.Length} 字，最多 5000 字" : $"{Message.Length} of 5000 characters");
        await page.Locator("#message-submit").ClickAsync();

        var result = page.Locator("#message-result");
        await Assertions.Expect(result).ToHaveAttributeAsync("data-verdict", "flagged");
        await Assertions.Expect(page.Locator("#message-verdict")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#message-verdict")).ToHaveTextAsync(chinese ? "注意：这条短信里有涉诈内容" : "Warning: this message holds something flagged as fraud");
        await Assertions.Expect(page.Locator("#message-reason")).ToHaveTextAsync(chinese
            ? $"短信里找到 3 项内容，其中 2 项在涉诈名单上：电话号码 {Flagged}（冒充公检法，危险程度高）和网址 {Link}（冒充电商、物流客服，危险程度高）。"
            : $"2 of the 3 things found in the message are on the fraud list: the phone number {Flagged} (Pretending to be police, a court or prosecutors, high risk) and the web address {Link} (Fake shop or delivery customer service, high risk).");

        // Each mark holds exactly what the message says at that place, and the message around them is unchanged.
        var marks = await page.Locator("#message-marked").EvaluateAsync<MarkAt[]>("""
            node => {
              let offset = 0; const marks = [];
              for (const child of node.childNodes) {
                if (child.classList?.contains('found-ref')) continue;
                if (child.localName === 'mark') marks.push({ offset, text: child.textContent, verdict: child.className });
                offset += child.textContent.length;
              }
              return marks;
            }
            """);
        Assert.Equal(["13800138000", Link, "13912345678"], marks.Select(m => m.Text));
        Assert.All(marks, m => Assert.Equal(Message.IndexOf(m.Text, StringComparison.Ordinal), m.Offset));
        Assert.Equal(["found found-flagged", "found found-flagged", "found found-clear"], marks.Select(m => m.Verdict));
        Assert.Equal(Message, await page.Locator("#message-marked").EvaluateAsync<string>(
            "node => [...node.childNodes].filter((c) => !c.classList?.contains('found-ref')).map((c) => c.textContent).join('')"));

        // One entry per item, in the order written, each with the step the single check offers for its verdict.
        var items = page.Locator("#message-items > li");
        await Assertions.Expect(items).ToHaveCountAsync(3);
        string[] kinds = chinese ? ["电话号码", "网址", "电话号码"] : ["Phone number", "Web address", "Phone number"];
        string[] verdicts = chinese ? ["涉诈", "涉诈", "暂无记录"] : ["Flagged as fraud", "Flagged as fraud", "Nothing known"];
        string[] canonical = [Flagged, Link, Unflagged];
        for (var i = 0; i < 3; i++)
        {
            var item = items.Nth(i);
            await Assertions.Expect(item.Locator(".found-kind")).ToHaveTextAsync(kinds[i]);
            await Assertions.Expect(item.Locator(".found-verdict")).ToHaveTextAsync(verdicts[i]);
            await Assertions.Expect(item.Locator(".canonical").First).ToHaveTextAsync(canonical[i]);
        }

        await Assertions.Expect(items.Nth(0)).ToContainTextAsync(chinese ? "冒充公检法" : "Pretending to be police, a court or prosecutors");
        await Assertions.Expect(items.Nth(0)).ToContainTextAsync(chinese ? "名单：Test police" : "List: Test police");
        await Assertions.Expect(items.Nth(0).Locator(".written")).ToHaveTextAsync("13800138000");
        Assert.Equal("/appeal?kind=phone&value=%2B8613800138000", await items.Nth(0).Locator("a.appeal-link").GetAttributeAsync("href"));
        Assert.Equal("/appeal?kind=url&value=http%3A%2F%2Fkuaidi-lipei.example.com%2Fpay", await items.Nth(1).Locator("a.appeal-link").GetAttributeAsync("href"));
        Assert.Equal("/report?kind=phone&value=%2B8613912345678", await items.Nth(2).Locator("a.report-link").GetAttributeAsync("href"));
        await Assertions.Expect(items.Nth(0).Locator("a.appeal-link")).ToHaveTextAsync(chinese ? "这是我的号码——标错了，我要申诉" : "This is my number — report a mistake");
        await Assertions.Expect(items.Nth(2).Locator("a.report-link")).ToHaveTextAsync(chinese ? "它想骗我，我要举报" : "It tried to cheat me — report this");
        await Assertions.Expect(result.Locator("a.report-link")).ToHaveCountAsync(1);
        await Assertions.Expect(result.Locator("a.appeal-link")).ToHaveCountAsync(2);

        // Each flagged item carries its notice in the page's language; an item that is not flagged has none.
        var notice = items.Nth(0).Locator("section.flag-notice");
        await Assertions.Expect(notice.Locator("h3")).ToHaveTextAsync(chinese ? "标记依据与申诉方式" : "Why it is flagged, and how to appeal");
        await Assertions.Expect(notice.Locator("ul.notice-evidence")).ToContainTextAsync(chinese ? "实名登记证明" : "real-name registration certificate");
        await Assertions.Expect(notice).ToContainTextAsync("POST /v1/appeals");
        await Assertions.Expect(items.Nth(2).Locator("section.flag-notice")).ToHaveCountAsync(0);

        // A mark's number says its verdict to a screen reader and leads to its entry in the list.
        var reference = page.Locator("#message-marked a.found-ref").Nth(2);
        await Assertions.Expect(reference).ToHaveAttributeAsync("aria-label", chinese ? "第 3 项：暂无记录。跳到下面的列表。" : "Number 3: Nothing known. Go to it in the list.");
        await reference.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(items.Nth(2)).ToBeFocusedAsync();

        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth") <= 0, "The answer is wider than a 360 px phone.");
        await session.ScreenshotAsync($"check-message-flagged-phone-{language}");

        // The message went to the API in one request's body and nowhere else: no address, no storage.
        Assert.DoesNotContain("13800138000", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("kuaidi", page.Url, StringComparison.Ordinal);
        var carrying = requests.Where(r => r.Url.Contains("kuaidi", StringComparison.Ordinal) || (r.PostData ?? "").Contains("kuaidi", StringComparison.Ordinal)).ToList();
        Assert.Equal(["POST /v1/check/message"], carrying.Select(r => $"{r.Method} {new Uri(r.Url).AbsolutePath}"));
        Assert.False(await page.EvaluateAsync<bool>("() => JSON.stringify({ ...localStorage }).includes('kuaidi') || JSON.stringify({ ...sessionStorage }).includes('kuaidi')"));

        // The answer is redrawn in the other language from what is on screen, without asking again.
        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(page.Locator("#message-verdict")).ToHaveTextAsync(chinese ? "Warning: this message holds something flagged as fraud" : "注意：这条短信里有涉诈内容");
        await Assertions.Expect(items.Nth(2).Locator(".found-verdict")).ToHaveTextAsync(chinese ? "Nothing known" : "暂无记录");
        Assert.Single(requests, r => r.Url.EndsWith("/v1/check/message", StringComparison.Ordinal));

        // At desktop width too, in the language it was redrawn in (the screenshot runs axe-core on it).
        await page.SetViewportSizeAsync(Screen.Desktop.Width, Screen.Desktop.Height);
        await session.ScreenshotAsync($"check-message-flagged-desktop-{(chinese ? "en" : "zh-CN")}");
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task MessagesThatCannotBeCheckedWholeAreExplainedInThePageLanguage(string language)
    {
        var chinese = language == "zh-CN";
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, language);
        session.Tolerated.Add("status of 429");
        session.Tolerated.Add("status of 503");
        var page = session.Page;
        var sent = 0;
        page.Request += (_, request) => sent += request.Url.EndsWith("/v1/check/message", StringComparison.Ordinal) ? 1 : 0;

        // A link can open the message mode.
        await session.GotoAsync("/#message");
        await Assertions.Expect(page.Locator("#message-panel")).ToBeVisibleAsync();
        var field = page.Locator("#message-text");
        var error = page.Locator("#message-text-error");
        var submit = page.Locator("#message-submit");

        await field.FillAsync("  \n ");
        await submit.ClickAsync();
        await Assertions.Expect(error).ToHaveTextAsync(chinese ? "请先粘贴短信内容。" : "Please paste the message first.");
        await Assertions.Expect(field).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(field).ToBeFocusedAsync();

        // The limit counts characters as a person does (an emoji is one), as the API does: 5,000 emoji are checked.
        var count = page.Locator("#message-count");
        await field.FillAsync(string.Concat(Enumerable.Repeat("😀", 5000)));
        await Assertions.Expect(count).ToHaveTextAsync(chinese ? "已输入 5000 字，最多 5000 字" : "5000 of 5000 characters");
        await submit.ClickAsync();
        await Assertions.Expect(page.Locator("#message-verdict")).ToHaveTextAsync(chinese ? "这条短信里没有可查的内容" : "Nothing in this message could be checked");
        await Assertions.Expect(page.Locator("#message-reason")).ToHaveTextAsync(chinese
            ? "短信里没有找到电话号码、网址、应用或账号，所以没有可查的内容。"
            : "No phone number, web address, app or account was found in the message, so there was nothing to look up.");
        await Assertions.Expect(error).ToHaveCountAsync(0);
        Assert.Equal(1, sent);

        await field.PressAsync("Control+End");
        await field.PressSequentiallyAsync("!");
        await Assertions.Expect(count).ToHaveTextAsync(chinese ? "超出 1 字：一次最多查 5000 字" : "Over the limit by 1: at most 5000 characters can be checked at once");
        await Assertions.Expect(count).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bover\b"));
        await submit.ClickAsync();
        await Assertions.Expect(error).ToHaveTextAsync(chinese
            ? "短信太长了：一次最多查 5000 字。请只粘贴有号码和链接的那一部分。"
            : "The message is too long: at most 5,000 characters can be checked at once. Paste the part with the numbers and links.");
        await Assertions.Expect(page.Locator("#message-result")).ToBeEmptyAsync();
        Assert.Equal(1, sent);
        await session.ScreenshotAsync($"check-message-too-long-phone-{language}");

        // More numbers than the API looks up in one check: the page says only the first 100 were checked (in one
        // language only, since drawing 100 items costs a shared CI machine seconds; the label test holds both).
        if (chinese)
        {
            await field.FillAsync(string.Concat(Enumerable.Repeat("请回电 13800138000\n", 101)));
            await submit.ClickAsync();
            await Assertions.Expect(page.Locator("#message-truncated")).ToHaveTextAsync("这条短信里可查的内容太多，只查了前 100 项号码、网址和账号。");
            await Assertions.Expect(page.Locator("#message-items > li")).ToHaveCountAsync(100);
            Assert.Equal(2, sent);
        }

        // Refusals the page cannot prevent: too many checks, and a service that is down, said in the page's language.
        var alert = page.Locator("#message-form [data-role=form-alert]");
        await field.FillAsync("请回电 13800138000");
        await page.RouteAsync("**/v1/check/message", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 429,
            ContentType = "application/problem+json",
            Headers = new Dictionary<string, string> { ["Retry-After"] = "30" },
            Body = """{"type":"about:blank","title":"Too Many Requests","status":429,"code":"rate_limited"}""",
        }));
        await submit.ClickAsync();
        await Assertions.Expect(alert).ToHaveTextAsync(chinese ? "操作太频繁，请 30 秒后再试。" : "Too many attempts. Please try again in 30 seconds.");
        await Assertions.Expect(alert).ToBeFocusedAsync();

        await page.UnrouteAllAsync();
        await page.RouteAsync("**/v1/check/message", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 503,
            ContentType = "application/problem+json",
            Body = """{"type":"about:blank","title":"Service Unavailable","status":503,"code":"database_unavailable","detail":"The database cannot be reached."}""",
        }));
        await submit.ClickAsync();
        await Assertions.Expect(alert).ToHaveTextAsync(chinese ? "服务暂时不可用，请稍后再试。" : "The service is unavailable right now. Please try again later.");
        await Assertions.Expect(page.Locator("#message-result")).ToBeEmptyAsync();
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth") <= 0, "The page is wider than a 360 px phone.");
    }

    // Filled by Playwright from the page's objects, which needs a parameterless constructor.
    private sealed class MarkAt
    {
        public int Offset { get; set; }

        public string Text { get; set; } = "";

        public string Verdict { get; set; } = "";
    }
}
