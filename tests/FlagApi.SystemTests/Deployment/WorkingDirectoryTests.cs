using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// The service and its commands started from a folder that is neither the project's nor the assembly's, as a newcomer types
/// <c>dotnet run --project src/FlagApi -- import list.csv</c> and as a systemd unit without <c>WorkingDirectory=</c> starts
/// <c>dotnet /srv/flagapi/FlagApi.dll</c>: paths typed on the command line mean the caller's folder, the settings are the
/// ones beside the assembly, and a setting that does not validate stops the start with one line, not a stack trace.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class WorkingDirectoryTests : IDisposable
{
    private const string List = "kind,value,category,risk,note\nphone,13800138000,impersonating_authorities,high,\n";

    private readonly DirectoryInfo caller = Directory.CreateTempSubdirectory("flagapi-caller-");
    private readonly List<string> cleanUp = [];
    private readonly List<string> emptyFolders = [];

    public WorkingDirectoryTests()
    {
        LinuxOnly.SkipUnlessLinux("The service started as a process from another folder, with Unix file modes");
        cleanUp.Add(caller.FullName);
    }

    [Fact]
    public async Task TheServiceStartedFromAnotherFolderUsesTheSettingsAndDataFolderBesideItsAssembly()
    {
        // The build output copied elsewhere stands for a published /srv/flagapi; relative Database:DataDirectory ("data") is beside it.
        var installed = Directory.CreateTempSubdirectory("flagapi-installed-").FullName;
        cleanUp.Add(installed);
        CopyFolder(BuildOutput(), installed);
        var dll = Path.Combine(installed, "FlagApi.dll");
        await File.WriteAllTextAsync(Path.Combine(caller.FullName, "list.csv"), List);

        var import = await RunAsync(caller.FullName, new Dictionary<string, string>(), dll, "import", "list.csv", "--agency", "Test police");

        Assert.True(import.Code == 0, import.Describe());
        Assert.True(File.Exists(Path.Combine(installed, "data", "flagapi.db")), import.Describe());

        var port = ServiceReadiness.FreePort();
        using var service = new RunningProcess(StartInfo(caller.FullName, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }, dll));
        try
        {
            await ServiceReadiness.WaitUntilReadyAsync($"http://127.0.0.1:{port}", () => service.Output);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            using var response = await client.GetAsync("/v1/lookup/phone?value=13800138000");
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, body + service.Output);
            Assert.Equal("flagged", JsonDocument.Parse(body).RootElement.GetProperty("verdict").GetString());

            // The anonymous lookup budget exists only in appsettings.json (60 a minute): without that file the start refuses.
            Assert.Contains("q=60", string.Join(",", response.Headers.GetValues("RateLimit-Policy")), StringComparison.Ordinal);
        }
        finally
        {
            await service.StopAsync();
        }

        Assert.True(service.ExitCode == 0, service.Output);
        Assert.Equal(["list.csv"], caller.EnumerateFileSystemInfos().Select(f => f.Name));
    }

    [Theory]
    [InlineData("RateLimiting__Tiers__app__Lookup__PermitLimit", "0", "RateLimiting:Tiers:app:Lookup:PermitLimit must be at least 1.")]
    [InlineData("Database__RetryAfterSeconds", "soon", "Failed to convert configuration value 'soon' at 'Database:RetryAfterSeconds'")]
    [InlineData("Database__Provider", "Postgres", "Database:Provider is Postgres but ConnectionStrings:FlagApi is empty.")]
    [InlineData("Database__Provider", "SqlServer", "Database:Provider is SqlServer but ConnectionStrings:FlagApi is empty.")]
    [InlineData("Metrics__AllowedNetworks__0", "10.1.2.3/8", "Metrics:AllowedNetworks: '10.1.2.3/8'")]
    [InlineData("ConnectionStrings__FlagApiReadOnly", "Host=127.0.0.1;Database=flagapi", "ConnectionStrings:FlagApiReadOnly is set, but the database is SQLite")]
    public async Task ASettingThatDoesNotValidateStopsTheStartWithOneLineAndANonZeroExit(string variable, string value, string expected)
    {
        var environment = new Dictionary<string, string>
        {
            [variable] = value,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ServiceReadiness.FreePort()}",
            ["Database__DataDirectory"] = caller.FullName,
        };

        var start = await RunAsync(caller.FullName, environment, Path.Combine(BuildOutput(), "FlagApi.dll"));

        Assert.True(start.Code == 1, start.Describe());
        var line = Assert.Single(start.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("The configuration is not valid: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", start.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", start.Output + start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionStringThatSendsWritesToAStandbyStopsTheStartBeforeAnyServerIsAsked()
    {
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__FlagApi"] = "Host=127.0.0.1:1,127.0.0.1:2;Database=flagapi;Username=flagapi;Target Session Attributes=prefer-standby",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ServiceReadiness.FreePort()}",
            ["Database__DataDirectory"] = caller.FullName,
        };

        var start = await RunAsync(caller.FullName, environment, Path.Combine(BuildOutput(), "FlagApi.dll"));

        Assert.True(start.Code == 1, start.Describe());
        Assert.Equal("The configuration is not valid: " + PostgresHosts.SendsWritesToAStandby, start.Error.Trim());
    }

    [Fact]
    public async Task ACommandRefusesABadSettingWithTheSameOneLine()
    {
        var environment = new Dictionary<string, string> { ["Database__Provider"] = "Postgres", ["Database__DataDirectory"] = caller.FullName };

        var keys = await RunAsync(caller.FullName, environment, Path.Combine(BuildOutput(), "FlagApi.dll"), "keys", "list");

        Assert.True(keys.Code == 1, keys.Describe());
        Assert.Equal("The configuration is not valid: Database:Provider is Postgres but ConnectionStrings:FlagApi is empty.", keys.Error.Trim());
    }

    [Fact]
    public async Task DotnetRunImportsAFileNamedFromTheCallersFolderWithTheProjectFolderAsContentRoot()
    {
        // Relative to the content root, which under dotnet run is the project folder; inside data/, which git ignores.
        var dataFolder = Path.Combine("data", $"test-{Guid.NewGuid():N}");
        var absoluteData = RepositoryFiles.PathOf("src", "FlagApi", dataFolder);
        var projectData = RepositoryFiles.PathOf("src", "FlagApi", "data");
        if (!Directory.Exists(projectData))
        {
            emptyFolders.Add(projectData);
        }

        cleanUp.Add(absoluteData);
        await File.WriteAllTextAsync(Path.Combine(caller.FullName, "list.csv"), List);
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

        var run = await RunAsync(caller.FullName, new Dictionary<string, string> { ["Database__DataDirectory"] = dataFolder }, "run",
            "--no-build", "--configuration", configuration, "--project", RepositoryFiles.PathOf("src", "FlagApi"), "--",
            "import", "list.csv", "--agency", "Test police", "--reference", "from-the-callers-folder");

        Assert.True(run.Code == 0, run.Describe());
        Assert.Contains("Imported list #", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(absoluteData, "flagapi.db")), run.Describe());
        Assert.Equal(["list.csv"], caller.EnumerateFileSystemInfos().Select(f => f.Name));
    }

    [Fact]
    public async Task AMissingFileIsNamedByItsFullPathInTheCallersFolder()
    {
        var import = await RunAsync(caller.FullName, new Dictionary<string, string> { ["Database__DataDirectory"] = caller.FullName },
            Path.Combine(BuildOutput(), "FlagApi.dll"), "import", "missing.csv");

        Assert.True(import.Code == FlagApi.Lists.ImportCommand.Usage, import.Describe());
        Assert.Contains($"'{Path.Combine(caller.FullName, "missing.csv")}' does not exist", import.Error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var folder in cleanUp.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }

        // A folder the test made for its own, removed only while nothing else was put there meanwhile.
        foreach (var folder in emptyFolders.Where(f => Directory.Exists(f) && !Directory.EnumerateFileSystemEntries(f).Any()))
        {
            Directory.Delete(folder);
        }
    }

    /// <summary>src/FlagApi's build output of the configuration and framework this test assembly was built for.</summary>
    private static string BuildOutput()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var folder = RepositoryFiles.PathOf("src", "FlagApi", "bin", testOutput.Parent!.Name, testOutput.Name);
        Assert.True(File.Exists(Path.Combine(folder, "FlagApi.dll")), $"{folder} has no FlagApi.dll: build src/FlagApi first.");
        return folder;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("data" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }

    /// <summary><c>dotnet ARGUMENTS</c> in the folder, in Production, with only the given settings of the app's kind.</summary>
    private static ProcessStartInfo StartInfo(string folder, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost()) { WorkingDirectory = folder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("DOTNET_CONTENTROOT", StringComparison.OrdinalIgnoreCase)
                || name.Contains("__", StringComparison.Ordinal) || name.StartsWith("FLAGAPI_", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static async Task<Finished> RunAsync(string folder, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = StartInfo(folder, environment, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Finished(string.Join(' ', arguments), process.ExitCode, await output, await error);
    }

    /// <summary>The dotnet host that runs this test (the CLI passes its path down), or the one on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private sealed record Finished(string Command, int Code, string Output, string Error)
    {
        public string Describe() => $"dotnet {Command} exited with {Code}.\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
    }
}
