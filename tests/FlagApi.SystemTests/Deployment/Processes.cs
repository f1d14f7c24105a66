using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Deployment;

/// <summary>Child processes for the tests of the published app: the SDK's commands, and the app run as the image runs it.</summary>
[UnsupportedOSPlatform("windows")] // the image is Linux; so are file modes and signals
internal static class Processes
{
    /// <summary>The image's "app" user; a test running as root runs the app as this user, so read-only files really are.</summary>
    public const int ImageUser = 1654;

    private const UnixFileMode ReadOnlyFile = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode ReadOnlyFolder = ReadOnlyFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <param name="environment">Added to this process's own environment (less its MSBuild settings).</param>
    public static async Task<(int Code, string Output)> RunAsync(
        string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory };

        // The test run's own MSBuild settings would steer the child build; it must build as the Dockerfile does.
        foreach (var name in start.Environment.Keys.Where(n => n.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new RunningProcess(start);
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            return (-1, $"{file} did not finish within {timeout}.\n{process.Output}");
        }

        return (process.ExitCode, process.Output);
    }

    /// <summary>Starts <c>dotnet ARGUMENTS</c> in the folder with only the given configuration, as the image's user.</summary>
    public static RunningProcess Start(string folder, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        LinuxOnly.SkipUnlessLinux("Running the published service as the image's user, with its file modes");
        return new(AsImageUser(folder, environment, arguments));
    }

    public static async Task<(int Code, string Output)> RunAsUserAsync(string folder, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using var process = Start(folder, environment, arguments);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitAsync(cancellation.Token);
        return (process.ExitCode, process.Output);
    }

    public static void MakeReadOnly(string folder) => SetModes(folder, ReadOnlyFolder, ReadOnlyFile);

    public static void MakeWritable(string folder) => SetModes(folder, ReadOnlyFolder | UnixFileMode.UserWrite, ReadOnlyFile | UnixFileMode.UserWrite);

    /// <summary>Every file under the folder with its size and last write, to show that nothing there changed.</summary>
    public static string Listing(string folder) => string.Join('\n', Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(path => new FileInfo(path))
        .Select(f => $"{Path.GetRelativePath(folder, f.FullName)} {(f.Exists ? f.Length : -1)} {f.LastWriteTimeUtc:O}"));

    private static ProcessStartInfo AsImageUser(string folder, IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.IsPrivilegedProcess ? "setpriv" : "dotnet") { WorkingDirectory = folder };
        if (Environment.IsPrivilegedProcess)
        {
            foreach (var argument in new[] { $"--reuid={ImageUser}", $"--regid={ImageUser}", "--clear-groups", "--", "dotnet" })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only the image's kind of configuration: none of the test host's own ASP.NET Core or FlagApi settings.
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || name.Contains("__", StringComparison.Ordinal)
                || name.StartsWith("FLAGAPI_", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["HOME"] = Path.GetTempPath();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static void SetModes(string folder, UnixFileMode folderMode, UnixFileMode fileMode)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, fileMode);
        }

        foreach (var directory in Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories).Prepend(folder))
        {
            File.SetUnixFileMode(directory, folderMode);
        }
    }
}

/// <summary>A child process whose standard output and error are collected together.</summary>
internal sealed class RunningProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly Action<string>? onLine;

    /// <param name="onLine">Also given each line as it arrives, such as the suite's log (<see cref="Infrastructure.SuiteLogs"/>).</param>
    public RunningProcess(ProcessStartInfo start, Action<string>? onLine = null)
    {
        this.onLine = onLine;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public Task WaitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    /// <summary>Stops the process the way <c>docker stop</c> does: SIGTERM, then a kill after ten seconds.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var signal = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await signal.WaitForExitAsync();
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await process.WaitForExitAsync();
        }
    }

    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        onLine?.Invoke(line);
    }
}
