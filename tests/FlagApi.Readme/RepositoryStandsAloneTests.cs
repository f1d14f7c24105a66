using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FlagApi.Readme;

/// <summary>The repository stands alone: no file names a path outside it, and every relative Markdown link resolves inside it.</summary>
public sealed partial class RepositoryStandsAloneTests
{
    private static readonly string[] TextExtensions = [".md", ".cs", ".csproj", ".props", ".json", ".js", ".html", ".css", ".yaml", ".yml", ".sh", ".txt", ".example", ".sln", ""];

    /// <summary>This file, which names what it looks for.</summary>
    private const string ThisFile = "tests/FlagApi.Readme/RepositoryStandsAloneTests.cs";

    [Fact]
    public void NoFileNamesAPathOutsideTheRepository()
    {
        var hits = TrackedFiles()
            .Where(f => TextExtensions.Contains(Path.GetExtension(f)) && f != ThisFile)
            .SelectMany(f => File.ReadLines(Path.Combine(Readme.Repository, f)).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => OutsidePath().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(hits.Count == 0, "Files that point outside the repository:\n" + string.Join("\n", hits));
    }

    [Fact]
    public void EveryRelativeMarkdownLinkResolvesInsideTheRepository()
    {
        var root = Path.GetFullPath(Readme.Repository) + Path.DirectorySeparatorChar;
        var broken = new List<string>();
        foreach (var file in TrackedFiles().Where(f => f.EndsWith(".md", StringComparison.Ordinal)))
        {
            var folder = Path.GetDirectoryName(Path.Combine(Readme.Repository, file))!;
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(Path.Combine(Readme.Repository, file))))
            {
                var target = link.Groups["target"].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var full = Path.GetFullPath(Path.Combine(folder, target));
                if (!full.StartsWith(root, StringComparison.Ordinal) || (!File.Exists(full) && !Directory.Exists(full)))
                {
                    broken.Add($"{file}: ({link.Groups["target"].Value})");
                }
            }
        }

        Assert.True(broken.Count == 0, "Links that leave the repository or name nothing:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void TheProductDescriptionAndTheContractAreInDocs()
    {
        Assert.True(File.Exists(Path.Combine(Readme.Repository, "docs", "product.md")));
        Assert.True(File.Exists(Path.Combine(Readme.Repository, "docs", "api-v1.md")));
        Assert.Contains("(docs/product.md)", Readme.Text, StringComparison.Ordinal);
        Assert.Contains("(docs/api-v1.md)", Readme.Text, StringComparison.Ordinal);
    }

    private static List<string> TrackedFiles()
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Readme.Repository, RedirectStandardOutput = true };
        foreach (var argument in new[] { "ls-files", "-z", "--cached", "--others", "--exclude-standard" })
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Where(f => File.Exists(Path.Combine(Readme.Repository, f))).ToList();
    }

    /// <summary>The shared folder beside the repository, or the first description's file names.</summary>
    [GeneratedRegex(@"\.\./shared\b|\bshared/(SPEC|STYLE)|\bSPEC\.md\b|\bSTYLE\.md\b|\bSPEC\b")]
    private static partial Regex OutsidePath();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
