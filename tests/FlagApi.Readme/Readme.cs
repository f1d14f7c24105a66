namespace FlagApi.Readme;

/// <summary>The README of the repository these tests were built from, found above the test assembly.</summary>
internal static class Readme
{
    public static string Repository { get; } = FindRepository();

    public static string Text => File.ReadAllText(Path.Combine(Repository, "README.md"));

    /// <summary>Every command of the README's shell blocks that are not marked as not run, in order.</summary>
    public static IReadOnlyList<ReadmeCommand> RunnableCommands() =>
        ReadmeDocument.Blocks(Text).Where(b => b.IsShell && b.NotRunBecause is null).SelectMany(ReadmeDocument.Commands).ToList();

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "FlagApi.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No FlagApi.sln above {AppContext.BaseDirectory}.");
    }
}
