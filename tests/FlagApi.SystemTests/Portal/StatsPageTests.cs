using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

[Collection(BrowserTests.Name)]
public sealed class StatsPageTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheFiguresPageShowsThisWeeksDecisionTimesAndTheShareDecidedInTime()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget(), new Dictionary<string, string?> { ["Stats:CacheDuration"] = "00:00:00" });
        await app.PublishAsync(("phone", "+8613800138000", "impersonating_authorities", "high"), ("phone", "+8613900000001", "other", "high"));
        var quick = await AppealApi.FileAsync(app, "+8613800138000");
        var slow = await AppealApi.FileAsync(app, "+8613900000001");
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        app.Clock.Advance(TimeSpan.FromHours(2));
        await AppealApi.DecideAsync(reviewer, quick.Id, "reject", "没有证明材料。");
        app.Clock.Advance(TimeSpan.FromHours(72));
        await AppealApi.DecideAsync(reviewer, slow.Id, "reject", "没有证明材料。");
        var week = IsoWeek(app.Clock.GetUtcNow().UtcDateTime);
        var firstWeek = IsoWeek(app.Clock.GetUtcNow().UtcDateTime.AddHours(-72));

        foreach (var (screen, language) in new[] { (Screen.Phone, (string?)null), (Screen.Desktop, "en") })
        {
            await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, screen, language);
            var page = session.Page;
            await session.GotoAsync("/");
            await page.Locator("#site-footer a[href='/stats']").ClickAsync();
            await Assertions.Expect(page.Locator("#stats-weeks tbody tr")).ToHaveCountAsync(FlagApi.Stats.StatsQueries.Weeks);

            // The two decisions fall in one week or two, depending on the day the test runs.
            var rows = page.Locator("#stats-weeks tbody tr");
            if (week == firstWeek)
            {
                var row = page.Locator($"#stats-weeks tr[data-week='{week}']");
                await Assertions.Expect(row.Locator(".decided")).ToHaveTextAsync("2");
                await Assertions.Expect(row.Locator(".median")).ToHaveTextAsync(language is null ? "38 小时" : "38 h");
                await Assertions.Expect(row.Locator(".on-time")).ToHaveTextAsync(language is null ? "50%（2 件中 1 件）" : "50% (1 of 2)");
            }
            else
            {
                await Assertions.Expect(page.Locator($"#stats-weeks tr[data-week='{week}'] .p90")).ToHaveTextAsync(language is null ? "74 小时" : "74 h");
                await Assertions.Expect(page.Locator($"#stats-weeks tr[data-week='{firstWeek}'] .on-time")).ToHaveTextAsync(language is null ? "100%（1 件中 1 件）" : "100% (1 of 1)");
            }

            await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-week", week);
            await session.ScreenshotAsync($"stats-{screen.Name}-{language ?? "zh"}");
        }
    }

    private static string IsoWeek(DateTime day) =>
        $"{System.Globalization.ISOWeek.GetYear(day)}-W{System.Globalization.ISOWeek.GetWeekOfYear(day).ToString("00", System.Globalization.CultureInfo.InvariantCulture)}";
}
