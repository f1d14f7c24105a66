using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

[Collection(BrowserTests.Name)]
public sealed partial class AppealPageTests(BrowserFixture browser)
{
    private const string Number = "+8613800138000";

    /// <summary>The eight bytes every PNG starts with, which is what the API checks; the rest does not matter here.</summary>
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

    [Fact]
    public async Task FilingAnAppealForAFlaggedNumberShowsTheCodeTheTokenAndTheTrackLink()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));

        foreach (var (screen, language) in new[] { (Screen.Phone, (string?)null), (Screen.Desktop, "en") })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            var page = session.Page;
            await session.GotoAsync("/appeal?kind=phone&value=%2B86%20138-0013-8000");
            await Assertions.Expect(page.Locator("#appeal-kind")).ToHaveValueAsync("phone");
            await Assertions.Expect(page.Locator("#appeal-value")).ToHaveValueAsync("+86 138-0013-8000");
            await Assertions.Expect(page.Locator("#appeal-contact-hint")).ToHaveTextAsync(
                language is null ? "只用于就这次申诉联系您，绝不会公开。" : "Only used to contact you about this appeal. Never shown publicly.");
            await Assertions.Expect(page.Locator("#appeal-files-hint")).ToContainTextAsync(language is null ? "每个不超过 2 MB" : "each at most 2 MB");
            await session.ScreenshotAsync($"appeal-form-{screen.Name}-{language ?? "zh"}");

            // Keyboard only: each field is reached with Tab, and Enter in the last line field sends the form.
            await page.Locator("#appeal-value").FocusAsync();
            await page.Keyboard.PressAsync("Tab");
            await Assertions.Expect(page.Locator("#appeal-name")).ToBeFocusedAsync();
            await page.Keyboard.TypeAsync("王秀英");
            await page.Keyboard.PressAsync("Tab");
            await Assertions.Expect(page.Locator("#appeal-contact")).ToBeFocusedAsync();
            await page.Keyboard.TypeAsync(screen == Screen.Phone ? "13900139000" : "xiuying@example.com");
            await page.Keyboard.PressAsync("Tab");
            await Assertions.Expect(page.Locator("#appeal-statement")).ToBeFocusedAsync();
            await page.Keyboard.TypeAsync("这是我开小卖部用了八年的号码，上个月起打不出电话。");
            await page.Locator("#appeal-contact").FocusAsync();
            await page.Keyboard.PressAsync("Enter");

            var created = page.Locator("#appeal-created");
            await Assertions.Expect(created).ToBeVisibleAsync();
            await Assertions.Expect(created).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#appeal-form")).ToBeHiddenAsync();
            var code = await page.Locator("#tracking-code").TextContentAsync();
            var token = await page.Locator("#access-token").TextContentAsync();
            Assert.Matches(TrackingCode(), code);
            Assert.Matches(AccessToken(), token);
            await Assertions.Expect(created).ToContainTextAsync(
                language is null ? "查询密码只显示这一次，丢了无法找回" : "The access token is shown only this once. If it is lost it cannot be recovered");
            await Assertions.Expect(created).ToContainTextAsync(language is null ? "之前给您答复" : "A reviewer will answer by");
            var link = page.Locator("#track-link");
            Assert.Equal($"/track?code={code}", await link.GetAttributeAsync("href"));
            Assert.DoesNotContain(token!, await link.GetAttributeAsync("href"), StringComparison.Ordinal);
            await session.ScreenshotAsync($"appeal-created-{screen.Name}-{language ?? "zh"}");

            // The token never breaks inside one of its groups: each group sits whole on one line.
            var groupsSplit = await page.Locator("#access-token").EvaluateAsync<int>("""
                node => {
                  const text = node.firstChild; let split = 0;
                  for (let i = 0; i < text.length; i += 5) {
                    const range = document.createRange(); range.setStart(text, i); range.setEnd(text, i + 4);
                    if (range.getClientRects().length > 1) split++;
                  }
                  return split;
                }
                """);
            Assert.Equal(0, groupsSplit);

            // The copy button puts the token on the clipboard (stood in for here: a headless browser has none to read back).
            await page.EvaluateAsync("() => Object.defineProperty(navigator, 'clipboard', { value: { writeText: (text) => { window.copiedText = text; return Promise.resolve(); } } })");
            await page.Locator("#access-token-copy").ClickAsync();
            await Assertions.Expect(page.Locator("#access-token-copied")).ToContainTextAsync(language is null ? "已复制" : "Copied");
            Assert.Equal(token, await page.EvaluateAsync<string>("() => window.copiedText"));

            // The link leads to the track page, which opens the appeal with the token this tab was given: nothing to retype.
            await link.ClickAsync();
            await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "submitted");
            await Assertions.Expect(page.Locator("#track-code")).ToHaveValueAsync(code!);
            Assert.DoesNotContain(token!, page.Url, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MissingFieldsShowMessagesNextToThem()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        foreach (var (screen, language) in new[] { (Screen.Phone, (string?)null), (Screen.Desktop, "en") })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            var page = session.Page;
            await session.GotoAsync("/appeal");

            // Keyboard only: Tab to the button and press Enter.
            for (var i = 0; i < 60 && await page.EvaluateAsync<string?>("() => document.activeElement?.id") != "appeal-submit"; i++)
            {
                await page.Keyboard.PressAsync("Tab");
            }

            await Assertions.Expect(page.Locator("#appeal-submit")).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");

            var alert = page.Locator("#appeal-form [data-role='form-alert']");
            await Assertions.Expect(alert).ToBeFocusedAsync();
            if (language is null)
            {
                await Assertions.Expect(alert).ToHaveTextAsync("还有几处没填好，请看下面标红的地方。");
                await Assertions.Expect(page.Locator("#appeal-value-error")).ToHaveTextAsync("请填写被误标记的电话号码。");
                await Assertions.Expect(page.Locator("#appeal-name-error")).ToHaveTextAsync("请填写您的姓名。");
                await Assertions.Expect(page.Locator("#appeal-contact-error")).ToHaveTextAsync("请填写手机号或电子邮箱，方便审核人员联系您。");
                await Assertions.Expect(page.Locator("#appeal-statement-error")).ToHaveTextAsync("请简单说说发生了什么。");
            }
            else
            {
                await Assertions.Expect(alert).ToHaveTextAsync("A few things still need your attention; see the fields marked below.");
                await Assertions.Expect(page.Locator("#appeal-name-error")).ToHaveTextAsync("Please enter your name.");
                await Assertions.Expect(page.Locator("#appeal-statement-error")).ToHaveTextAsync("Please tell us briefly what happened.");

                // A contact that is neither a phone number nor an e-mail address is named as such.
                await page.Locator("#appeal-contact").FillAsync("ask for Wang");
                await page.Locator("#appeal-submit").ClickAsync();
                await Assertions.Expect(page.Locator("#appeal-contact-error")).ToHaveTextAsync(
                    "Please enter a mobile number or e-mail address, for example 13900139000 or name@example.com.");
            }

            foreach (var id in new[] { "appeal-value", "appeal-name", "appeal-statement" })
            {
                var field = page.Locator($"#{id}");
                await Assertions.Expect(field).ToHaveAttributeAsync("aria-invalid", "true");
                Assert.Contains($"{id}-error", await field.GetAttributeAsync("aria-describedby"), StringComparison.Ordinal);
            }

            await session.ScreenshotAsync($"appeal-errors-{screen.Name}-{language ?? "zh"}");
        }
    }

    [Fact]
    public async Task AnUnflaggedNumberSaysThereIsNothingToAppealWithALinkToCheckIt()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));

        foreach (var language in new[] { (string?)null, "en" })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, language);
            session.Tolerated.Add("status of 409");
            session.Tolerated.Add("status of 400");
            var page = session.Page;
            await session.GotoAsync("/appeal");
            await page.Locator("#appeal-value").FillAsync("13900139000");
            await FillAppellantAsync(page);
            await page.Locator("#appeal-submit").ClickAsync();

            var alert = page.Locator("#appeal-form [data-role='form-alert']");
            await Assertions.Expect(alert).ToContainTextAsync(language is null ? "目前不在涉诈名单上，不需要申诉" : "is not on the fraud list now, so there is nothing to appeal");
            await Assertions.Expect(alert).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#appeal-value")).ToHaveAttributeAsync("aria-invalid", "true");
            var check = page.Locator("#not-flagged-check-link");
            await Assertions.Expect(check).ToHaveTextAsync(language is null ? "去查一查这个号码或账号" : "Check this number or account");
            Assert.Equal("/?kind=phone&value=13900139000", await check.GetAttributeAsync("href"));

            // Something that cannot be a phone number is named next to the field, in the reader's words.
            await page.Locator("#appeal-value").FillAsync("1234567890123456789");
            await page.Locator("#appeal-submit").ClickAsync();
            await Assertions.Expect(page.Locator("#appeal-value-error")).ToHaveTextAsync(
                language is null ? "这不像一个电话号码，请检查一下，例如 13800138000。" : "This does not look like a phone number; please check it, for example 13800138000.");
        }
    }

    [Fact]
    public async Task AnAttachmentAndEvidenceAreSentAndAReviewerSeesThem()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));

        await using (var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone))
        {
            var page = session.Page;
            await session.GotoAsync($"/appeal?kind=phone&value={Uri.EscapeDataString(Number)}");
            await FillAppellantAsync(page);
            await page.Locator("#appeal-evidence").FillAsync("营业执照 91530100MA6K123456\nhttps://shop.example.com/about\n");

            // A file over the limit is refused in the page, before anything is sent; the right one is kept.
            var tooBig = new byte[(2 * 1024 * 1024) + 1];
            Png.CopyTo(tooBig, 0);
            await page.Locator("#appeal-files").SetInputFilesAsync(new[]
            {
                new FilePayload { Name = "licence.png", MimeType = "image/png", Buffer = Png },
                new FilePayload { Name = "huge-photo.png", MimeType = "image/png", Buffer = tooBig },
            });
            await Assertions.Expect(page.Locator("#appeal-files-error")).ToContainTextAsync("“huge-photo.png”有 2.1 MB，太大了，没有加上。每个文件不能超过 2 MB");
            var files = page.Locator("#appeal-file-list li");
            await Assertions.Expect(files).ToHaveCountAsync(1);
            await Assertions.Expect(files.First).ToContainTextAsync("licence.png");

            await page.Locator("#appeal-submit").ClickAsync();
            await Assertions.Expect(page.Locator("#tracking-code")).ToBeVisibleAsync();
        }

        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var queue = await reviewer.GetFromJsonAsync<JsonElement>("/v1/appeals");
        var id = queue.GetProperty("items")[0].GetProperty("id").GetInt64();
        var appeal = (await AppealApi.ReviewerViewAsync(reviewer, id)).Json;
        var attachment = Assert.Single(appeal.GetProperty("attachments").EnumerateArray());
        Assert.Equal("licence.png", attachment.GetProperty("fileName").GetString());
        Assert.Equal("image/png", attachment.GetProperty("contentType").GetString());
        Assert.Equal(Png.Length, attachment.GetProperty("size").GetInt64());
        var evidence = appeal.GetProperty("evidence").EnumerateArray().ToList();
        Assert.Equal(2, evidence.Count);
        Assert.Equal("text", evidence[0].GetProperty("type").GetString());
        Assert.Equal("营业执照 91530100MA6K123456", evidence[0].GetProperty("text").GetString());
        Assert.Equal("link", evidence[1].GetProperty("type").GetString());
        Assert.Equal("https://shop.example.com/about", evidence[1].GetProperty("url").GetString());
        Assert.Equal("王秀英", appeal.GetProperty("appellant").GetProperty("name").GetString());
    }

    [Fact]
    public async Task AnAppealAlreadyOpenIsNamedWithItsCodeAndNoNewToken()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        var first = await AppealApi.FileAsync(app, Number, contact: "139 0013 9000");

        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, "en");
        var page = session.Page;
        await session.GotoAsync($"/appeal?kind=phone&value={Uri.EscapeDataString(Number)}");
        await FillAppellantAsync(page);
        await page.Locator("#appeal-submit").ClickAsync();

        var open = page.Locator("#appeal-open");
        await Assertions.Expect(open).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#open-tracking-code")).ToHaveTextAsync(first.Code);
        await Assertions.Expect(open).ToContainTextAsync("Its access token was given to you when you filed it the first time.");
        await Assertions.Expect(page.Locator("#access-token")).ToHaveCountAsync(0);

        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(open).ToContainTextAsync("查询密码在您第一次提交时已经给过您");
    }

    [Fact]
    public async Task AfterARejectionTheTrackPageSaysFromWhenANewAppealIsPossibleAndLinksToItOnlyThen()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        var first = await AppealApi.FileAsync(app, Number);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        await AppealApi.DecideAsync(reviewer, first.Id, "reject", "回拨时接电话的人说不认识申诉人。");

        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone);
        session.Tolerated.Add("status of 409");
        var page = session.Page;
        await session.GotoAsync($"/track?code={first.Code}");
        await page.Locator("#track-token").FillAsync(first.Token);
        await page.Locator("#track-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "rejected");
        var decision = page.Locator("#appeal-decision");
        await Assertions.Expect(decision).ToContainTextAsync("申诉没有通过");
        await Assertions.Expect(decision).ToContainTextAsync("回拨时接电话的人说不认识申诉人。");
        await Assertions.Expect(page.Locator("#withdraw-button")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#answer-form")).ToHaveCountAsync(0);

        // During the cool-down: the day it ends, and no link to a form that would be refused.
        await Assertions.Expect(page.Locator("#appeal-again")).ToHaveTextAsync(new Regex(@"^如果您有新的证明材料，可以从 \d{4}年\d{1,2}月\d{1,2}日 .* 起重新申诉。"));
        await Assertions.Expect(decision.Locator("a")).ToHaveCountAsync(0);
        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-again")).ToContainTextAsync("you can appeal again from");

        // Whoever goes to the appeal form anyway is told the same day, by the API's refusal.
        await session.GotoAsync($"/appeal?kind=phone&value={Uri.EscapeDataString(Number)}");
        await page.Locator("#language-switch").ClickAsync();
        await FillAppellantAsync(page);
        await page.Locator("#appeal-submit").ClickAsync();
        var alert = page.Locator("#appeal-form [data-role='form-alert']");
        await Assertions.Expect(alert).ToHaveTextAsync(new Regex(@"^您对这个号码或账号的申诉刚被驳回，\d{4}年\d{1,2}月\d{1,2}日 .*以后才能再次申诉。"));
        await Assertions.Expect(page.Locator("#appeal-value-error")).ToBeVisibleAsync();

        // After the cool-down (on the service's clock and the browser's alike) the track page links to the form, filled in.
        app.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await page.Clock.SetFixedTimeAsync(app.Clock.GetUtcNow().UtcDateTime);
        await session.GotoAsync($"/track?code={first.Code}");
        await page.Locator("#track-token").FillAsync(first.Token);
        await page.Locator("#track-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-again")).ToHaveCountAsync(0);
        await Assertions.Expect(decision).ToContainTextAsync("现在可以重新申诉");
        await page.Locator("#new-appeal-link").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-value")).ToHaveValueAsync(Number);
        await Assertions.Expect(page.Locator("#appeal-kind")).ToHaveValueAsync("phone");
        await FillAppellantAsync(page);
        await page.Locator("#appeal-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#appeal-created")).ToBeVisibleAsync();
    }

    private static async Task FillAppellantAsync(IPage page)
    {
        await page.Locator("#appeal-name").FillAsync("王秀英");
        await page.Locator("#appeal-contact").FillAsync("13900139000");
        await page.Locator("#appeal-statement").FillAsync("这是我开小卖部用了八年的号码。");
    }

    [GeneratedRegex("^AP-[0-9A-Z]{4}-[0-9A-Z]{4}$")]
    private static partial Regex TrackingCode();

    [GeneratedRegex("^[34679ACDEFGHJKMNPQRTUVWXY]{4}(-[34679ACDEFGHJKMNPQRTUVWXY]{4}){5}$")]
    private static partial Regex AccessToken();
}
