using System.Text.Json;
using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

/// <summary>The report page: a report is sent, said not to flag by itself, and refused field by field when incomplete.</summary>
[Collection(BrowserTests.Name)]
public sealed class ReportPageTests(BrowserFixture browser)
{
    private static readonly (Screen Screen, string? Language, string Suffix)[] Views =
    [
        (Screen.Phone, null, "phone-zh"),
        (Screen.Desktop, "en", "desktop-en"),
    ];

    [Fact]
    public async Task FormIsPrefilledFromTheAddressWithCategoriesInPlainWords()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        foreach (var (screen, language, suffix) in Views)
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            await session.GotoAsync("/report?kind=url&value=" + Uri.EscapeDataString("http://pay.example.cn/"));
            var page = session.Page;

            await Assertions.Expect(page.Locator("#report-kind")).ToHaveValueAsync("url");
            await Assertions.Expect(page.Locator("#report-value")).ToHaveValueAsync("http://pay.example.cn/");
            await Assertions.Expect(page.Locator("#report-value-hint")).ToHaveTextAsync(language is null ? "例如 www.example.com/login" : "For example www.example.com/login");
            await Assertions.Expect(page.GetByLabel(language is null ? "冒充公检法" : "Pretending to be police, a court or prosecutors")).ToBeVisibleAsync();
            var unknown = page.GetByLabel(language is null ? "不知道" : "I don't know", new() { Exact = true });
            await Assertions.Expect(unknown).ToBeCheckedAsync();
            await Assertions.Expect(page.Locator("#report-start .notice")).ToContainTextAsync(language is null ? "审核员会先核实" : "a reviewer checks it first");

            // A value without a kind gets the kind it looks like.
            await session.GotoAsync("/report?value=" + Uri.EscapeDataString("微信:wxid_abc123"));
            await Assertions.Expect(page.Locator("#report-kind")).ToHaveValueAsync("account");
            await session.GotoAsync("/report");
            await session.ScreenshotAsync($"report-form-{suffix}");
        }
    }

    [Fact]
    public async Task ReportSubmittedWithKeyboardOnlySucceedsAndTheCheckPageShowsIt()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone);
        await session.GotoAsync("/report");
        var page = session.Page;
        var keyboard = page.Keyboard;

        await page.TabToAsync("report-kind");
        await keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(page.Locator("#report-kind")).ToHaveValueAsync("url");
        await keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(page.Locator("#report-kind")).ToHaveValueAsync("phone");
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("#report-value")).ToBeFocusedAsync();
        await keyboard.TypeAsync("171 2345 6789");

        // Into the category group, which lands on the checked "don't know", then up to "other".
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("#report-category-unknown")).ToBeFocusedAsync();
        await keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(page.Locator("#report-category-other")).ToBeCheckedAsync();

        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("#report-description")).ToBeFocusedAsync();
        await keyboard.TypeAsync("自称快递客服，说包裹丢了要赔钱，让我下载会议软件共享屏幕。");
        await page.TabToAsync("report-submit");
        await keyboard.PressAsync("Enter");

        var received = page.Locator("#report-received");
        await Assertions.Expect(received).ToBeVisibleAsync();
        await Assertions.Expect(received).ToBeFocusedAsync();
        await Assertions.Expect(received.Locator("h2")).ToHaveTextAsync("举报已收到，谢谢您");
        await Assertions.Expect(received).ToContainTextAsync("单凭一条举报不会把它列入涉诈名单");
        await Assertions.Expect(received).ToContainTextAsync("+8617123456789");
        await Assertions.Expect(page.Locator("#report-form")).ToBeHiddenAsync();
        await session.ScreenshotAsync("report-success-phone-zh");

        var lookup = await app.GetJsonAsync<JsonElement>("/v1/lookup/phone?value=17123456789");
        Assert.Equal(1, lookup.GetProperty("reports").GetProperty("count").GetInt32());
        Assert.Equal("other", lookup.GetProperty("reports").GetProperty("topCategory").GetString());

        // The link after sending checks what was reported: people have reported it, nobody has verified it.
        await page.TabToAsync("report-check-link");
        await keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#check-result")).ToHaveAttributeAsync("data-verdict", "reported");
        await Assertions.Expect(page.Locator("#check-result h2")).ToHaveTextAsync("有 1 人举报过，还没有核实");
    }

    [Fact]
    public async Task ReportSucceedsInEnglishOnADesktopAndAnotherCanFollow()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, "en");
        await session.GotoAsync("/report?kind=app&value=" + Uri.EscapeDataString("云客服"));
        var page = session.Page;

        await page.GetByLabel("Remote control or screen sharing").CheckAsync();
        await page.Locator("#report-description").FillAsync("A caller told me to install this app to get a refund.");
        await page.Locator("#report-occurred-at").FillAsync(DateTime.Now.AddDays(-2).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#report-submit").ClickAsync();

        var received = page.Locator("#report-received");
        await Assertions.Expect(received.Locator("h2")).ToHaveTextAsync("Thank you, your report has arrived");
        await Assertions.Expect(received).ToContainTextAsync("A report alone does not put anything on the fraud list");
        await Assertions.Expect(received).ToContainTextAsync("TypeApp");
        await session.ScreenshotAsync("report-success-desktop-en");

        await page.Locator("#report-another").ClickAsync();
        await Assertions.Expect(page.Locator("#report-value")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#report-value")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#report-description")).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByLabel("I don't know", new() { Exact = true })).ToBeCheckedAsync();
    }

    [Fact]
    public async Task ReportWithoutADescriptionShowsTheMessageBesideTheField()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        foreach (var (screen, language, suffix) in Views)
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            await session.GotoAsync("/report?kind=phone&value=17012345678");
            var page = session.Page;
            await page.Locator("#report-description").FillAsync("   ");
            await page.Locator("#report-submit").ClickAsync();

            var description = page.Locator("#report-description");
            await Assertions.Expect(page.Locator("#report-description-error")).ToHaveTextAsync(language is null ? "请写一写发生了什么。" : "Please describe what happened.");
            await Assertions.Expect(description).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(description).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#report-form [data-role=form-alert]")).ToHaveTextAsync(
                language is null ? "有几处需要修改，请看下面的提示。" : "Some answers need changing; see the messages below.");
            await Assertions.Expect(page.Locator("#report-received")).ToBeHiddenAsync();
            await session.ScreenshotAsync($"report-error-{suffix}");

            var reports = await app.GetJsonAsync<JsonElement>("/v1/lookup/phone?value=17012345678");
            Assert.Equal(0, reports.GetProperty("reports").GetProperty("count").GetInt32());
        }
    }

    [Fact]
    public async Task ValueTheServiceCannotReadIsMarkedOnItsFieldInTheReadersLanguage()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone);
        session.Tolerated.Add("status of 400");
        await session.GotoAsync("/report?kind=phone&value=12");
        var page = session.Page;
        await page.Locator("#report-description").FillAsync("打来电话说我的医保卡被冻结了。");
        await page.Locator("#report-submit").ClickAsync();

        var message = page.Locator("#report-value-error");
        await Assertions.Expect(message).ToContainTextAsync("这不像是一个电话号码");
        await Assertions.Expect(page.Locator("#report-value")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#report-description-error")).ToHaveCountAsync(0);

        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(message).ToContainTextAsync("This does not look like a phone number");
        await Assertions.Expect(page.Locator("#report-form [data-role=form-alert]")).ToHaveTextAsync("Some answers need changing; see the messages below.");
    }
}
