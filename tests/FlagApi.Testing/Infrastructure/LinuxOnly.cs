using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FlagApi.Tests.Infrastructure;

/// <summary>
/// What only Linux offers the system tests (strace, chattr, a tmpfs mount, a PostgreSQL cluster of the test's own, the
/// image's user and file modes): elsewhere the test skips, naming what it needs. CI runs on Linux, where this does nothing.
/// </summary>
public static class LinuxOnly
{
    public static void SkipUnlessLinux(string what)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip($"{what} needs Linux; this is {RuntimeInformation.OSDescription}.");
        }
    }

    /// <summary>
    /// Sets (<c>+i</c>) or clears (<c>-i</c>) the immutable flag on each file that exists, one <c>chattr</c> at a time. The
    /// kernel enforces it on every write, even through a descriptor opened before and even for root, as on a file system
    /// remounted read-only after an error. Skips where chattr cannot (not root, a file system without the flag).
    /// </summary>
    public static async Task ChattrAsync(string flag, params IEnumerable<string> files)
    {
        SkipUnlessLinux("A read-only file made with chattr");
        foreach (var file in files.Where(File.Exists))
        {
            var start = new ProcessStartInfo("chattr", [flag, file]) { RedirectStandardError = true, UseShellExecute = false };
            using var chattr = Process.Start(start)!;
            var error = await chattr.StandardError.ReadToEndAsync();
            await chattr.WaitForExitAsync();
            if (chattr.ExitCode != 0)
            {
                Assert.Skip($"A read-only file is made with chattr {flag}, which needs root and a file system with the immutable flag: {error}");
            }
        }
    }
}
