using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

/// <summary>
/// axe-core on every page the portal serves as it first opens, at phone and desktop width in both languages; the states
/// reached by filling forms (results, errors, a filed appeal, the review queue and an opened appeal) are checked where
/// the other portal tests take their screenshots (<see cref="PortalSession.ScreenshotAsync"/>).
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class AccessibilityTests(BrowserFixture browser)
{
    [Fact]
    public async Task EveryPageAsItOpensHasNoAxeViolationsOnAPhoneAndADesktopInBothLanguages()
    {
        browser.RequireBrowser();
        Axe.Require();

        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        foreach (var screen in Screen.Both)
        {
            foreach (var language in new[] { "zh-CN", "en" })
            {
                await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
                foreach (var path in FlagApi.Portal.PortalEndpoints.Pages.Keys.Append("/#message"))
                {
                    await session.GotoAsync(path);
                    if (path == "/#message")
                    {
                        await Assertions.Expect(session.Page.Locator("#tab-message")).ToHaveAttributeAsync("aria-selected", "true");
                    }

                    await Axe.CheckAsync(session.Page, $"{path} {screen.Name} {language}");
                }
            }
        }
    }

    [Fact]
    public async Task TheCheckFailsOnAPageBrokenOnPurpose()
    {
        browser.RequireBrowser();
        Axe.Require();

        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, "en");
        await session.GotoAsync("/appeal");
        await Axe.CheckAsync(session.Page, "/appeal as served");

        // Break it three ways: a field loses its label, text turns pale grey on white, and a second landmark takes the
        // name of the first.
        await session.Page.EvaluateAsync("""
            () => {
              const field = document.querySelector('form input:not([type=hidden])');
              for (const label of field.labels) label.remove();
              field.removeAttribute('aria-label');
              field.removeAttribute('aria-labelledby');
              field.removeAttribute('title');
              field.removeAttribute('placeholder');
              const heading = document.querySelector('main h1');
              heading.style.color = '#ddd';
              heading.style.background = '#fff';
              const nav = document.querySelector('nav');
              const copy = document.createElement('nav');
              copy.setAttribute('aria-label', nav.getAttribute('aria-label') || 'Site');
              nav.setAttribute('aria-label', copy.getAttribute('aria-label'));
              copy.append(document.createTextNode('x'));
              document.querySelector('main').append(copy);
            }
            """);

        var found = (await Axe.ViolationsAsync(session.Page)).Select(v => v.GetProperty("id").GetString()).ToArray();
        Assert.Contains("label", found);
        Assert.Contains("color-contrast", found);
        Assert.Contains("landmark-unique", found);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => Axe.CheckAsync(session.Page, "/appeal broken on purpose"));
        Assert.Contains("- color-contrast (serious)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("- label (critical)", failure.Message, StringComparison.Ordinal);
    }
}
