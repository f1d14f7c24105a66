namespace FlagApi.Tests.Infrastructure;

/// <summary>
/// Real servers a test starts itself from Debian's packages (<c>redis-server</c>, <c>prometheus</c>): found on the
/// <c>PATH</c>, or the test skips naming the package, unless <c>FLAGAPI_TEST_REQUIRE_SERVERS=1</c> (CI, which installs
/// them) makes a missing one a failure.
/// </summary>
public static class ServerBinaries
{
    public const string RequireVariable = "FLAGAPI_TEST_REQUIRE_SERVERS";

    /// <summary>The full path of <paramref name="program"/>, or a skip (a failure under CI) naming the Debian package.</summary>
    public static string Require(string program, string debianPackage)
    {
        if (Find(program) is { } path)
        {
            return path;
        }

        var reason = $"This test starts {program}, which is not on the PATH (Debian: apt-get install {debianPackage}).";
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail(reason + $" {RequireVariable}=1 makes this a failure.");
        }

        Assert.Skip(reason);
        return null!;
    }

    private static string? Find(string program)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return directories.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
    }
}
