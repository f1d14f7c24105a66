using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// The built service run as operators run it, <c>dotnet FlagApi.dll</c> in a process of its own, configured only through
/// environment variables, with everything it prints kept for a failing assertion's message.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly RunningProcess process;

    private ServiceProcess(string name, RunningProcess process, Uri address)
    {
        Name = name;
        this.process = process;
        Address = address;
    }

    public string Name { get; }

    /// <summary>Names this process's lines in the suite's log (<see cref="SuiteLogs"/>).</summary>
    public required string LogSource { get; init; }

    public Uri Address { get; }

    /// <summary>The service's own process id (it runs <c>dotnet FlagApi.dll</c> directly), for reading its memory from /proc.</summary>
    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>What the process printed so far, stdout and stderr interleaved as they arrived.</summary>
    public string Output => process.Output;

    /// <summary>Starts the service on a free loopback port with <paramref name="environment"/> added to this process's own.</summary>
    public static ServiceProcess Start(string name, IReadOnlyDictionary<string, string> environment)
    {
        var dll = BuiltServicePath();
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(DotnetHost(), [dll]) { WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var source = SuiteLogs.CurrentSource($"service {name}");
        IReadOnlyCollection<string> secrets = environment.GetValueOrDefault("Bootstrap__AdminKey") is { Length: > 0 } chosen ? [chosen] : [];
        return new ServiceProcess(name, new RunningProcess(start, line => SuiteLogs.WriteProcessLine(source, line, secrets)), address) { LogSource = source };
    }

    /// <summary>
    /// Runs one of the service's commands (<c>dotnet FlagApi.dll backup PATH</c>) as an operator runs it beside the
    /// service: the same assembly, folder and settings, so that it finds the same database.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    public static Task<(int Code, string Output)> RunCommandAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        var dll = BuiltServicePath();
        var settings = new Dictionary<string, string>(environment) { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        return Processes.RunAsync(DotnetHost(), [dll, .. arguments], Path.GetDirectoryName(dll)!, timeout, settings);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; fails with the process's output if it exits or takes too long.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                Assert.Fail($"{Name} exited with {process.ExitCode} before it was ready.\n{Describe()}");
            }

            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but busy starting.
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{Name} was not ready within {timeout.TotalSeconds} s.\n{Describe()}");
    }

    /// <summary>The instance's name, address and output, for an assertion message.</summary>
    public string Describe() => $"--- {Name} ({Address}) output ---\n{Output}--- end of {Name} ---";

    /// <summary>SIGKILL, as the kernel's OOM killer or a pulled plug ends it: no shutdown, no disposal, no flush.</summary>
    public void Kill() => process.Kill();

    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitAsync(cancellationToken);

    /// <summary>
    /// Kills the process. What it printed is checked by the suite's last scan (naming this test), not here: callers dispose
    /// several processes in a row, and a throw would leave the next one running.
    /// </summary>
    public void Dispose() => process.Dispose();

    /// <summary>
    /// src/FlagApi's own build output of the configuration and framework this test assembly was built for (the test
    /// project references it, so building the tests built it): that folder has the app's runtimeconfig and appsettings.
    /// </summary>
    private static string BuiltServicePath()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (testOutput.Name, testOutput.Parent!.Name);
        var dll = RepositoryFiles.PathOf("src", "FlagApi", "bin", configuration, framework, "FlagApi.dll");
        Assert.True(File.Exists(dll), $"{dll} does not exist: build src/FlagApi ({configuration}) first.");
        return dll;
    }

    /// <summary>The dotnet host that runs this test (the CLI passes its path down), or the one on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>A loopback port nothing listens on now, for a server the test starts.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
