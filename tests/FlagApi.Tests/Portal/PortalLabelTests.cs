using System.Text;
using System.Text.RegularExpressions;
using FlagApi.Portal;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests.Portal;

/// <summary>The portal's labels: one file per language, the same keys in each, and every key a page names defined.</summary>
public sealed partial class PortalLabelTests
{
    private static readonly PortalSite Site = new(Options.Create(new PortalOptions()), Options.Create(new FlagApi.Appeals.AppealsOptions()));

    public static TheoryData<string> Languages => new(["i18n/zh-CN.js", "i18n/en.js"]);

    [Fact]
    public void BothLanguagesHaveExactlyTheSameLabels()
    {
        var chinese = Keys("i18n/zh-CN.js");
        var english = Keys("i18n/en.js");

        Assert.Empty(chinese.Except(english));
        Assert.Empty(english.Except(chinese));
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void NoLabelIsDefinedTwiceOrLeftEmpty(string file)
    {
        var text = Text(file);
        var keys = KeyPattern().Matches(text).Select(m => m.Groups["key"].Value).ToList();

        Assert.NotEmpty(keys);
        Assert.Empty(keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Empty(EmptyValuePattern().Matches(text).Select(m => m.Groups["key"].Value));
    }

    [Fact]
    public void EveryLabelAPageNamesIsDefined()
    {
        var defined = Keys("i18n/zh-CN.js");
        var named = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Site.Files.Where(f => !f.StartsWith("i18n/", StringComparison.Ordinal)))
        {
            var text = Text(file);
            var pattern = file.EndsWith(".html", StringComparison.Ordinal) ? HtmlLabelPattern() : ScriptLabelPattern();
            foreach (Match match in pattern.Matches(text))
            {
                named.Add(match.Groups["key"].Value);
            }
        }

        Assert.Contains("safety.calls", named);

        // A literal that only starts keys ('review.status' + '.' + a status) names a family built at run time.
        var undefined = named.Where(key => !defined.Contains(key) && !defined.Any(d => d.StartsWith(key + ".", StringComparison.Ordinal))).ToList();
        Assert.True(undefined.Count == 0, "Labels named but not defined: " + string.Join(", ", undefined));
    }

    [Fact]
    public void NoPageHoldsChineseTextOutsideTheLabelFiles()
    {
        foreach (var file in Site.Files.Where(f => !f.StartsWith("i18n/", StringComparison.Ordinal)))
        {
            var lines = Text(file).Split('\n')
                .Where(line => HanPattern().IsMatch(line) && !line.TrimStart().StartsWith("//", StringComparison.Ordinal) && !line.Contains("<noscript>", StringComparison.Ordinal));
            Assert.True(!lines.Any(), $"{file} holds text that belongs in a label file:\n{string.Join("\n", lines)}");
        }
    }

    private static HashSet<string> Keys(string file) =>
        KeyPattern().Matches(Text(file)).Select(m => m.Groups["key"].Value).ToHashSet(StringComparer.Ordinal);

    private static string Text(string file)
    {
        Assert.True(Site.TryGet(file, out var asset), $"The portal has no {file}.");
        return Encoding.UTF8.GetString(asset.Content);
    }

    [GeneratedRegex(@"^\s*'(?<key>[A-Za-z][\w.-]*)'\s*:", RegexOptions.Multiline)]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^\s*'(?<key>[A-Za-z][\w.-]*)'\s*:\s*(''|"""")\s*,", RegexOptions.Multiline)]
    private static partial Regex EmptyValuePattern();

    [GeneratedRegex(@"data-i18n(-[a-z-]+)?=""(?<key>[^""]+)""")]
    private static partial Regex HtmlLabelPattern();

    // Label keys written as literals in scripts; keys built at run time (`status.${s}`) are checked by the browser tests.
    [GeneratedRegex(@"'(?<key>(site|layout|nav|safety|footer|check|report|appeal|track|review|kind|category|risk|status|form|problem)\.[\w.-]+)'")]
    private static partial Regex ScriptLabelPattern();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex HanPattern();
}
