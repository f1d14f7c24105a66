using System.Text;
using System.Text.Json;
using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Portal;

/// <summary>
/// Checks a page with axe-core (npm <c>axe-core@4</c>) against the WCAG 2.2 A/AA and best-practice rules. The script is
/// evaluated in the page (<see cref="IPage.EvaluateAsync(string, object?)"/>), not added as a script tag, so the page
/// keeps the Content-Security-Policy it was served with. axe.min.js is found at <c>FLAGAPI_TEST_AXE</c>, or at
/// <c>tests/.tools/node_modules/axe-core/axe.min.js</c>, where <c>.ci/run</c> (or
/// <c>npm install --prefix tests/.tools axe-core@4</c>) installs it. Without it the check is left out, unless
/// <c>FLAGAPI_TEST_REQUIRE_BROWSER=1</c> (CI) makes that a failure.
/// </summary>
public static class Axe
{
    public const string Variable = "FLAGAPI_TEST_AXE";

    public static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

    private static readonly Lazy<string?> Source = new(Load);

    public static string ScriptPath =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path
            ? path
            : Path.Combine(RepositoryRoot(), "tests", ".tools", "node_modules", "axe-core", "axe.min.js");

    /// <summary>Whether axe-core can run; fails the test when it cannot and <c>FLAGAPI_TEST_REQUIRE_BROWSER=1</c>.</summary>
    public static bool Available
    {
        get
        {
            if (Source.Value is not null)
            {
                return true;
            }

            if (Environment.GetEnvironmentVariable(BrowserFixture.RequireVariable) == "1")
            {
                Assert.Fail(Missing + $" {BrowserFixture.RequireVariable}=1 makes this a failure.");
            }

            return false;
        }
    }

    /// <summary>Skips the test without axe-core (fails it under <c>FLAGAPI_TEST_REQUIRE_BROWSER=1</c>).</summary>
    public static void Require()
    {
        if (!Available)
        {
            Assert.Skip(Missing);
        }
    }

    private static string Missing =>
        $"axe-core is not at {Path.GetFullPath(ScriptPath)} (npm install --prefix tests/.tools axe-core@4, or set {Variable}).";

    /// <summary>Fails the test with every violation axe-core finds on the page as it is now (<paramref name="state"/> names it).</summary>
    public static async Task CheckAsync(IPage page, string state)
    {
        Require();

        var violations = await ViolationsAsync(page);
        Assert.True(violations.Count == 0, $"axe-core found {violations.Count} violation(s) on {state} ({page.Url}):\n" + Describe(violations));
    }

    /// <summary>The violations axe-core reports on the page: rule id, impact, help and the first few nodes.</summary>
    public static async Task<IReadOnlyList<JsonElement>> ViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(Source.Value!);
        }

        var found = await page.EvaluateAsync<JsonElement>(
            """
            async tags => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
              return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, count: v.nodes.length,
                nodes: v.nodes.slice(0, 3).map(n => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
              }));
            }
            """,
            Tags);
        return found.EnumerateArray().ToArray();
    }

    private static string Describe(IEnumerable<JsonElement> violations)
    {
        var text = new StringBuilder();
        foreach (var v in violations)
        {
            text.Append($"- {v.GetProperty("id").GetString()} ({v.GetProperty("impact")}): {v.GetProperty("help").GetString()}, {v.GetProperty("count")} node(s)\n");
            foreach (var node in v.GetProperty("nodes").EnumerateArray())
            {
                text.Append($"    {node.GetProperty("target").GetString()}: {node.GetProperty("html").GetString()}\n");
                text.Append($"      {node.GetProperty("summary").GetString()?.ReplaceLineEndings(" ")}\n");
            }
        }

        return text.ToString();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FlagApi.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? AppContext.BaseDirectory;
    }

    private static string? Load() => File.Exists(ScriptPath) ? File.ReadAllText(ScriptPath) : null;
}
