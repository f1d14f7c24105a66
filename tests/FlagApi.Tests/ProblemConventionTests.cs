using System.Reflection;
using System.Text.RegularExpressions;
using FlagApi.Problems;
using FlagApi.Tests.Deployment;

namespace FlagApi.Tests;

/// <summary>
/// One refusal convention: every problem code is a constant defined once (in the capability that owns it, shared ones in
/// <see cref="ProblemCodes"/>) and passed by that constant; services return outcomes or throw <see cref="ProblemException"/>,
/// and only endpoint files (<c>*Endpoints.cs</c>) and the Problems infrastructure produce HTTP results.
/// </summary>
public sealed partial class ProblemConventionTests
{
    private static readonly string Source = RepositoryFiles.PathOf("src", "FlagApi");

    [Fact]
    public void EveryProblemCodeIsDefinedOnce()
    {
        var definitions = typeof(ProblemCodes).Assembly.GetTypes()
            .Where(t => t.IsAbstract && t.IsSealed && (t.Name.EndsWith("ProblemCodes", StringComparison.Ordinal) || t.Name.EndsWith("Problems", StringComparison.Ordinal)))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
                .Select(f => (Code: (string)f.GetRawConstantValue()!, Name: $"{t.Name}.{f.Name}")))
            .ToList();

        Assert.True(definitions.Count > 50, $"Only {definitions.Count} problem codes were found; has a class of codes been renamed?");
        var twice = definitions.GroupBy(d => d.Code, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(d => d.Name))}").ToList();
        Assert.True(twice.Count == 0, "These problem codes are defined more than once; keep one (shared ones in Problems/ProblemCodes.cs) and use it everywhere:\n"
            + string.Join("\n", twice));
    }

    [Fact]
    public void NoProblemIsMadeWithACodeWrittenOutAsText()
    {
        var literal = new List<string>();
        var checkedCalls = 0;
        foreach (var (file, text) in SourceFiles())
        {
            foreach (Match call in ProblemCall().Matches(text))
            {
                checkedCalls++;
                var arguments = Arguments(text, call.Index + call.Length);
                var codeAt = call.Groups["factory"].Value is "ApiProblems.BadRequest" or "ProblemException.BadRequest" ? 0 : 1;
                if (arguments.Count > codeAt && arguments[codeAt].TrimStart() is var code && (code.StartsWith('"') || code.StartsWith("$\"", StringComparison.Ordinal) || code.StartsWith('@')))
                {
                    literal.Add($"{file}:{LineOf(text, call.Index)}: {call.Groups["factory"].Value}(… {code} …)");
                }
            }
        }

        Assert.True(checkedCalls > 50, $"Only {checkedCalls} calls that make a problem were found; has the factory been renamed?");
        Assert.True(literal.Count == 0, "These problems are given their code as text; pass the code's constant instead:\n" + string.Join("\n", literal));
    }

    [Fact]
    public void OnlyEndpointsAndTheProblemsInfrastructureProduceHttpResults()
    {
        var offenders = SourceFiles()
            .Where(f => !f.File.EndsWith("Endpoints.cs", StringComparison.Ordinal) && !f.File.StartsWith("Problems/", StringComparison.Ordinal))
            .SelectMany(f => HttpResult().Matches(f.Text).Select(m => $"{f.File}:{LineOf(f.Text, m.Index)}: {m.Value}"))
            .ToList();

        Assert.True(offenders.Count == 0, "Only *Endpoints.cs files (and Problems/) may produce HTTP results; a service returns what happened or throws "
            + "ProblemException:\n" + string.Join("\n", offenders));
    }

    /// <summary>The application's C# files, by path under src/FlagApi with forward slashes, without comments.</summary>
    private static IEnumerable<(string File, string Text)> SourceFiles() =>
        Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => (Path.GetRelativePath(Source, p).Replace('\\', '/'), WithoutComments(File.ReadAllText(p))));

    private static string WithoutComments(string text) => LineComment().Replace(text, match => new string(' ', match.Length));

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    /// <summary>The call's arguments as text, split at its top-level commas.</summary>
    private static List<string> Arguments(string text, int start)
    {
        var arguments = new List<string>();
        var depth = 0;
        var from = start;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}' when depth > 0:
                    depth--;
                    break;
                case ')':
                    arguments.Add(text[from..i]);
                    return arguments;
                case ',' when depth == 0:
                    arguments.Add(text[from..i]);
                    from = i + 1;
                    break;
            }
        }

        return arguments;
    }

    [GeneratedRegex(@"(?<factory>ApiProblems\.BadRequest|ApiProblems\.Problem|ProblemException\.BadRequest|new\s+ProblemException)\s*\(")]
    private static partial Regex ProblemCall();

    [GeneratedRegex(@"\bTypedResults\.|\bResults<|\bIResult\b|\bProblemHttpResult\b|(?<![\w.])Results\.[A-Z]")]
    private static partial Regex HttpResult();

    [GeneratedRegex(@"^\s*///?.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();
}
