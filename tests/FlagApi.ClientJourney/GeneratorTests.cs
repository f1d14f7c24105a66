using System.Reflection;
using System.Text.RegularExpressions;

namespace FlagApi.ClientJourney;

/// <summary>What Kiota said about openapi/v1.json as it generated the client this project is built with.</summary>
public sealed partial class GeneratorTests
{
    /// <summary>Warnings the document is known to cause today, each with the defect it waits on.</summary>
    private static readonly string[] KnownDefects =
    [
        // The service is self-hosted: no servers entry; clients set their own base URL.
        "A servers entry (v3) or host + basePath + schemes properties (v2) was not present",
        // GET /v1/appeals/{appeal} answers an undiscriminated oneOf.
        "The schema /v1/appeals/{appeal} is a polymorphic type but does not define a discriminator",
        "Discriminator JsonElement is not inherited from JsonElement",
        // POST /v1/appeals answers 201 (filed) and 200 (already open) with different bodies.
        "#/paths/~1v1~1appeals/post - The operation describes multiple response schemas that are divergent",
    ];

    [Fact(Skip = "openapi/v1.json: the appeal read is an undiscriminated oneOf, POST /v1/appeals has divergent 200/201 bodies, and there is no servers entry (see KnownDefects).")]
    public void GeneratorPrintsNoWarningAboutTheDocument() =>
        Assert.DoesNotContain(Warnings(), w => !UnsupportedFormat().IsMatch(w));

    [Fact]
    public void GeneratorWarnsAboutNothingButTheKnownDefects() =>
        Assert.DoesNotContain(Warnings(), w => !UnsupportedFormat().IsMatch(w) && !KnownDefects.Any(d => w.Contains(d, StringComparison.Ordinal)));

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
