using System.Text.RegularExpressions;
using FlagApi.Tests.Deployment;

namespace FlagApi.Tests.Architecture;

/// <summary>
/// The entry ledger (src/FlagApi/Entries) is the only code that takes the list version lock and writes entries, their
/// sources, history and change log and the list state; Data's bulk writers write the rows it hands them, and migrations
/// shape the tables.
/// </summary>
public sealed partial class EntryLedgerTests
{
    private static readonly string[] Ledger =
    [
        "Entries/EntryLedger.cs",
        "Entries/EntryRowWriter.cs",
        "Entries/ListVersionRow.cs",
        "Entries/IdentifierRekeyer.cs",
        "Data/BulkRowWriter.cs",
        "Data/SqliteBulkRowWriter.cs",
        "Data/PostgresBulkRowWriter.cs",
        "Data/SqlDialect.cs",
    ];

    [Fact]
    public void OnlyTheLedgerWritesEntriesOrTakesTheListVersionLock()
    {
        var source = RepositoryFiles.PathOf("src", "FlagApi");
        var writers = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Select(path => (Path: Path.GetRelativePath(source, path).Replace('\\', '/'), Text: File.ReadAllText(path)))
            .Where(file => file.Path.Split('/')[0] is not ("bin" or "obj") && !file.Path.StartsWith("Data/Migrations/", StringComparison.Ordinal))
            .SelectMany(file => EntryWrite().Matches(file.Text).Select(match => $"{file.Path}: {match.Value}"))
            .ToList();

        var outside = writers.Where(w => !Ledger.Any(l => w.StartsWith(l + ":", StringComparison.Ordinal))).ToList();
        Assert.True(outside.Count == 0, "Entries are written outside the ledger:\n" + string.Join("\n", outside));

        // The checks see what they look for: the ledger's own writes.
        Assert.Contains(writers, w => w.StartsWith("Entries/ListVersionRow.cs: UPDATE list_state", StringComparison.Ordinal));
        Assert.Contains(writers, w => w.StartsWith("Entries/EntryLedger.cs: ListVersionRow.LockAsync", StringComparison.Ordinal));
        Assert.Contains(writers, w => w.StartsWith("Entries/EntryLedger.cs: UPDATE entry_sources", StringComparison.Ordinal));
    }

    [GeneratedRegex(
        @"(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(entries|entry_sources|entry_history|change_log|list_state)\b" +
        @"|(?-i:\.(Entries|EntrySources|EntryHistory|ChangeLog|ListState)\.(Add|AddRange|Remove|RemoveRange|Update|ExecuteUpdate\w*|ExecuteDelete\w*)\b)" +
        @"|ListVersionRow\.\w+|SelectListVersionForUpdate",
        RegexOptions.IgnoreCase)]
    private static partial Regex EntryWrite();
}
