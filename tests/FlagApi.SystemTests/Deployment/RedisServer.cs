using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// Debian's <c>redis-server</c>, started by the test on a free loopback port in a temporary folder with nothing written
/// to disk, killed with SIGKILL when the test says so or at the end, and restartable on the same port.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly string program;
    private readonly string folder;
    private RunningProcess? process;

    private RedisServer(string program, int port)
    {
        this.program = program;
        Port = port;
        folder = Directory.CreateTempSubdirectory("flagapi-redis-").FullName;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for <c>ConnectionStrings:Redis</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Output => process?.Output ?? "";

    /// <summary>A running server, answering PING; skips (fails under CI) without redis-server.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(ServerBinaries.Require("redis-server", "redis-server"), FreePort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server again on the same port, empty, and waits until it answers.</summary>
    public async Task RestartAsync()
    {
        process?.Dispose();
        var start = new ProcessStartInfo(program,
            ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder])
        {
            WorkingDirectory = folder,
        };
        process = new RunningProcess(start);

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Assert.False(process.HasExited, $"redis-server exited with {(process.HasExited ? process.ExitCode : 0)}:\n{process.Output}");
            try
            {
                if ((await CommandAsync("PING")).StartsWith("+PONG", StringComparison.Ordinal))
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

        Assert.Fail($"redis-server did not answer PING within 10 s:\n{process.Output}");
    }

    /// <summary>SIGKILL: no shutdown, the clients' connections reset.</summary>
    public void Kill() => process?.Kill();

    /// <summary>SIGSTOP: connections stay open and nothing is answered, as with a server stuck or a network that drops packets.</summary>
    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    /// <summary>One inline command and the server's raw answer (RESP), for checks such as which keys exist.</summary>
    public async Task<string> CommandAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        var buffer = new byte[64 * 1024];
        var answer = new StringBuilder();
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        do
        {
            var read = await stream.ReadAsync(buffer, quiet.Token);
            if (read == 0)
            {
                break;
            }

            answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        while (client.Available > 0 || !answer.ToString().EndsWith("\r\n", StringComparison.Ordinal));

        return answer.ToString();
    }

    public void Dispose()
    {
        if (process is { HasExited: false })
        {
            Resume();
        }

        process?.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process!.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
