using System.Diagnostics;
using System.Globalization;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// strace attached to a running process that has the kernel deliver SIGKILL to it at the Nth <c>pwrite64</c> into one
/// file: the process dies at that exact system call, with the writes before it in the file and the rest not, as a crash
/// in the middle of writing would leave it. Nothing in the service knows; strace counts writes per thread, and SQLite
/// writes a transaction's frames on the thread that commits it.
/// </summary>
internal sealed class StraceKill : IDisposable
{
    private readonly RunningProcess strace;
    private readonly int target;

    private StraceKill(RunningProcess strace, int target)
    {
        this.strace = strace;
        this.target = target;
    }

    public string Output => strace.Output;

    public static StraceKill Attach(int pid, string file, int write, string log)
    {
        LinuxOnly.SkipUnlessLinux("Killing the service at an exact write with strace");
        if (!File.Exists("/usr/bin/strace"))
        {
            Assert.Skip("The SQLite kill tests need strace (apt-get install strace) to kill the service at an exact write.");
        }

        var start = new ProcessStartInfo("/usr/bin/strace");
        foreach (var argument in new[]
        {
            "-f", "-qq", "-P", file, "-e", "trace=pwrite64",
            "-e", string.Create(CultureInfo.InvariantCulture, $"inject=pwrite64:signal=SIGKILL:when={write}"),
            "-o", log, "-p", pid.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        return new StraceKill(new RunningProcess(start), pid);
    }

    /// <summary>Until every thread of the process is traced: a write on a thread not yet attached would not be counted.</summary>
    public async Task WaitAttachedAsync()
    {
        var clock = Stopwatch.StartNew();
        while (!AllThreadsTraced())
        {
            Assert.False(strace.HasExited, $"strace exited before it attached.\n{strace.Output}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"strace did not attach to every thread.\n{strace.Output}");
            await Task.Delay(50);
        }
    }

    public async Task WaitAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await strace.WaitAsync(limit.Token);
    }

    public void Dispose() => strace.Dispose();

    private bool AllThreadsTraced()
    {
        try
        {
            return Directory.GetDirectories($"/proc/{target}/task").All(task =>
            {
                try
                {
                    var tracer = File.ReadLines(Path.Combine(task, "status")).First(l => l.StartsWith("TracerPid:", StringComparison.Ordinal));
                    return tracer.Split('\t', StringSplitOptions.RemoveEmptyEntries)[^1].Trim() != "0";
                }
                catch (IOException)
                {
                    return true; // the thread ended
                }
            });
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }
}
