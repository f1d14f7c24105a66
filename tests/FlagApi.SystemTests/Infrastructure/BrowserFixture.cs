using Microsoft.Playwright;

namespace FlagApi.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for the browser tests, launched from Debian's package (Playwright cannot download
/// its own here). Without a browser the tests skip with that reason, unless <c>FLAGAPI_TEST_REQUIRE_BROWSER=1</c>
/// (CI) makes a skip a failure.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ExecutableVariable = "FLAGAPI_TEST_CHROMIUM";
    public const string RequireVariable = "FLAGAPI_TEST_REQUIRE_BROWSER";

    private static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? playwright;
    private string? unavailable;

    public IBrowser? Browser { get; private set; }

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            unavailable = $"Browser tests need Chromium at {ExecutablePath} (apt-get install chromium, or set {ExecutableVariable}).";
            return;
        }

        try
        {
            playwright = await Playwright.CreateAsync();
            Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
            });
        }
        catch (PlaywrightException ex)
        {
            unavailable = $"Chromium at {ExecutablePath} did not start: {ex.Message}";
        }
    }

    /// <summary>The browser, or a skip (a failure under <c>FLAGAPI_TEST_REQUIRE_BROWSER=1</c>) saying why there is none.</summary>
    public IBrowser RequireBrowser()
    {
        if (Browser is not null)
        {
            return Browser;
        }

        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail(unavailable + $" {RequireVariable}=1 makes this a failure.");
        }

        Assert.Skip(unavailable!);
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}

/// <summary>Browser tests share one Chromium and run one at a time, so page timings do not fight each other.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserTests : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>The width a page is looked at: a small phone, or a desktop window.</summary>
public sealed record Screen(string Name, int Width, int Height)
{
    public static readonly Screen Phone = new("phone", 360, 740);
    public static readonly Screen Desktop = new("desktop", 1280, 900);
    public static readonly Screen[] Both = [Phone, Desktop];
}

/// <summary>
/// A browser tab on a portal served by a real Kestrel on loopback. It records every console error,
/// uncaught exception, missing label and Content-Security-Policy violation; disposing it fails the test on any.
/// </summary>
public sealed class PortalSession : IAsyncDisposable
{
    private readonly List<string> faults = [];
    private readonly IBrowserContext context;

    private PortalSession(IBrowserContext context, IPage page, string baseAddress)
    {
        this.context = context;
        Page = page;
        BaseAddress = baseAddress;
        page.Console += (_, message) =>
        {
            if (message.Type is "error" || (message.Type is "warning" && message.Text.StartsWith("missing label", StringComparison.Ordinal)))
            {
                lock (faults)
                {
                    faults.Add($"console {message.Type}: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (faults)
            {
                faults.Add($"page error: {error}");
            }
        };
    }

    public IPage Page { get; }

    public string BaseAddress { get; }

    /// <summary>Faults that a test expects (a 4xx the page shows as a message is logged by the browser as a failed resource).</summary>
    public List<string> Tolerated { get; } = [];

    public static async Task<PortalSession> OpenAsync(BrowserFixture browser, string baseAddress, Screen? screen = null, string? language = null)
    {
        screen ??= Screen.Desktop;
        var context = await browser.RequireBrowser().NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress,
            ViewportSize = new ViewportSize { Width = screen.Width, Height = screen.Height },
            IsMobile = screen == Screen.Phone,
            HasTouch = screen == Screen.Phone,
            Locale = "zh-CN",
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(30_000);
        if (language is not null)
        {
            await context.AddInitScriptAsync($"localStorage.setItem('flagapi.language', '{language}')");
        }

        return new PortalSession(context, await context.NewPageAsync(), baseAddress);
    }

    /// <summary>Opens a page of the portal and waits until its script has drawn the layout.</summary>
    public async Task GotoAsync(string path)
    {
        await Page.GotoAsync(path);
        await Page.Locator("#site-header .brand").WaitForAsync();
    }

    /// <summary>
    /// Writes a screenshot of the whole page to the screenshots folder the README names, then checks the page as shown
    /// with axe-core (<see cref="Portal.Axe"/>): every state a test takes a picture of is also checked for accessibility.
    /// </summary>
    public async Task ScreenshotAsync(string name)
    {
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor(name), FullPage = true });
        if (Portal.Axe.Available)
        {
            await Portal.Axe.CheckAsync(Page, name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        string[] unexpected;
        lock (faults)
        {
            unexpected = faults.Where(f => !Tolerated.Any(t => f.Contains(t, StringComparison.Ordinal))).ToArray();
        }

        await context.DisposeAsync();
        Assert.True(unexpected.Length == 0, "The page reported:\n" + string.Join("\n", unexpected));
    }
}

/// <summary>
/// Where browser tests write screenshots: <c>FLAGAPI_SCREENSHOTS</c>, or <c>artifacts/screenshots</c> at the
/// repository root.
/// </summary>
public static class Screenshots
{
    public const string Variable = "FLAGAPI_SCREENSHOTS";

    public static string Folder { get; } = FindFolder();

    public static string PathFor(string name) => Path.Combine(Folder, name + ".png");

    private static string FindFolder()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            Directory.CreateDirectory(configured);
            return configured;
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FlagApi.sln")))
        {
            directory = directory.Parent;
        }

        var folder = Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }
}

public static class KeyboardNavigation
{
    /// <summary>Presses Tab until the element with <paramref name="id"/> has focus, as a keyboard user would.</summary>
    public static async Task TabToAsync(this IPage page, string id)
    {
        for (var i = 0; i < 60; i++)
        {
            if (await page.EvaluateAsync<string?>("() => document.activeElement?.id") == id)
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Tab never reached #{id}.");
    }
}
