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
}
