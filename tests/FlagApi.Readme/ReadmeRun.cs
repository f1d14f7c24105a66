using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FlagApi.Readme;

/// <summary>What one README command printed (standard output and error, interleaved) and how it exited.</summary>
public sealed record CommandResult(ReadmeCommand Command, string Output, int ExitCode);

/// <summary>
/// The README run as a newcomer runs it: a fresh copy of the repository (every file git tracks or would track, nothing
/// built), the first command started and left running as the service, then every other command of the sh blocks in one
/// bash session, in order, verbatim, from the copy's root, with <c>set -o pipefail</c> so a pipeline fails with any part.
/// </summary>
public sealed partial class ReadmeRun : IAsyncDisposable
{
    public const string ServiceAddress = "http://localhost:5080";

    private static readonly TimeSpan ServiceStart = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan Commands = TimeSpan.FromMinutes(10);

    private readonly StringBuilder serviceOutput = new();

    private Process? service;

    private ReadmeRun(string folder) => Folder = folder;

    /// <summary>The fresh copy the commands run in.</summary>
    public string Folder { get; }

    public ReadmeCommand? ServiceCommand { get; private set; }

    public IReadOnlyList<CommandResult> Results { get; private set; } = [];

    /// <summary>Everything the run printed, the service's log after the commands' transcript.</summary>
    public string Transcript => string.Join("\n", Results.Select(r => $"$ {r.Command.Text}\n{r.Output}[exit {r.ExitCode}]"))
        + "\n\n--- the service's output ---\n" + ServiceOutput;

    public string ServiceOutput
    {
        get
        {
            lock (serviceOutput)
            {
                return serviceOutput.ToString();
            }
        }
    }

    public static async Task<ReadmeRun> StartAsync(string repository, IReadOnlyList<ReadmeCommand> commands)
    {
        var run = new ReadmeRun(Directory.CreateTempSubdirectory("flagapi-readme-").FullName);
        await CopyRepositoryAsync(repository, run.Folder);
        run.ServiceCommand = commands[0];
        await run.StartServiceAsync(commands[0]);
        run.Results = await run.RunAsync(commands.Skip(1).ToList());
        return run;
    }

    public async ValueTask DisposeAsync()
    {
        if (service is { HasExited: false })
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }

        service?.Dispose();
    }

    public void DeleteCopy()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the copy is in the temp folder and goes with it.
        }
    }

    private static async Task CopyRepositoryAsync(string repository, string folder)
    {
        var (code, output) = await RunAsync("git", ["-C", repository, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], repository, TimeSpan.FromMinutes(1));
        if (code != 0)
        {
            throw new InvalidOperationException($"git ls-files failed in {repository}: {output}");
        }

        foreach (var file in output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var source = Path.Combine(repository, file);
            if (!File.Exists(source))
            {
                continue; // deleted in the work tree, not yet in a commit
            }

            var target = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(source));
            }
        }
    }

    private async Task StartServiceAsync(ReadmeCommand command)
    {
        using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) })
        {
            if (await AnswersAsync(probe))
            {
                throw new InvalidOperationException($"Something already answers at {ServiceAddress}; the README's service needs that port. Stop it and run again.");
            }
        }

        service = new Process { StartInfo = Bash(command.Text), EnableRaisingEvents = true };
        service.OutputDataReceived += (_, e) => Collect(e.Data);
        service.ErrorDataReceived += (_, e) => Collect(e.Data);
        service.Start();
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var stopwatch = Stopwatch.StartNew();
        while (!await AnswersAsync(client, "/health/ready"))
        {
            if (service.HasExited)
            {
                throw new InvalidOperationException($"The README's first command ({command.Text}) exited with {service.ExitCode} before serving:\n{ServiceOutput}");
            }

            if (stopwatch.Elapsed > ServiceStart)
            {
                throw new TimeoutException($"The README's first command ({command.Text}) did not serve {ServiceAddress}/health/ready within {ServiceStart}:\n{ServiceOutput}");
            }

            await Task.Delay(500);
        }

        void Collect(string? line)
        {
            if (line is not null)
            {
                lock (serviceOutput)
                {
                    serviceOutput.Append(line).Append('\n');
                }
            }
        }
    }

    private async Task<IReadOnlyList<CommandResult>> RunAsync(List<ReadmeCommand> commands)
    {
        var script = new StringBuilder("set -o pipefail\nexec 2>&1\n");
        for (var i = 0; i < commands.Count; i++)
        {
            script.Append(CultureInfo.InvariantCulture, $"printf '@@begin {i}\\n'\n");
            script.Append(commands[i].Text).Append('\n');
            script.Append(CultureInfo.InvariantCulture, $"printf '\\n@@end {i} %d\\n' \"$?\"\n");
        }

        var path = Path.Combine(Folder, ".readme-run.sh");
        await File.WriteAllTextAsync(path, script.ToString());
        var start = Bash(script: null);
        start.ArgumentList.Add(path);
        var (_, output) = await RunAsync(start, Commands);
        File.Delete(path);

        var results = new List<CommandResult>();
        for (var i = 0; i < commands.Count; i++)
        {
            var section = Regex.Match(output, $@"@@begin {i}\n(?<output>.*?)\n@@end {i} (?<code>\d+)\n", RegexOptions.Singleline);
            results.Add(section.Success
                ? new CommandResult(commands[i], section.Groups["output"].Value, int.Parse(section.Groups["code"].Value, CultureInfo.InvariantCulture))
                : new CommandResult(commands[i], "(never ran: the commands before it ended the session)\n" + output[Math.Max(0, output.Length - 2000)..], -1));
        }

        return results;
    }

    private static async Task<bool> AnswersAsync(HttpClient client, string path = "/")
    {
        try
        {
            using var response = await client.GetAsync(ServiceAddress + path);
            return path == "/" || response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>bash in the copy, with the environment a newcomer's terminal has: none of this test run's MSBuild or .NET host settings.</summary>
    private ProcessStartInfo Bash(string? script)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var name in start.Environment.Keys.Where(IsTestRunSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (script is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
        }

        return start;
    }

    private static bool IsTestRunSetting(string name) =>
        name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("DOTNET_HOST", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("FLAGAPI_", StringComparison.OrdinalIgnoreCase)
        || name is "DOTNET_ENVIRONMENT";

    private static Task<(int Code, string Output)> RunAsync(string file, string[] arguments, string folder, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return RunAsync(start, timeout);
    }

    private static async Task<(int Code, string Output)> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        if (start.RedirectStandardInput)
        {
            process.StandardInput.Close(); // no terminal: a command that asks for input gets end of file, not a hang
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"{await output}{await error}\n(killed: still running after {timeout})");
        }

        return (process.ExitCode, await output + await error);
    }
}
