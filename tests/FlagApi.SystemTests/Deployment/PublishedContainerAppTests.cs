using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Versioning;
using FlagApi.Health;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// Runs the Dockerfile's restore and publish commands (the image's build, without Docker) once for the class,
/// into a temporary folder instead of /app. Slow-ish: a Release build of the service, about a minute.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class DockerfilePublish : IAsyncLifetime
{
    public string Output { get; } = Directory.CreateTempSubdirectory("flagapi-publish-").FullName;

    public int ExitCode { get; private set; }

    public string Log { get; private set; } = string.Empty;

    public string PublishCommand { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var build = DeploymentFiles.ReadDockerfile().Stages[0];
        var runs = build.All("RUN").ToList();
        var restore = Assert.Single(runs, r => r.StartsWith("dotnet restore ", StringComparison.Ordinal));
        PublishCommand = Assert.Single(runs, r => r.StartsWith("dotnet publish ", StringComparison.Ordinal));
        Assert.Contains(" --output /app", PublishCommand, StringComparison.Ordinal);

        // WORKDIR /src holds the repository's files at the same relative paths, so the commands run from the repository root.
        var log = new System.Text.StringBuilder();
        foreach (var command in new[] { restore, PublishCommand.Replace(" --output /app", " --output " + Output, StringComparison.Ordinal) })
        {
            var (code, output) = await Processes.RunAsync("dotnet", command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..], DeploymentFiles.RepositoryRoot, TimeSpan.FromMinutes(4));
            log.AppendLine("$ " + command).AppendLine(output);
            ExitCode = code;
            if (code != 0)
            {
                break;
            }
        }

        Log = log.ToString();
    }

    public ValueTask DisposeAsync()
    {
        Processes.MakeWritable(Output);
        Directory.Delete(Output, recursive: true);
        return ValueTask.CompletedTask;
    }
}

[UnsupportedOSPlatform("windows")]
public sealed class PublishedContainerAppTests(DockerfilePublish publish) : IClassFixture<DockerfilePublish>
{
    [Fact]
    public void DockerfilePublishCommandBuildsTheServiceWithItsEmbeddedPortal()
    {
        Assert.True(publish.ExitCode == 0, publish.Log);
        var dll = Path.Combine(publish.Output, "FlagApi.dll");
        Assert.True(File.Exists(dll), publish.Log);
        Assert.True(File.Exists(Path.Combine(publish.Output, "FlagApi.Identifiers.dll")));
        Assert.True(File.Exists(Path.Combine(publish.Output, "appsettings.json")));
        Assert.Contains("--configuration Release", publish.PublishCommand, StringComparison.Ordinal);

        using var pe = new PEReader(File.OpenRead(dll));
        var metadata = pe.GetMetadataReader();
        var resources = metadata.ManifestResources.Select(h => metadata.GetString(metadata.GetManifestResource(h).Name)).ToList();
        Assert.Contains("Portal.site.index.html", resources);
        Assert.Contains("Portal.site.portal.js", resources);
        Assert.Contains(resources, r => r.StartsWith("Migrations.Postgres/", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(publish.Output, "Portal")), "The portal is served from the assembly, not from files beside it.");
    }

    [Fact]
    public async Task PublishedAppServesFromAReadOnlyFolderAndWritesOnlyToItsDataFolder()
    {
        Assert.True(publish.ExitCode == 0, publish.Log);
        var data = Directory.CreateTempSubdirectory("flagapi-container-data-").FullName;
        try
        {
            // As in the image: the app's files are not writable by the user that runs it; only the data folder is.
            Processes.MakeReadOnly(publish.Output);
            File.SetUnixFileMode(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
            var before = Processes.Listing(publish.Output);
            var port = ServiceReadiness.FreePort();
            var environment = ImageEnvironment(data, port);

            // A list in the database, so the started app saves its index snapshot, which must land in the data folder too.
            var list = Path.Combine(data, "list.csv");
            await File.WriteAllTextAsync(list, "kind,value,category,risk,note\nphone,13800138000,other,high,\n");
            var import = await Processes.RunAsUserAsync(publish.Output, environment, "FlagApi.dll", "import", list, "--agency", "Test police");
            Assert.True(import.Code == 0, import.Output);

            using var app = Processes.Start(publish.Output, environment, "FlagApi.dll");
            try
            {
                await ServiceReadiness.WaitUntilReadyAsync($"http://127.0.0.1:{port}", () => app.Output);
                var snapshot = Path.Combine(data, "index.snapshot");
                for (var waited = Stopwatch.StartNew(); !File.Exists(snapshot); await Task.Delay(100))
                {
                    Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "No index snapshot in the data folder. " + app.Output);
                }

                var probeArguments = ServiceReadiness.HealthCheckCommand()[1..];
                var ready = await Processes.RunAsUserAsync(publish.Output, environment, probeArguments);
                environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ServiceReadiness.FreePort()}";
                var nothing = await Processes.RunAsUserAsync(publish.Output, environment, probeArguments);

                Assert.True(ready.Code == 0, ready.Output);
                Assert.Equal(1, nothing.Code);
                Assert.Contains("did not answer", nothing.Output, StringComparison.Ordinal);
            }
            finally
            {
                await app.StopAsync();
            }

            Assert.True(app.ExitCode == 0, app.Output);
            Assert.DoesNotContain("fail:", app.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", app.Output, StringComparison.Ordinal);
            Assert.Equal(before, Processes.Listing(publish.Output));
            Assert.True(File.Exists(Path.Combine(data, "flagapi.db")), app.Output);
            Assert.True(File.Exists(Path.Combine(data, "reports-hash.key")), app.Output);
        }
        finally
        {
            Processes.MakeWritable(publish.Output);
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The image's ENV with the data folder and port of this test, listening on loopback only.</summary>
    private static Dictionary<string, string> ImageEnvironment(string data, int port)
    {
        var environment = DeploymentFiles.ReadDockerfile().Runtime.Environment();
        environment["Database__DataDirectory"] = data;
        environment.Remove("ASPNETCORE_HTTP_PORTS");
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        environment["Logging__Console__FormatterName"] = "simple";
        environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        return environment;
    }
}
