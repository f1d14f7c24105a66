using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FlagApi.Health;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// No Docker engine runs where the tests run, so these check what can be checked without one: the Dockerfile's own
/// publish command builds the app, and the image, compose.yaml and the app agree on ports, user, data folder,
/// health check and configuration names, with no secret written into either file.
/// </summary>
public sealed class ContainerFileTests
{
    private static readonly Dockerfile Docker = DeploymentFiles.ReadDockerfile();
    private static readonly YamlNode Compose = DeploymentFiles.ReadCompose();
    private static readonly string[] ServicesBuiltFromTheDockerfile = ["migrate", "flagapi", "migrate-sqlserver", "flagapi-sqlserver"];

    [Fact]
    public void RuntimeStageRunsAsTheImagesNonRootUserByNumber()
    {
        var user = Docker.Runtime.Single("USER");

        Assert.True(int.TryParse(user, out var uid), $"USER {user} is not numeric, so Kubernetes' runAsNonRoot cannot verify it.");
        Assert.NotEqual(0, uid);
        Assert.Equal(1654, uid); // the ASP.NET Core image's "app" user (APP_UID)
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", Docker.Runtime.Image, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", Docker.Stages[0].Image, StringComparison.Ordinal);
    }

    [Fact]
    public void ListeningPortExposedPortHealthCheckAndComposeMappingAreTheSame()
    {
        var environment = Docker.Runtime.Environment();
        var listening = int.Parse(environment["ASPNETCORE_HTTP_PORTS"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.DoesNotContain("ASPNETCORE_URLS", environment.Keys); // it would override ASPNETCORE_HTTP_PORTS

        var exposed = int.Parse(Docker.Runtime.Single("EXPOSE").Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);
        var probed = HealthCheckTarget(environment);
        var mapping = Assert.Single(Compose["services"]["flagapi"]["ports"].ScalarItems);
        var mapped = int.Parse(mapping[(mapping.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(listening, exposed);
        Assert.Equal(listening, probed.Port);
        Assert.Equal(listening, mapped);
        Assert.Equal("127.0.0.1", probed.Host);
        Assert.Equal(ProbeCommand.ReadyPath, probed.AbsolutePath);
    }

    [Fact]
    public void HealthCheckRunsTheProbeCommandOfTheImagesOwnEntryPoint()
    {
        var entryPoint = DockerInstruction.ExecForm(Docker.Runtime.Single("ENTRYPOINT"));
        var command = ServiceReadiness.HealthCheckCommand();

        Assert.Equal(["dotnet", "FlagApi.dll"], entryPoint);
        Assert.Equal(entryPoint, command[..2]);
        Assert.Equal(ProbeCommand.Name, command[2]);
        Assert.Equal("/app", Docker.Runtime.Single("WORKDIR"));
        Assert.Contains("--from=build /app .", Docker.Runtime.Single("COPY"), StringComparison.Ordinal);
    }

    [Fact]
    public void DataVolumeIsTheDataDirectoryAndComposeKeepsItOnANamedVolume()
    {
        var environment = Docker.Runtime.Environment();
        var volume = Docker.Runtime.Single("VOLUME");

        Assert.Equal(environment["Database__DataDirectory"], volume);
        Assert.Contains(Docker.Runtime.All("RUN"), r => r.Contains($"chown {Docker.Runtime.Single("USER")}", StringComparison.Ordinal) && r.Contains(volume, StringComparison.Ordinal));
        var mount = Assert.Single(Compose["services"]["flagapi"]["volumes"].ScalarItems);
        Assert.Equal(volume, mount.Split(':')[1]);
        Assert.True(Compose["volumes"].Has(mount.Split(':')[0]), $"{mount} is not a named volume.");
    }

    [Fact]
    public void ImageRunsInProductionWithConfigurationOnlyFromTheEnvironment()
    {
        var environment = Docker.Runtime.Environment();

        Assert.Equal("Production", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.DoesNotContain(Docker.Instructions, i => i.Keyword == "ARG");
        Assert.DoesNotContain(Docker.Runtime.All("COPY"), c => c.Contains(".json", StringComparison.OrdinalIgnoreCase));
        var entryPoint = DockerInstruction.ExecForm(Docker.Runtime.Single("ENTRYPOINT"));
        Assert.DoesNotContain(entryPoint, word => word.StartsWith("--", StringComparison.Ordinal));
    }

    [Fact]
    public void RestoreLayerCopiesEveryProjectTheServiceNeedsBeforeTheSources()
    {
        var build = Docker.Stages[0];
        var restoreAt = build.Instructions.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        var copiedBeforeRestore = build.Instructions.Take(restoreAt).Where(i => i.Keyword == "COPY").SelectMany(i => i.Arguments.Split(' ')[..^1]).ToList();

        Assert.True(restoreAt > 0, "The build stage has no dotnet restore.");
        Assert.All(ProjectsOf("src/FlagApi/FlagApi.csproj"), project => Assert.Contains(project, copiedBeforeRestore));
        Assert.All(["global.json", "Directory.Build.props", "Directory.Packages.props"], file => Assert.Contains(file, copiedBeforeRestore));
        Assert.DoesNotContain(copiedBeforeRestore, c => c.EndsWith('/'));
    }

    [Fact]
    public void EveryVariableComposeGivesTheServiceNamesAConfigurationKeyTheAppKnows()
    {
        var known = DeploymentFiles.AppSettingsKeys();
        var names = ServicesBuiltFromTheDockerfile.SelectMany(s => Compose["services"][s]["environment"].Map!.Keys)
            .Concat(Docker.Runtime.Environment().Keys)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name =>
        {
            var key = name.Replace("__", ":", StringComparison.Ordinal);
            Assert.True(
                known.Contains(key) || key == "ConnectionStrings:FlagApi" || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || name.StartsWith("DOTNET_", StringComparison.Ordinal)
                    || name.StartsWith("OTEL_", StringComparison.Ordinal), // OpenTelemetry's standard variables, read by its SDK
                $"{name} sets '{key}', which is not in src/FlagApi/appsettings.json; the app would ignore it.");
        });
    }

    [Fact]
    public void ComposeRunsTheServiceOnPostgresAfterTheDatabaseIsHealthyAndMigrated()
    {
        var services = Compose["services"];
        var flagapi = services["flagapi"];
        var environment = flagapi["environment"];

        Assert.Equal("Postgres", environment["Database__Provider"].Scalar);
        Assert.Contains("Host=postgres;", environment["ConnectionStrings__FlagApi"].Scalar, StringComparison.Ordinal);
        Assert.Equal("false", environment["Database__MigrateOnStart"].Scalar);
        Assert.Equal("service_healthy", flagapi["depends_on"]["postgres"]["condition"].Scalar);
        Assert.Equal("service_completed_successfully", flagapi["depends_on"]["migrate"]["condition"].Scalar);
        Assert.Equal("service_healthy", services["migrate"]["depends_on"]["postgres"]["condition"].Scalar);
        Assert.Equal("[\"migrate\"]", services["migrate"]["command"].Scalar);
        Assert.Equal(environment["ConnectionStrings__FlagApi"].Scalar, services["migrate"]["environment"]["ConnectionStrings__FlagApi"].Scalar);
        Assert.Contains("pg_isready", services["postgres"]["healthcheck"]["test"].Scalar, StringComparison.Ordinal);
        Assert.StartsWith("postgres-data:", Assert.Single(services["postgres"]["volumes"].ScalarItems), StringComparison.Ordinal);
        Assert.Equal("unless-stopped", flagapi["restart"].Scalar);
        Assert.All(ServicesBuiltFromTheDockerfile, name =>
        {
            Assert.Equal(".", services[name]["build"].Scalar);
            Assert.Equal("true", services[name]["read_only"].Scalar);
            Assert.Equal(["/tmp"], services[name]["tmpfs"].ScalarItems);
        });
    }

    [Fact]
    public void ComposesSqlServerProfileCreatesTheDatabaseMigratesItAndThenRunsTheServiceOnIt()
    {
        var services = Compose["services"];
        string[] profile = ["sqlserver", "sqlserver-database", "migrate-sqlserver", "flagapi-sqlserver"];
        var flagapi = services["flagapi-sqlserver"];
        var environment = flagapi["environment"];

        Assert.All(profile, name => Assert.Equal("[\"sqlserver\"]", services[name]["profiles"].Scalar));
        Assert.DoesNotContain(services.Map!, s => !profile.Contains(s.Key) && s.Value.Has("profiles") && s.Value["profiles"].Scalar!.Contains("sqlserver", StringComparison.Ordinal));
        Assert.StartsWith("mcr.microsoft.com/mssql/server:2022", services["sqlserver"]["image"].Scalar, StringComparison.Ordinal);
        Assert.Equal("Y", services["sqlserver"]["environment"]["ACCEPT_EULA"].Scalar);
        Assert.StartsWith("sqlserver-data:", Assert.Single(services["sqlserver"]["volumes"].ScalarItems), StringComparison.Ordinal);
        Assert.Contains("sqlcmd", services["sqlserver"]["healthcheck"]["test"].Scalar, StringComparison.Ordinal);
        Assert.Equal("service_healthy", services["sqlserver-database"]["depends_on"]["sqlserver"]["condition"].Scalar);
        Assert.Contains("CREATE DATABASE flagapi", services["sqlserver-database"]["command"].Scalar, StringComparison.Ordinal);
        Assert.Contains("READ_COMMITTED_SNAPSHOT ON", services["sqlserver-database"]["command"].Scalar, StringComparison.Ordinal);
        Assert.Equal("service_completed_successfully", services["migrate-sqlserver"]["depends_on"]["sqlserver-database"]["condition"].Scalar);
        Assert.Equal("[\"migrate\"]", services["migrate-sqlserver"]["command"].Scalar);

        Assert.Equal("SqlServer", environment["Database__Provider"].Scalar);
        Assert.Equal("SqlServer", services["migrate-sqlserver"]["environment"]["Database__Provider"].Scalar);
        Assert.StartsWith("Server=sqlserver,1433;Database=flagapi;", environment["ConnectionStrings__FlagApi"].Scalar, StringComparison.Ordinal);
        Assert.Equal(environment["ConnectionStrings__FlagApi"].Scalar, services["migrate-sqlserver"]["environment"]["ConnectionStrings__FlagApi"].Scalar);
        Assert.Equal("false", environment["Database__MigrateOnStart"].Scalar);
        Assert.Equal("service_completed_successfully", flagapi["depends_on"]["migrate-sqlserver"]["condition"].Scalar);
        Assert.Equal("unless-stopped", flagapi["restart"].Scalar);

        // Beside the PostgreSQL service, not in its place: another host port and another data volume.
        Assert.NotEqual(Assert.Single(services["flagapi"]["ports"].ScalarItems).Split(':')[0], Assert.Single(flagapi["ports"].ScalarItems).Split(':')[0]);
        Assert.EndsWith(":8080", Assert.Single(flagapi["ports"].ScalarItems), StringComparison.Ordinal);
        var mount = Assert.Single(flagapi["volumes"].ScalarItems);
        Assert.NotEqual(Assert.Single(services["flagapi"]["volumes"].ScalarItems), mount);
        Assert.True(Compose["volumes"].Has(mount.Split(':')[0]), $"{mount} is not a named volume.");

        // The same settings as the PostgreSQL service, but for the database.
        Assert.Equal(
            services["flagapi"]["environment"].Map!.Keys.Order(StringComparer.Ordinal),
            environment.Map!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EnvExampleListsEveryVariableComposeUses()
    {
        var example = File.ReadAllLines(DeploymentFiles.PathOf("flagapi.env.example"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)])
            .ToHashSet(StringComparer.Ordinal);

        var used = DeploymentFiles.VariableReferences(string.Join('\n', File.ReadAllLines(DeploymentFiles.PathOf("compose.yaml")).Where(l => !l.TrimStart().StartsWith('#'))));

        Assert.Contains("POSTGRES_PASSWORD", used);
        Assert.Contains("MSSQL_SA_PASSWORD", used);
        Assert.Contains("FLAGAPI_BOOTSTRAP_ADMIN_KEY", used);
        Assert.All(used, name => Assert.True(example.Contains(name), $"compose.yaml uses ${{{name}}}, which flagapi.env.example does not list."));
    }

    [Fact]
    public void NoSecretIsWrittenIntoTheDockerfileComposeOrTheEnvExample()
    {
        Assert.All(Docker.Instructions.Where(i => i.Keyword is "ENV" or "ARG" or "LABEL"), instruction =>
        {
            Assert.DoesNotMatch(new Regex("password|secret|token|key=", RegexOptions.IgnoreCase), instruction.Arguments);
        });

        // A service with no environment (redis) has nothing to check.
        foreach (var (service, definition) in Compose["services"].Map!.Where(s => s.Value.Has("environment")))
        {
            foreach (var (name, value) in definition["environment"].Map!)
            {
                var text = value.Scalar!;
                if (DeploymentFiles.NamesASecret(name))
                {
                    Assert.True(DeploymentFiles.IsOnlyAVariable(text), $"{service}: {name} must come from flagapi.env as ${{VARIABLE}} with no default, not '{text}'.");
                }

                foreach (Match password in Regex.Matches(text, "(?<=password=)[^;]*", RegexOptions.IgnoreCase))
                {
                    Assert.True(DeploymentFiles.IsOnlyAVariable(password.Value), $"{service}: {name} has a password written in compose.yaml.");
                }
            }
        }

        Assert.All(File.ReadAllLines(DeploymentFiles.PathOf("flagapi.env.example")).Where(l => l.Length > 0 && !l.StartsWith('#')), line =>
        {
            var (name, value) = (line[..line.IndexOf('=', StringComparison.Ordinal)], line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            Assert.True(!DeploymentFiles.NamesASecret(name) || value.Length == 0, $"flagapi.env.example gives {name} a value; placeholders only.");
        });
        Assert.Contains("flagapi.env", File.ReadAllLines(DeploymentFiles.PathOf(".gitignore")));
        Assert.Contains("*.env", File.ReadAllLines(DeploymentFiles.PathOf(".dockerignore")));
    }

    [Fact]
    public async Task ProbeExitsZeroAgainstAReadyApp()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await ServiceReadiness.WaitUntilReadyAsync(app.BaseAddress);
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await ProbeCommand.RunAsync(new ConfigurationBuilder().Build(), [app.BaseAddress + ProbeCommand.ReadyPath], output, error);

        Assert.True(code == CommandLine.Ok, error.ToString());
        Assert.Contains("ready: 200", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeWithoutAnAddressFindsTheReadyEndpointOnTheConfiguredPort()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await ServiceReadiness.WaitUntilReadyAsync(app.BaseAddress);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["http_ports"] = new Uri(app.BaseAddress).Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .Build();

        var code = await ProbeCommand.RunAsync(configuration, [], TextWriter.Null, TextWriter.Null);

        Assert.Equal(CommandLine.Ok, code);
    }

    [Fact]
    public async Task ProbeExitsNonZeroWhenNothingListensOrTheAnswerIsNotOk()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        var error = new StringWriter();

        var nothing = await ProbeCommand.RunAsync(new ConfigurationBuilder().Build(), [$"http://127.0.0.1:{ServiceReadiness.FreePort()}{ProbeCommand.ReadyPath}"], TextWriter.Null, error);
        var notFound = await ProbeCommand.RunAsync(new ConfigurationBuilder().Build(), [app.BaseAddress + "/health/nothing-here"], TextWriter.Null, error);
        var usage = await ProbeCommand.RunAsync(new ConfigurationBuilder().Build(), ["not-an-address"], TextWriter.Null, error);

        Assert.Equal(CommandLine.Failed, nothing);
        Assert.Equal(CommandLine.Failed, notFound);
        Assert.Equal(CommandLine.Usage, usage);
        Assert.Contains("did not answer", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("not ready: 404", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "http://127.0.0.1:5000/health/ready")]
    [InlineData(null, "8080", "http://127.0.0.1:8080/health/ready")]
    [InlineData(null, "8081;8082", "http://127.0.0.1:8081/health/ready")]
    [InlineData("http://+:9000", "8080", "http://127.0.0.1:9000/health/ready")]
    [InlineData("https://*:443;http://0.0.0.0:9001", null, "http://127.0.0.1:9001/health/ready")]
    [InlineData("http://localhost:9002", null, "http://127.0.0.1:9002/health/ready")]
    [InlineData("http://10.1.2.3:9003", null, "http://10.1.2.3:9003/health/ready")]
    public void ProbeTargetIsReadTheWayKestrelReadsItsAddresses(string? urls, string? httpPorts, string expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls, ["http_ports"] = httpPorts })
            .Build();

        Assert.True(ProbeCommand.TryDefaultTarget(configuration, out var target, out var problem), problem);
        Assert.Equal(expected, target.ToString());
    }

    [Theory]
    [InlineData("https://+:443", null)]
    [InlineData("http://127.0.0.1:0", null)]
    [InlineData(null, "eighty")]
    public void ProbeRefusesAConfigurationItCannotReach(string? urls, string? httpPorts)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls, ["http_ports"] = httpPorts })
            .Build();

        Assert.False(ProbeCommand.TryDefaultTarget(configuration, out _, out var problem));
        Assert.Contains("pass the URL", problem, StringComparison.Ordinal);
    }

    /// <summary>Where the HEALTHCHECK's probe goes: its URL argument, else the default the image's environment gives.</summary>
    private static Uri HealthCheckTarget(Dictionary<string, string> environment)
    {
        var command = ServiceReadiness.HealthCheckCommand();
        if (command.Length > 3)
        {
            return new Uri(command[3]);
        }

        // ASPNETCORE_-prefixed variables reach configuration without their prefix.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment
                .Where(e => e.Key.StartsWith("ASPNETCORE_", StringComparison.Ordinal))
                .Select(e => KeyValuePair.Create(e.Key["ASPNETCORE_".Length..], (string?)e.Value)))
            .Build();
        Assert.True(ProbeCommand.TryDefaultTarget(configuration, out var target, out var problem), problem);
        return target;
    }

    /// <summary>The project files a project needs, itself first, as paths from the repository root.</summary>
    private static List<string> ProjectsOf(string project)
    {
        var found = new List<string> { project };
        for (var i = 0; i < found.Count; i++)
        {
            var folder = Path.GetDirectoryName(found[i])!;
            foreach (var reference in XDocument.Load(DeploymentFiles.PathOf(found[i])).Descendants("ProjectReference"))
            {
                var path = Path.GetRelativePath(DeploymentFiles.RepositoryRoot, Path.GetFullPath(Path.Combine(DeploymentFiles.RepositoryRoot, folder, reference.Attribute("Include")!.Value)))
                    .Replace('\\', '/');
                if (!found.Contains(path))
                {
                    found.Add(path);
                }
            }
        }

        return found;
    }
}
