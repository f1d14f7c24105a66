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
}
