using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

/// <summary>
/// Issue 26: a focus ring that can be seen on every background, focus that is never dropped to the page when a form is
/// sent, and a language switch that redraws every message shown, with words in the other language marked as such.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed partial class FocusAndLanguageTests(BrowserFixture browser)
{
    private const string Flagged = "+8613800138000";

    /// <summary>
    /// Focuses the control and answers its outline style and colour, its box-shadow (the halo, or 'none'), the colour
    /// behind it (the first ancestor with a background), and whether it matches :focus-visible.
    /// </summary>
    private const string MeasureFocus = """
        (selector) => {
          const node = document.querySelector(selector);
          if (!node) return null;
          node.focus();
          const style = getComputedStyle(node);
          let behind = 'rgb(255, 255, 255)';
          for (let n = node.parentElement; n; n = n.parentElement) {
            const colour = getComputedStyle(n).backgroundColor;
            const parts = colour.match(/[\d.]+/g).map(Number);
            if (parts.length < 4 || parts[3] > 0) { behind = colour; break; }
          }
          return [style.outlineStyle, style.outlineColor, style.boxShadow, behind, String(node.matches(':focus-visible')), String(document.activeElement === node)];
        }
        """;

    private static readonly (int R, int G, int B) Halo = (0xff, 0xbf, 0x47);
    private static readonly (int R, int G, int B) Brand = (0x0b, 0x5c, 0xad);
    private static readonly (int R, int G, int B) White = (0xff, 0xff, 0xff);
    private static readonly (int R, int G, int B) DarkRing = (0x1b, 0x1f, 0x24);

    [Fact]
    public void TheContrastMeasureCatchesTheOldYellowRing()
    {
        // The ring issue 26 found: #ffbf47 alone on white, the page background and the flagged-result box.
        Assert.InRange(Contrast(Halo, White), 1.6, 1.7);
        Assert.InRange(Contrast(Halo, (0xf3, 0xf5, 0xf8)), 1.45, 1.55);
        Assert.InRange(Contrast(Halo, (0xfd, 0xec, 0xea)), 1.4, 1.5);
        Assert.Equal(21, Contrast((0, 0, 0), White), 1);
        Assert.NotEmpty(IndicatorFaults(Halo, null, White));
    }

    [Fact]
    public void TheIndicatorMeasureCatchesTheOldWhiteRingInTheYellowHaloOnTheHeader()
    {
        // The white ring sat on the yellow halo (1.64:1), so on the blue header only the halo showed: (a) fails.
        var faults = IndicatorFaults(White, Halo, Brand);
        Assert.Single(faults);
        Assert.Contains("against the halo", faults[0], StringComparison.Ordinal);
        Assert.InRange(Contrast(White, Halo), 1.6, 1.7);
        Assert.InRange(Contrast(Halo, Brand), 4.0, 4.1);
        // A dark ring on the same header passes both: 10:1 on the halo, and the halo changes the blue by 4:1.
        Assert.Empty(IndicatorFaults(DarkRing, Halo, Brand));
        Assert.InRange(Contrast(DarkRing, Brand), 2.4, 2.6);
        // A ring with no halo, the colour of the background, fails both.
        Assert.NotEmpty(IndicatorFaults(Brand, null, Brand));
    }

    /// <summary>
    /// What is wrong with a focus indicator: (a) the ring needs 3:1 against what is right around it, the halo when there
    /// is one, else the background; (b) the ring or the halo needs 3:1 against the background it covers, so the focused
    /// control's surroundings visibly change.
    /// </summary>
    private static List<string> IndicatorFaults((int R, int G, int B) ring, (int R, int G, int B)? halo, (int R, int G, int B) behind)
    {
        var faults = new List<string>();
        var around = halo ?? behind;
        var ringOnAround = Contrast(ring, around);
        if (ringOnAround < 3) faults.Add($"ring {ring} against the {(halo is null ? "background" : "halo")} {around} is {ringOnAround:0.00}:1");
        var change = Math.Max(Contrast(ring, behind), halo is { } h ? Contrast(h, behind) : 0);
        if (change < 3) faults.Add($"neither ring {ring} nor halo {halo} changes the background {behind} by 3:1 ({change:0.00}:1)");
        return faults;
    }

    [Fact]
    public async Task FocusRingsHaveAtLeastThreeToOneAgainstEveryBackgroundTheyAppearOn()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Flagged, "impersonating_authorities", "high"));
        await ReportAsync(app, "+8613700137000");
        var appeal = await AppealApi.FileAsync(app, Flagged);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var asked = await reviewer.PostAsJsonAsync($"/v1/review/appeals/{appeal.Id}/request-info", new { message = "请上传营业执照照片。" });
        Assert.True(asked.IsSuccessStatusCode, await asked.Content.ReadAsStringAsync());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, "en");
        var page = session.Page;
        var measured = new List<string>();
        var backgrounds = new HashSet<string>();

        async Task Measure(string selector)
        {
            var found = await page.EvaluateAsync<string[]?>(MeasureFocus, selector);
            Assert.True(found is not null, $"{selector} is not on the page");
            var (style, ring, shadow, behind, visible, focused) = (found[0], found[1], found[2], found[3], found[4], found[5]);
            Assert.True(focused == "true", $"{selector} did not take focus");
            Assert.True(style != "none", $"{selector} shows no outline when focused (:focus-visible {visible})");
            (int R, int G, int B)? halo = shadow == "none" ? null : Parse(shadow);
            var faults = IndicatorFaults(Parse(ring), halo, Parse(behind));
            var around = halo ?? Parse(behind);
            measured.Add($"{selector}: ring {ring}, halo {shadow}, on {behind}: ring/halo {Contrast(Parse(ring), around):0.00}, "
                + $"ring/background {Contrast(Parse(ring), Parse(behind)):0.00}, halo/background {(halo is { } h ? Contrast(h, Parse(behind)) : 0):0.00}");
            backgrounds.Add(behind);
            Assert.True(faults.Count == 0, $"focus indicator of {selector}: {string.Join("; ", faults)}");
        }

        await session.GotoAsync("/");
        await page.Keyboard.PressAsync("Tab"); // the keyboard is in use, so focus rings show
        await Measure("#language-switch");           // the blue header
        await Measure("#site-header nav a");
        await Measure("#site-header .brand");
        await Measure("#check-value");               // white
        await Measure("#check-submit");              // a blue button on white
        await Measure("#site-footer a");             // the page wash
        await Measure("main");                       // where the skip link sends focus, on the page wash

        await page.Locator("#check-value").FillAsync(Flagged);
        await page.Locator("#check-value").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#check-result")).ToHaveAttributeAsync("data-verdict", "flagged");
        await Measure("#check-result");              // the result itself, focused after a check
        await Measure("#appeal-link");               // inside the flagged box (flagged wash)

        await page.Locator("#check-value").FillAsync("+8613900139000");
        await page.Locator("#check-value").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#check-result")).ToHaveAttributeAsync("data-verdict", "clear");
        await Measure("#report-link");               // inside the clear box (unknown wash)

        await page.Locator("#check-value").FillAsync("+8613700137000");
        await page.Locator("#check-value").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#check-result")).ToHaveAttributeAsync("data-verdict", "reported");
        await Measure("#report-link");               // inside the reported box (warn wash)

        // The message check: its verdict heading (focused by the page) in the flagged box, and a found item.
        await page.Locator("#tab-message").ClickAsync();
        await page.Locator("#message-text").FillAsync($"请回电 {Flagged} 办理退款");
        await page.Locator("#message-submit").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#message-verdict")).ToBeFocusedAsync();
        await Measure("#message-verdict");
        await Measure("#message-item-1");
        await Measure("#message-items .appeal-link");

        // The report's receipt (cleared wash) and the field marked invalid.
        await session.GotoAsync("/report");
        await page.Keyboard.PressAsync("Tab");
        await page.Locator("#report-submit").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Measure("#report-value");
        await page.Locator("#report-value").FillAsync("+8613600136000");
        await page.Locator("#report-description").FillAsync("He said he was customer service and asked me to pay.");
        await page.Locator("#report-submit").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#report-received")).ToBeFocusedAsync();
        await Measure("#report-received");
        await Measure("#report-check-link");
        await Measure("#report-another");

        // The appeal form's alert (flagged wash inside) and a field marked invalid.
        await session.GotoAsync("/appeal");
        await page.Keyboard.PressAsync("Tab");
        await page.Locator("#appeal-submit").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#appeal-form [data-role='form-alert']")).ToBeFocusedAsync();
        await Measure("#appeal-form [data-role='form-alert']");
        await Measure("#appeal-name");

        // The track page: the reviewer's questions (warn wash) and the withdraw confirmation (flagged wash).
        await session.GotoAsync($"/track?code={appeal.Code}");
        await page.Locator("#track-token").FillAsync(appeal.Token);
        await page.Locator("#track-submit").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#appeal-view-title")).ToBeFocusedAsync();
        await Measure("#appeal-view-title");
        await Measure("#answer-message");
        await Measure("#answer-files-choose");
        await Measure("#answer-submit");
        await page.Locator("#withdraw-button").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#withdraw-confirm-text")).ToBeFocusedAsync();
        await Measure("#withdraw-confirm-text");
        await Measure("#withdraw-confirm");
        await Measure("#withdraw-cancel");

        // The stats table, which scrolls and so takes focus.
        await session.GotoAsync("/stats");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("#stats-appeals")).ToBeVisibleAsync();
        await Measure("#stats-appeals .table-wrap");

        var expected = new[]
        {
            "rgb(11, 92, 173)", "rgb(255, 255, 255)", "rgb(243, 245, 248)", "rgb(253, 236, 234)", "rgb(231, 244, 234)",
            "rgb(238, 241, 245)", "rgb(255, 244, 220)",
        };
        var report = string.Join("\n", measured);
        // The figures, beside the screenshots, for a person to read.
        await File.WriteAllTextAsync(Path.Combine(Screenshots.Folder, "focus-contrast.txt"), report + "\n");
        foreach (var background in expected) Assert.True(backgrounds.Contains(background), $"no control measured on {background}:\n{report}");
        Assert.True(measured.Count >= 27, report);
    }

    private static async Task ReportAsync(FlagApiFactory app, string number)
    {
        using var client = app.CreateClient();
        var sent = await client.PostAsJsonAsync("/v1/reports", new
        {
            kind = "phone", value = number, category = "fake_customer_service",
            description = "Said my parcel was lost and asked me to share my screen.",
        });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, sent.StatusCode);
    }

    [Fact]
    public async Task SendingEachFormLeavesFocusOnTheResultOrAControl()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Flagged, "impersonating_authorities", "high"));
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, null);
        session.Tolerated.Add("404");
        var page = session.Page;

        async Task SendWithKeyboard(string submit)
        {
            await page.Locator(submit).FocusAsync();
            await page.Keyboard.PressAsync("Enter");
        }

        async Task AssertFocusKept(string expected)
        {
            await Assertions.Expect(page.Locator(expected)).ToBeFocusedAsync();
            Assert.NotEqual("BODY", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));
        }

        // The check: the button is disabled during the lookup; the verdict takes focus.
        await session.GotoAsync("/");
        await page.Locator("#check-value").FillAsync(Flagged);
        await SendWithKeyboard("#check-submit");
        await Assertions.Expect(page.Locator("#check-result")).ToHaveAttributeAsync("data-verdict", "flagged");
        await AssertFocusKept("#check-result");

        // A message.
        await page.Locator("#tab-message").ClickAsync();
        await page.Locator("#message-text").FillAsync($"请回电 {Flagged} 办理退款");
        await SendWithKeyboard("#message-submit");
        await Assertions.Expect(page.Locator("#message-result")).ToHaveAttributeAsync("data-verdict", "flagged");
        await AssertFocusKept("#message-verdict");

        // A report.
        await session.GotoAsync("/report");
        await page.Locator("#report-value").FillAsync("+8613700137000");
        await page.Locator("#report-description").FillAsync("他说是客服，让我转账。");
        await SendWithKeyboard("#report-submit");
        await AssertFocusKept("#report-received");

        // An appeal: refused fields, then filed.
        await session.GotoAsync($"/appeal?kind=phone&value={Uri.EscapeDataString(Flagged)}");
        await SendWithKeyboard("#appeal-submit");
        await AssertFocusKept("#appeal-form [data-role='form-alert']");
        await page.Locator("#appeal-name").FillAsync("王小明");
        await page.Locator("#appeal-contact").FillAsync("13900139000");
        await page.Locator("#appeal-statement").FillAsync("这是我用了十年的号码。");
        await SendWithKeyboard("#appeal-submit");
        await Assertions.Expect(page.Locator("#tracking-code")).ToBeVisibleAsync();
        Assert.NotEqual("BODY", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));

        // Tracking, in a new tab (this one would open the appeal just filed): a code and token the service does not know.
        await using var tracking = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, null);
        tracking.Tolerated.Add("404");
        page = tracking.Page;
        await tracking.GotoAsync("/track");
        await page.Locator("#track-code").FillAsync("AP-ABCD-2345");
        await page.Locator("#track-token").FillAsync("abcdefghijklmnopqrstuvwxyz");
        await SendWithKeyboard("#track-submit");
        await AssertFocusKept("#track-form [data-role='form-alert']");
    }

    [Fact]
    public async Task TheTrackPageKeepsFocusThroughOpeningAnsweringWithdrawingAndForgetting()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Flagged, "impersonating_authorities", "high"), ("phone", "+8613800138001", "impersonating_authorities", "high"));
        var answered = await AskAsync(app, await AppealApi.FileAsync(app, Flagged));
        var refused = await AskAsync(app, await AppealApi.FileAsync(app, "+8613800138001"));
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Phone, null);
        session.Tolerated.Add("409");
        var page = session.Page;

        // Opening with a right code and token: the appeal's heading takes focus from the disabled button.
        await OpenWithKeyboardAsync(session, answered);
        await AssertFocusedAsync(page, "#appeal-view-title");

        // An answer sent: the notice that says so takes focus, as the form it was typed in is gone.
        await page.Locator("#answer-message").FillAsync("营业执照照片明天补交。");
        await PressAsync(page, "#answer-submit");
        await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "in_review");
        await AssertFocusedAsync(page, "#track-notice");

        // Withdrawing, both steps: the question, then the notice of the appeal withdrawn.
        await PressAsync(page, "#withdraw-button");
        await AssertFocusedAsync(page, "#withdraw-confirm-text");
        await session.ScreenshotAsync("focus-track-withdraw-confirm");
        await PressAsync(page, "#withdraw-confirm");
        await Assertions.Expect(page.Locator("#appeal-status")).ToHaveAttributeAsync("data-status", "withdrawn");
        await AssertFocusedAsync(page, "#track-notice");

        // Leaving the appeal: the token field, to open another.
        await PressAsync(page, "#track-forget");
        await AssertFocusedAsync(page, "#track-token");

        // An answer refused because the appeal was withdrawn elsewhere meanwhile: the page reads it again and says so.
        await OpenWithKeyboardAsync(session, refused);
        using (var elsewhere = app.CreateClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/appeals/{refused.Code}/withdraw") { Content = JsonContent.Create(new { }) };
            request.Headers.Add("X-Appeal-Token", refused.Token);
            var withdrawn = await elsewhere.SendAsync(request);
            Assert.True(withdrawn.IsSuccessStatusCode, await withdrawn.Content.ReadAsStringAsync());
        }

        await page.Locator("#answer-message").FillAsync("营业执照照片明天补交。");
        await PressAsync(page, "#answer-submit");
        await Assertions.Expect(page.Locator("#track-notice")).ToHaveClassAsync(new Regex(@"\bwarning\b"));
        await AssertFocusedAsync(page, "#track-notice");
        await session.ScreenshotAsync("focus-track-answer-refused");
    }

    [Fact]
    public async Task SmallButtonsKeepFocusOnAControl()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Flagged, "impersonating_authorities", "high"));
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, null);
        var page = session.Page;

        // The message check's "clear" button empties the field and leaves focus in it.
        await session.GotoAsync("/#message");
        await page.Locator("#message-text").FillAsync($"请回电 {Flagged}");
        await PressAsync(page, "#message-submit");
        await AssertFocusedAsync(page, "#message-verdict");
        await PressAsync(page, "#message-clear");
        await AssertFocusedAsync(page, "#message-text");

        // A file added, then removed with the keyboard: focus goes to the button that adds files, not to the page.
        await session.GotoAsync($"/appeal?kind=phone&value={Uri.EscapeDataString(Flagged)}");
        await page.Locator("#appeal-files").SetInputFilesAsync(new FilePayload { Name = "营业执照.png", MimeType = "image/png", Buffer = [0x89, 0x50, 0x4e, 0x47, 1, 2, 3] });
        var remove = page.Locator("#appeal-file-list button");
        await Assertions.Expect(remove).ToHaveCountAsync(1);
        await remove.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(remove).ToHaveCountAsync(0);
        await AssertFocusedAsync(page, "#appeal-files-choose");

        // The copy button, after filing: focus stays on it, whether or not the browser let the page copy.
        await page.Locator("#appeal-name").FillAsync("王小明");
        await page.Locator("#appeal-contact").FillAsync("13900139000");
        await page.Locator("#appeal-statement").FillAsync("这是我用了十年的号码。");
        await PressAsync(page, "#appeal-submit");
        await Assertions.Expect(page.Locator("#tracking-code")).ToBeVisibleAsync();
        await PressAsync(page, "#access-token-copy");
        await Assertions.Expect(page.Locator("#access-token-copied")).Not.ToBeEmptyAsync();
        await AssertFocusedAsync(page, "#access-token-copy");

        // The report's "report another": the form again, with focus in its first field to fill.
        await session.GotoAsync("/report");
        await page.Locator("#report-value").FillAsync("+8613700137000");
        await page.Locator("#report-description").FillAsync("他说是客服，让我转账。");
        await PressAsync(page, "#report-submit");
        await AssertFocusedAsync(page, "#report-received");
        await PressAsync(page, "#report-another");
        await AssertFocusedAsync(page, "#report-value");
    }

    private static async Task<AppealApi.Filed> AskAsync(FlagApiFactory app, AppealApi.Filed appeal)
    {
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var asked = await reviewer.PostAsJsonAsync($"/v1/review/appeals/{appeal.Id}/request-info", new { message = "请上传营业执照照片。" });
        Assert.True(asked.IsSuccessStatusCode, await asked.Content.ReadAsStringAsync());
        return appeal;
    }

    private static async Task OpenWithKeyboardAsync(PortalSession session, AppealApi.Filed appeal)
    {
        await session.GotoAsync($"/track?code={appeal.Code}");
        await session.Page.Locator("#track-token").FillAsync(appeal.Token);
        await PressAsync(session.Page, "#track-submit");
        await Assertions.Expect(session.Page.Locator("#appeal-view-title")).ToContainTextAsync(appeal.Code);
    }

    /// <summary>Presses Enter on the control, as a keyboard user does.</summary>
    private static async Task PressAsync(IPage page, string selector)
    {
        await page.Locator(selector).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
    }

    private static async Task AssertFocusedAsync(IPage page, string selector)
    {
        await Assertions.Expect(page.Locator(selector)).ToBeFocusedAsync();
        Assert.NotEqual("BODY", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));
    }

    [Theory]
    [InlineData("/appeal", "#appeal-submit", 4)]
    [InlineData("/track", "#track-submit", 2)]
    public async Task SwitchingLanguageRedrawsEveryFieldError(string path, string submit, int errors)
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, null);
        var page = session.Page;
        await session.GotoAsync(path);
        await page.Locator(submit).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var notes = page.Locator(".field-error");
        await Assertions.Expect(notes).ToHaveCountAsync(errors);
        foreach (var text in await notes.AllTextContentsAsync()) Assert.Matches(Han(), text);

        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(notes).ToHaveCountAsync(errors);
        // Every message and the alert in English; Chinese is left only where it is marked lang="zh…".
        var unmarked = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.field-error, [data-role="form-alert"]')].map((node) => {
              const copy = node.cloneNode(true);
              for (const marked of copy.querySelectorAll('[lang^="zh"]')) marked.remove();
              return copy.textContent;
            })
            """);
        foreach (var text in unmarked) Assert.DoesNotMatch(Han(), text);
    }

    [Fact]
    public async Task SwitchingLanguageRedrawsTheAnswerFormsErrorOnTrack()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Flagged, "impersonating_authorities", "high"));
        var appeal = await AppealApi.FileAsync(app, Flagged);
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var asked = await reviewer.PostAsJsonAsync($"/v1/review/appeals/{appeal.Id}/request-info", new { message = "请上传营业执照照片。" });
        Assert.True(asked.IsSuccessStatusCode, await asked.Content.ReadAsStringAsync());

        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, null);
        var page = session.Page;
        await session.GotoAsync($"/track?code={appeal.Code}");
        await page.Locator("#track-token").FillAsync(appeal.Token);
        await page.Locator("#track-submit").ClickAsync();
        await page.Locator("#answer-submit").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#answer-message-error")).ToHaveTextAsync("请写下您的回复，或添加审核人员要的照片或文件。");
        await Assertions.Expect(page.Locator("#answer-form [data-role='form-alert']")).ToBeFocusedAsync();

        await page.Locator("#language-switch").ClickAsync();
        var error = page.Locator("#answer-message-error");
        await Assertions.Expect(error).ToBeVisibleAsync();
        Assert.DoesNotMatch(Han(), await error.TextContentAsync() ?? "");
        Assert.DoesNotMatch(Han(), await page.Locator("#answer-form [data-role='form-alert']").TextContentAsync() ?? "");
    }

    [Fact]
    public async Task ChineseExamplesInEnglishTextAreMarkedAsChinese()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, "en");
        var page = session.Page;
        await session.GotoAsync("/");
        var example = page.Locator("[data-i18n='check.example.app']");
        await Assertions.Expect(example).ToContainTextAsync("such as 云客服");
        await Assertions.Expect(example.Locator("span[lang='zh-CN']")).ToHaveTextAsync("云客服");

        // Back in Chinese the same text needs no marking.
        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(example.Locator("span[lang]")).ToHaveCountAsync(0);
    }

    /// <summary>The text of every node the selector finds, without what is marked lang="zh…" and without what except finds.</summary>
    private const string Unmarked = """
        ([selector, except]) => [...document.querySelectorAll(selector)].map((node) => {
          const copy = node.cloneNode(true);
          for (const marked of copy.querySelectorAll('[lang^="zh"]' + (except ? `, ${except}` : ''))) marked.remove();
          return copy.textContent;
        })
        """;

    /// <summary>
    /// From Chinese, switches to English: the region holds an English label and no unmarked Chinese (bar what except
    /// finds: words people typed); then back to Chinese: none of the English labels is left. waitEnglish and waitChinese
    /// name what must be on the page before the region is read (an answer the page asks for again in the new language).
    /// </summary>
    private static async Task AssertRedrawnInBothLanguagesAsync(
        PortalSession session, string region, string[] english, string? except = null, string? waitEnglish = null, string? waitChinese = null, string? screenshot = null)
    {
        var page = session.Page;
        Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));
        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        if (waitEnglish is not null) await Assertions.Expect(page.Locator(waitEnglish).First).ToBeAttachedAsync();
        var texts = await page.EvaluateAsync<string[]>(Unmarked, new[] { region, except ?? "" });
        Assert.NotEmpty(texts);
        foreach (var text in texts) Assert.DoesNotMatch(Han(), text);
        Assert.Contains(english[0], string.Join("\n", texts), StringComparison.Ordinal);
        if (screenshot is not null) await session.ScreenshotAsync(screenshot);

        await page.Locator("#language-switch").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        if (waitChinese is not null) await Assertions.Expect(page.Locator(waitChinese).First).ToBeAttachedAsync();
        texts = await page.EvaluateAsync<string[]>(Unmarked, new[] { region, "" });
        var all = string.Join("\n", texts);
        Assert.Matches(Han(), all);
        foreach (var word in english) Assert.DoesNotContain(word, all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwitchingLanguageRedrawsEveryCheckResultAndProblem()
    {
        const string Cleared = "+8613800138009";
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Cleared, "loan_or_card", "low"));
        await app.ClearEntryAsync();
        await app.PublishAsync(("phone", Flagged, "impersonating_authorities", "high"));
        await ReportAsync(app, "+8613700137000");
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, null);
        session.Tolerated.Add("status of 400");
        var page = session.Page;
        await session.GotoAsync("/");
        var result = page.Locator("#check-result");

        async Task Check(string value, string verdict)
        {
            await page.Locator("#check-value").FillAsync(value);
            await page.Locator("#check-value").PressAsync("Enter");
            await Assertions.Expect(result).ToHaveAttributeAsync("data-verdict", verdict);
        }

        // Flagged: the labels, and the notice the API wrote, which the page asks for again in the new language.
        await Check(Flagged, "flagged");
        await Assertions.Expect(page.Locator("#check-result .flag-notice [lang='zh-CN']").First).ToBeAttachedAsync();
        await AssertRedrawnInBothLanguagesAsync(session, "#check-result", ["Warning: this is flagged as fraud", "Checked as", "Why it is flagged"],
            waitEnglish: "#check-result .flag-notice [lang='en']", waitChinese: "#check-result .flag-notice [lang='zh-CN']",
            screenshot: "language-check-flagged-switched");
        await Assertions.Expect(page.Locator("#check-result .flag-notice [lang='en']")).ToHaveCountAsync(0);

        await Check("+8613900139000", "clear");
        await AssertRedrawnInBothLanguagesAsync(session, "#check-result", ["Nothing known", "Checked as"]);
        await Check("+8613700137000", "reported");
        await AssertRedrawnInBothLanguagesAsync(session, "#check-result", ["Reported by 1 person", "Last reported", "Checked as"]);
        await Check(Cleared, "cleared");
        await AssertRedrawnInBothLanguagesAsync(session, "#check-result", ["Was flagged, then cleared after review", "Checked as"]);

        // A number that cannot be one: the message beside the field.
        await page.Locator("#check-kind").SelectOptionAsync("phone");
        await page.Locator("#check-value").FillAsync("12");
        await page.Locator("#check-value").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#check-value-error")).ToBeVisibleAsync();
        await AssertRedrawnInBothLanguagesAsync(session, "#check-value-error, #check-form [data-role='form-alert']", ["This does not look like a phone number"]);
    }

    [Fact]
    public async Task SwitchingLanguageRedrawsTheMessageChecksResultAndProblem()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Flagged, "impersonating_authorities", "high"));
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, null);
        var page = session.Page;
        await session.GotoAsync("/#message");

        // The message is what a person pasted: left as written, in whatever language.
        await page.Locator("#message-text").FillAsync($"请回电 {Flagged} 办理退款，或打 13900139000。");
        await page.Locator("#message-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#message-result")).ToHaveAttributeAsync("data-verdict", "flagged");
        await AssertRedrawnInBothLanguagesAsync(session, "#message-result", ["Warning: this message holds", "Where they are in the message", "What was found"],
            except: "#message-marked", screenshot: "language-message-switched");

        await page.Locator("#message-clear").ClickAsync();
        await page.Locator("#message-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#message-text-error")).ToBeVisibleAsync();
        await AssertRedrawnInBothLanguagesAsync(session, "#message-text-error, #message-form [data-role='form-alert']", ["Please paste the message first."]);
    }

    [Fact]
    public async Task SwitchingLanguageRedrawsTheReportsErrorsAndReceipt()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, null);
        var page = session.Page;
        await session.GotoAsync("/report");
        await page.Locator("#report-submit").ClickAsync();
        await Assertions.Expect(page.Locator(".field-error")).ToHaveCountAsync(2);
        await AssertRedrawnInBothLanguagesAsync(session, ".field-error, #report-form [data-role='form-alert']", ["Some answers need changing"]);

        // The description is the reporter's own words: not shown on the receipt, so nothing of it to leave alone.
        await page.Locator("#report-value").FillAsync("+8613700137000");
        await page.Locator("#report-description").FillAsync("他说是客服，让我转账。");
        await page.Locator("#report-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#report-received")).ToBeVisibleAsync();
        await AssertRedrawnInBothLanguagesAsync(session, "#report-received", ["Thank you, your report has arrived", "You reported"],
            screenshot: "language-report-received-switched");
    }

    [Fact]
    public async Task SwitchingLanguageRedrawsTheOpenedAppealAndTheWithdrawConfirmation()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Flagged, "impersonating_authorities", "high"), ("phone", "+8613800138001", "impersonating_authorities", "high"));
        var decided = await AskAsync(app, await AppealApi.FileAsync(app, Flagged));
        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        using (var appellant = app.CreateClient())
        {
            var answered = await appellant.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1/appeals/{decided.Code}/messages")
            {
                Content = JsonContent.Create(new { message = "营业执照照片已经上传。" }),
                Headers = { { "X-Appeal-Token", decided.Token } },
            });
            Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
        }

        await AppealApi.DecideAsync(reviewer, decided.Id, new { decision = "reject", reason = "话费单上的机主不是您。", whatWouldChange = "请提供运营商出具的实名登记证明。" });
        var open = await AppealApi.FileAsync(app, "+8613800138001");
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, null);
        var page = session.Page;

        // Status, events and decision in the page's words; what the appellant and the reviewer wrote stays as written.
        const string Typed = ".statement, .question, .history-message, .decision-reason, .what-would-change-text";
        await OpenWithKeyboardAsync(session, decided);
        await Assertions.Expect(page.Locator("#appeal-decision")).ToBeVisibleAsync();
        await AssertRedrawnInBothLanguagesAsync(session, "#appeal-view", ["What has happened so far", "Status:", "Filed the appeal"],
            except: Typed, screenshot: "language-track-decided-switched");

        // The other appeal, opened on the same page: what was announced on leaving the first is still in the status.
        await page.Locator("#track-forget").ClickAsync();
        await page.Locator("#track-code").FillAsync(open.Code);
        await page.Locator("#track-token").FillAsync(open.Token);
        await PressAsync(page, "#track-submit");
        await Assertions.Expect(page.Locator("#appeal-view-title")).ToContainTextAsync(open.Code);
        await PressAsync(page, "#withdraw-button");
        await AssertFocusedAsync(page, "#withdraw-confirm-text");
        await Assertions.Expect(page.Locator("#track-status")).Not.ToBeEmptyAsync();
        await AssertRedrawnInBothLanguagesAsync(session, "#withdraw-confirm-panel, #track-status", ["Are you sure you want to withdraw this appeal?", "Yes, withdraw it"]);
    }

    [Fact]
    public async Task SwitchingLanguageRedrawsTheStatsAndTheirProblem()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress, Screen.Desktop, null);
        var page = session.Page;
        await session.GotoAsync("/stats");
        await Assertions.Expect(page.Locator("#stats-appeals")).ToBeVisibleAsync();
        await AssertRedrawnInBothLanguagesAsync(session, "main", ["Appeals filed", "Week", "How appeals are handled"], screenshot: "language-stats-switched");

        // The figures cannot be had: the message says so in the language chosen after it was shown, too.
        session.Tolerated.Add("503");
        await page.RouteAsync("**/v1/stats", (route) => route.FulfillAsync(new RouteFulfillOptions { Status = 503 }));
        await session.GotoAsync("/stats");
        await Assertions.Expect(page.Locator("#stats-problem")).ToBeVisibleAsync();
        await AssertRedrawnInBothLanguagesAsync(session, "#stats-problem", ["The figures cannot be loaded right now"]);
    }

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();

    private static (int R, int G, int B) Parse(string colour)
    {
        var parts = Regex.Matches(colour, @"[\d.]+").Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();
        return ((int)parts[0], (int)parts[1], (int)parts[2]);
    }

    /// <summary>The WCAG 2 contrast ratio of two colours.</summary>
    private static double Contrast((int R, int G, int B) a, (int R, int G, int B) b)
    {
        static double Channel(int value)
        {
            var c = value / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        static double Luminance((int R, int G, int B) c) => (0.2126 * Channel(c.R)) + (0.7152 * Channel(c.G)) + (0.0722 * Channel(c.B));
        var (light, dark) = (Math.Max(Luminance(a), Luminance(b)), Math.Min(Luminance(a), Luminance(b)));
        return (light + 0.05) / (dark + 0.05);
    }
}
