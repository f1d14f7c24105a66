namespace FlagApi.Tests.Deployment;

/// <summary>Files of the repository the tests were built from, found above the test assembly.</summary>
internal static class RepositoryFiles
{
    public static DirectoryInfo Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root.FullName, .. parts]);

    private static DirectoryInfo FindRoot()
    {
        var start = new DirectoryInfo(AppContext.BaseDirectory);
        for (var folder = start; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "FlagApi.sln")))
            {
                return folder;
            }
        }

        throw new InvalidOperationException($"No FlagApi.sln above {start.FullName}.");
    }
}
