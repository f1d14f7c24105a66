using System.Reflection;
using System.Text.RegularExpressions;

namespace FlagApi.ClientJourney;

/// <summary>What Kiota said about openapi/v1.json as it generated the client this project is built with.</summary>
public sealed partial class GeneratorTests
{
    [Fact]
    public void GeneratorPrintsNoWarningAboutTheDocument() =>
        Assert.DoesNotContain(Warnings(), w => !UnsupportedFormat().IsMatch(w));

    /// <summary>
    /// Each warning or error the generator logged: a <c>warn:</c> (or <c>fail:</c>, <c>crit:</c>) line naming the logger,
    /// then the message on the indented lines below it.
    /// </summary>
    private static List<string> Warnings()
    {
        var path = typeof(GeneratorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "KiotaLog").Value!;
        var log = File.ReadAllLines(path);
        Assert.Contains(log, l => l.Contains("Generation completed successfully", StringComparison.Ordinal));
        var warnings = new List<string>();
        for (var i = 0; i < log.Length; i++)
        {
            if (LevelLine().IsMatch(log[i]))
            {
                var message = log.Skip(i + 1).TakeWhile(l => l.StartsWith(' ')).Select(l => l.Trim());
                warnings.Add(string.Join(' ', message));
            }
        }

        return warnings;
    }

    [GeneratedRegex(@"^(warn|fail|crit):")]
    private static partial Regex LevelLine();

    /// <summary>A standard <c>format</c> Kiota has no type for: it uses the plain type, and the document is right.</summary>
    [GeneratedRegex(@"The format \S+ is not supported by Kiota")]
    private static partial Regex UnsupportedFormat();
}
