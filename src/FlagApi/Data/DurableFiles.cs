using System.Runtime.InteropServices;

namespace FlagApi.Data;

/// <summary>
/// Writes that must outlive a power loss once the service or a command has reported them done: a file's bytes reach the
/// disk (<see cref="FileStream.Flush(bool)"/>), and so does the directory entry that names it. A rename or a new file is
/// only durable once its directory is synced, which .NET has no call for, hence <c>fsync</c> on the directory itself.
/// </summary>
public static class DurableFiles
{
    /// <summary>
    /// Options that create a file readable and writable by its owner only, from its first byte: for keys and for backups,
    /// which hold what the database holds.
    /// </summary>
    public static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    /// <summary>Syncs a file's contents to disk.</summary>
    public static void SyncFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        file.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Syncs a directory, so that a file created or renamed in it is still there after a power loss. Windows has no such
    /// step (its metadata journal orders it), so there it does nothing.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = Open(System.Text.Encoding.UTF8.GetBytes(directory + "\0"), 0 /* O_RDONLY */);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open the folder {directory} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"Cannot sync the folder {directory} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>Moves a finished file to its name and makes both the contents and the name durable.</summary>
    public static void Publish(string finishedPath, string path)
    {
        SyncFile(finishedPath);
        File.Move(finishedPath, path, overwrite: false);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    // DllImport, not LibraryImport: the generated marshalling needs unsafe code, which the service does not otherwise allow.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] nullTerminatedUtf8Path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
#pragma warning restore SYSLIB1054
}
