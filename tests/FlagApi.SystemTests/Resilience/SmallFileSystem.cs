using System.Diagnostics;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// A tmpfs of a few megabytes mounted for one test, which the test fills to the last byte with a file of its own and then
/// empties: the disk really is full for every process writing there, the service included. Mounting needs root (the
/// tests run as root in CI); without it the test skips with that reason.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    private SmallFileSystem(string path) => Path = path;

    public string Path { get; }

    private string Filler => System.IO.Path.Combine(Path, "filler");

    public static SmallFileSystem Mount(int megabytes, string? owner = null)
    {
        LinuxOnly.SkipUnlessLinux("A full disk made by mounting a small tmpfs");
        var path = Directory.CreateTempSubdirectory("flagapi-small-fs-").FullName;
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0755", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            Assert.Skip($"A full disk is made by mounting a small tmpfs, which needs root (CAP_SYS_ADMIN): mount said {output}");
        }

        var mounted = new SmallFileSystem(path);
        if (owner is not null)
        {
            Assert.Equal(0, Run("chown", $"{owner}:", path).Code);
        }

        return mounted;
    }

    /// <summary>Writes a file until the file system refuses another byte.</summary>
    public void Fill()
    {
        using var file = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (var size in new[] { 1 << 20, 4096, 1 })
        {
            var block = new byte[size];
            try
            {
                while (true)
                {
                    file.Write(block);
                }
            }
            catch (IOException)
            {
                // Full at this block size: go on with a smaller one.
            }
        }
    }

    public void MakeRoom() => File.Delete(Filler);

    public void Dispose()
    {
        Run("umount", "--lazy", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Still busy: a temporary folder left behind is not worth failing the test for.
        }
    }

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}
