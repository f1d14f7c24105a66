using System.Text.Json;
using System.Text.RegularExpressions;

namespace FlagApi.Tests.Deployment;

/// <summary>docs/operations.md is the configuration reference: an option without a line there fails here.</summary>
public sealed partial class OperationsDocTests
{
    [Fact]
    public void EveryKeyOfAppSettingsIsDocumentedInTheOperationsGuide()
    {
        var guide = File.ReadAllText(RepositoryFiles.PathOf("docs", "operations.md"));
        var documented = DocumentedKeys(guide);
        var patterns = Patterns(documented);

        var missing = AppSettingsKeys()
            .Where(key => !documented.Contains(key) && !patterns.Any(p => p.IsMatch(key)))
            .ToList();

        Assert.True(missing.Count == 0, "docs/operations.md does not document: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("RateLimiting:Tiers:partner:Lookup:PermitLimit", true)]
    [InlineData("RateLimiting:Tiers:app:Lookup:Burst", false)]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore", true)]
    [InlineData("Lookup:PollIntervalSeconds", false)]
    [InlineData("Hashes:MaxAgeSeconds", false)]
    public void APatternInTheGuideCoversOnlyTheKeysItSpellsOut(string key, bool covered)
    {
        var documented = DocumentedKeys("""
            | `RateLimiting:Tiers:<tier>:<Lookup\|Write\|Appeal\|Report>:PermitLimit` | per tier | … |
            | `Logging:LogLevel:<category>` | `Information` | … |
            | `Lookup:PollInterval` | `00:00:01` | … |
            | `AllowedHosts` | `*` | a value in backticks is not a pattern |
            """);

        var matched = documented.Contains(key) || Patterns(documented).Any(p => p.IsMatch(key));

        Assert.Equal(covered, matched);
    }

    /// <summary>Every leaf of appsettings.json as a configuration key; an array or an empty object is one option.</summary>
    private static List<string> AppSettingsKeys()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("src", "FlagApi", "appsettings.json")));
        var keys = new List<string>();
        Flatten(settings.RootElement, "", keys);
        Assert.NotEmpty(keys);
        return keys;
    }

    private static void Flatten(JsonElement element, string prefix, List<string> keys)
    {
        if (element.ValueKind == JsonValueKind.Object && element.EnumerateObject().Any())
        {
            foreach (var property in element.EnumerateObject())
            {
                Flatten(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}", keys);
            }

            return;
        }

        keys.Add(prefix);
    }

    /// <summary>Every key in backticks, as markdown tables write them (a pipe inside a cell is escaped).</summary>
    private static HashSet<string> DocumentedKeys(string markdown) =>
        CodeSpan().Matches(markdown).Select(m => m.Groups[1].Value.Replace(@"\|", "|", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Documented keys with placeholders; a value such as <c>*</c> in backticks has no <c>:</c> and is none.</summary>
    private static List<Regex> Patterns(HashSet<string> documented) =>
        documented.Where(k => k.Contains(':', StringComparison.Ordinal) && (k.Contains('<', StringComparison.Ordinal) || k.Contains('*', StringComparison.Ordinal)))
            .Select(Pattern).ToList();

    /// <summary><c>&lt;a|b&gt;</c> is one of those names, <c>&lt;name&gt;</c> any one segment, <c>*</c> anything below.</summary>
    private static Regex Pattern(string documented)
    {
        var regex = string.Concat(Placeholder().Split(documented).Select(part => part switch
        {
            "*" => ".+",
            ['<', .. var inner, '>'] when inner.Contains('|', StringComparison.Ordinal) => $"(?:{string.Join('|', inner.Split('|').Select(Regex.Escape))})",
            ['<', .., '>'] => "[^:]+",
            _ => Regex.Escape(part),
        }));
        return new Regex($"^{regex}$", RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"(<[^<>]+>|\*)")]
    private static partial Regex Placeholder();
}
