using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace FlagApi.Tests.Infrastructure;

/// <summary>
/// Debian's aiosmtpd (<c>python3-aiosmtpd</c>), a real SMTP server the test starts on a free loopback port, keeping what it
/// receives in a Maildir the test reads; killed and started again on the same port and Maildir when the test says so.
/// </summary>
public sealed class SmtpServer : IDisposable
{
    private readonly string program;
    private readonly string folder;
    private readonly StringBuilder output = new();
    private Process? process;

    private SmtpServer(string program)
    {
        this.program = program;
        folder = Directory.CreateTempSubdirectory("flagapi-smtp-").FullName;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    private string Maildir => Path.Combine(folder, "mail");

    /// <summary>The settings that send the application's e-mail here.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Notifications:Smtp:Host"] = "127.0.0.1",
        ["Notifications:Smtp:Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["Notifications:Smtp:Security"] = "None",
        ["Notifications:Smtp:From"] = "FlagApi <appeals@flagapi.test>",
    };

    /// <summary>A running server, greeting on its port; skips (fails under CI) without aiosmtpd.</summary>
    public static async Task<SmtpServer> StartAsync()
    {
        var server = new SmtpServer(ServerBinaries.Require("aiosmtpd", "python3-aiosmtpd"));
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port and Maildir, and waits for its greeting.</summary>
    public async Task RestartAsync()
    {
        Stop();
        var start = new ProcessStartInfo(program,
            ["-n", "-l", $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}", "-c", "aiosmtpd.handlers.Mailbox", Maildir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            Assert.False(process.HasExited, $"aiosmtpd exited:\n{Output}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                if ((await reader.ReadLineAsync(quiet.Token))?.StartsWith("220", StringComparison.Ordinal) == true)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        Assert.Fail($"aiosmtpd did not greet within 15 s:\n{Output}");
    }

    /// <summary>SIGKILL: the mail server is gone, as when its host goes down; what it received stays in the Maildir.</summary>
    public void Stop()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process?.Dispose();
        process = null;
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

    /// <summary>Every message received so far, each as delivered.</summary>
    public IReadOnlyList<MimeMessage> Received()
    {
        var files = new[] { "new", "cur" }
            .Select(sub => Path.Combine(Maildir, sub))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles)
            .Order(StringComparer.Ordinal)
            .ToList();
        return [.. files.Select(f => MimeMessage.Load(f))];
    }

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived, and answers them.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan? within = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var received = Received();
            if (received.Count >= count)
            {
                return received;
            }

            if (clock.Elapsed > (within ?? TimeSpan.FromSeconds(30)))
            {
                Assert.Fail($"{received.Count} of {count} messages arrived:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        Stop();
        Directory.Delete(folder, recursive: true);
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
    }
}
