using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// FlagApi.Client as a third party gets it: made by <c>dotnet pack</c> into a folder feed, checked for what a package must
/// hold, installed from that feed by tests/FlagApi.PackageConsumer (a PackageReference, not a project reference, outside
/// the solution) and run against the built service on a loopback port. About a minute: a Release build of the client
/// and a build of the consumer.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ClientPackageTests : IDisposable
{
    private const string Lib = "lib/net10.0/";

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("flagapi-package-");

    /// <summary>A version no other run packs, so NuGet's global cache never hands the consumer a stale copy.</summary>
    private readonly string version = $"1.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.g{Guid.NewGuid():N}";

    [Fact]
    public async Task ThePackedClientInstalledFromAFolderFeedLooksUpPrivatelyAndKeepsALocalCopy()
    {
        var clock = Stopwatch.StartNew();
        await using var database = new SqliteServiceDatabase();
        var adminKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var service = ServiceProcess.Start("client package", new Dictionary<string, string>(database.ServiceSettings)
        {
            ["Demo__Enabled"] = "true",
            ["Bootstrap__AdminKey"] = adminKey,
        });
        var consumer = CopyConsumer();

        // The command a maintainer packs with (dotnet pack src/FlagApi.Client -c Release -o DIR), building in a folder of this
        // test's so that it cannot collide with another build of the tree, such as the Dockerfile's publish test.
        var pack = await Processes.RunAsync("dotnet", [
            "pack", RepositoryFiles.PathOf("src", "FlagApi.Client"), "--configuration", "Release", "--output", Path.Combine(consumer, "feed"),
            $"-p:Version={version}", "--artifacts-path", Path.Combine(work.FullName, "artifacts")], work.FullName, TimeSpan.FromMinutes(4));
        Assert.True(pack.Code == 0, pack.Output);
        var packed = clock.Elapsed;
        AssertHoldsWhatAThirdPartyNeeds(Path.Combine(consumer, "feed", $"FlagApi.Client.{version}.nupkg"));

        await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var admin = ServiceCalls.Client(service.Address, adminKey, TimeSpan.FromSeconds(10));
        var appKey = (await ServiceCalls.CreateKeyAsync(admin, "package consumer", "app", null, () => service.Output)).GetProperty("key").GetString()!;
        using var app = ServiceCalls.Client(service.Address, appKey, TimeSpan.FromSeconds(10));
        var snapshot = await ServiceCalls.ReadAsync(await app.GetAsync("/v1/feed/snapshot"), HttpStatusCode.OK, () => service.Output);

        var run = await Processes.RunAsync("dotnet", [
            "run", "--project", consumer, $"-p:FlagApiClientVersion={version}", "--",
            $"--FlagApi:BaseAddress={service.Address}", $"--FlagApi:ApiKey={appKey}"], consumer, TimeSpan.FromMinutes(3));

        Assert.True(run.Code == 0, run.Output + service.Describe());
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("lookup: flagged +8613800138000 impersonating_authorities", lines);
        Assert.Contains("private lookup: flagged evil.example/1/", lines);
        Assert.Contains("refused: 400 invalid_phone", lines);

        // Built from the feed alone, change by change: the same version and entries as the service's own snapshot.
        var copy = Regex.Match(Assert.Single(lines, l => l.StartsWith("local copy:", StringComparison.Ordinal)),
            @"^local copy: (?<changes>\d+) changes, version (?<version>\d+), (?<entries>\d+) entries, verified True, offline flagged$");
        Assert.True(copy.Success, run.Output);
        Assert.Equal(snapshot.GetProperty("version").GetInt64(), long.Parse(copy.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(snapshot.GetProperty("count").GetInt64(), long.Parse(copy.Groups["entries"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(snapshot.GetProperty("count").GetInt64() > 0);
        TestContext.Current.TestOutputHelper?.WriteLine($"pack {packed.TotalSeconds:F0} s, in all {clock.Elapsed.TotalSeconds:F0} s");
    }

    public void Dispose()
    {
        work.Delete(recursive: true);

        // This run's version in NuGet's global cache is never asked for again.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var installed = Path.Combine(cache, "flagapi.client", version.ToLowerInvariant());
        if (Directory.Exists(installed))
        {
            Directory.Delete(installed, recursive: true);
        }
    }

    /// <summary>The README, the XML docs, the client and the identifier rules it runs on, the resilience dependency, and nothing of the server.</summary>
    private void AssertHoldsWhatAThirdPartyNeeds(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Equal([Lib + "FlagApi.Client.dll", Lib + "FlagApi.Client.xml", Lib + "FlagApi.Identifiers.dll"],
            names.Where(n => n.StartsWith("lib/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(2, names.Count(n => n.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(File.ReadAllText(RepositoryFiles.PathOf("src", "FlagApi.Client", "README.md")), Read(zip, "README.md"));

        var metadata = XDocument.Parse(Read(zip, "FlagApi.Client.nuspec")).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal(("FlagApi.Client", version, "README.md"), (Field("id"), Field("version"), Field("readme")));
        Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();
        Assert.Contains("Microsoft.Extensions.Http.Resilience", dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("FlagApi", StringComparison.Ordinal) || d.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || d.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || d.StartsWith("Npgsql", StringComparison.Ordinal));

        var docs = XDocument.Parse(Read(zip, Lib + "FlagApi.Client.xml"));
        var documented = docs.Descendants("member").Select(m => m.Attribute("name")!.Value).ToList();
        Assert.Contains(documented, m => m.StartsWith("M:FlagApi.Client.FlagApiClientServiceCollectionExtensions.AddFlagApiClient(", StringComparison.Ordinal));
        Assert.Contains("M:FlagApi.Client.PrivateLookupExtensions.LookupPrivatelyAsync(FlagApi.Client.FlagApiClient,System.String,System.String,System.Threading.CancellationToken)", documented);

        // The client needs the identifier rules, and neither needs the service or ASP.NET Core.
        Assert.Contains("FlagApi.Identifiers", References(zip, "FlagApi.Client.dll"));
        foreach (var assembly in new[] { "FlagApi.Client.dll", "FlagApi.Identifiers.dll" })
        {
            Assert.DoesNotContain(References(zip, assembly), r => r == "FlagApi" || r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        }
    }

    private static string Read(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    private static List<string> References(ZipArchive zip, string assembly)
    {
        using var copy = new MemoryStream();
        using (var entry = zip.GetEntry(Lib + assembly)!.Open())
        {
            entry.CopyTo(copy);
        }

        copy.Position = 0;
        using var pe = new PEReader(copy);
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToList();
    }

    /// <summary>The consumer's files (not its build output) in a folder outside the repository, as a third party's app is.</summary>
    private string CopyConsumer()
    {
        var consumer = Directory.CreateDirectory(Path.Combine(work.FullName, "consumer")).FullName;
        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.PathOf("tests", "FlagApi.PackageConsumer")))
        {
            File.Copy(file, Path.Combine(consumer, Path.GetFileName(file)));
        }

        return consumer;
    }
}
