using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

[Collection(BrowserTests.Name)]
public sealed class PortalSmokeTests(BrowserFixture browser)
{
    [Fact]
    public async Task EveryPageOpensInChineseAndSwitchesToEnglish()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress);
        await session.GotoAsync("/");
        Assert.Equal("zh-CN", await session.Page.Locator("html").GetAttributeAsync("lang"));
        await Assertions.Expect(session.Page.Locator("#safety-notice")).ToContainTextAsync("从不主动给您打电话");
        await session.Page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#safety-notice")).ToContainTextAsync("never calls you first");
        await session.GotoAsync("/track");
        Assert.Equal("en", await session.Page.Locator("html").GetAttributeAsync("lang"));
    }

    [Fact]
    public async Task PagesCannotTurnTextIntoMarkupOrLoadAnotherOrigin()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress);
        session.Tolerated.Add("Content Security Policy");
        session.Tolerated.Add("TrustedHTML");
        session.Tolerated.Add("TrustedScript");
        await session.GotoAsync("/");

        var markup = await session.Page.EvaluateAsync<string>(
            "() => { try { document.body.innerHTML = '<b>x</b>'; return 'accepted'; } catch (e) { return e.name; } }");
        Assert.Equal("TypeError", markup);

        var inlineScript = await session.Page.EvaluateAsync<string>(
            "() => { window.ran = false; const s = document.createElement('script'); try { s.textContent = 'window.ran = true'; document.head.append(s); return String(window.ran); } catch (e) { return e.name; } }");
        Assert.Equal("TypeError", inlineScript);

        // A stylesheet from another origin is refused by style-src 'self' even when added by script.
        var foreignStyle = await session.Page.EvaluateAsync<bool>(
            "() => new Promise(done => { const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = 'http://127.0.0.2:9/x.css'; l.onload = () => done(true); l.onerror = () => done(false); document.head.append(l); })");
        Assert.False(foreignStyle);
    }

    [Fact]
    public async Task EveryPageFitsAPhoneWithoutSidewaysScrollingAndLabelsEveryField()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        foreach (var language in new[] { "zh-CN", "en" })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, language);
            foreach (var path in FlagApi.Portal.PortalEndpoints.Pages.Keys)
            {
                await session.GotoAsync(path);

                var overflow = await session.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{path} ({language}) is {overflow} px wider than a 360 px phone.");

                var unlabelled = await session.Page.EvaluateAsync<string[]>(UnlabelledFields);
                Assert.True(unlabelled.Length == 0, $"{path} ({language}) has fields without a label: {string.Join(", ", unlabelled)}");

                var safety = await session.Page.Locator("#safety-notice").InnerTextAsync();
                Assert.Contains(language == "en" ? "never asks you for money" : "从不以任何理由向您收取费用", safety, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task TheChosenLanguageIsRememberedAcrossPagesAndVisits()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress);
        await session.GotoAsync("/");
        await session.Page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#language-switch")).ToBeFocusedAsync();

        await session.GotoAsync("/appeal");
        await Assertions.Expect(session.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await session.Page.ReloadAsync();
        await Assertions.Expect(session.Page.Locator("#site-header nav")).ToContainTextAsync("Track an appeal");

        await session.Page.Locator("#language-switch").PressAsync("Enter");
        await Assertions.Expect(session.Page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Assertions.Expect(session.Page.Locator("#site-header nav")).ToContainTextAsync("申诉进度");
    }

    // Visible form controls that no <label>, aria-label or aria-labelledby names.
    private const string UnlabelledFields = """
        () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter(c => c.offsetParent !== null)
          .filter(c => c.labels.length === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
          .map(c => c.id || c.name || c.outerHTML.slice(0, 60))
        """;
}
