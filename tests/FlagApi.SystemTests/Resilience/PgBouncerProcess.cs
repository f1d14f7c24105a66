using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;
using Npgsql;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// Debian's <c>pgbouncer</c>, started by the test on a free loopback port in a temporary folder, in front of one
/// PostgreSQL server: transaction pooling, trust authentication for the server's <c>postgres</c> role, and a small pool
/// per database and user, so that the clients' connections really take turns on a few server connections. Its admin
/// console (<c>SHOW CLIENTS</c>, <c>SHOW SERVERS</c>) is read with <c>psql</c>, which speaks the simple protocol it needs.
/// </summary>
internal sealed class PgBouncerProcess : IDisposable
{
    private const string User = "postgres";

    private readonly string folder;
    private readonly string psql;
    private readonly RunningProcess process;

    private PgBouncerProcess(string program, string psql, int serverPort, int poolSize)
    {
        this.psql = psql;
        Port = FreePort();
        PoolSize = poolSize;
        folder = Directory.CreateTempSubdirectory("flagapi-pgbouncer-").FullName;
        File.WriteAllText(Path.Combine(folder, "users.txt"), $"\"{User}\" \"\"\n");
        File.WriteAllText(Path.Combine(folder, "pgbouncer.ini"), string.Create(CultureInfo.InvariantCulture, $"""
            [databases]
            * = host=127.0.0.1 port={serverPort}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {Port}
            unix_socket_dir =
            auth_type = trust
            auth_file = {folder}/users.txt
            admin_users = {User}
            pool_mode = transaction
            default_pool_size = {poolSize}
            min_pool_size = 0
            reserve_pool_size = 0
            max_client_conn = 300
            server_lifetime = 3600
            server_idle_timeout = 600
            log_connections = 0
            log_disconnections = 0

            """));

        var start = new ProcessStartInfo(program) { WorkingDirectory = folder };
        if (Environment.UserName == "root")
        {
            // PgBouncer refuses to run as root; -u switches to the server's account in the same process.
            Run("chown", "-R", User + ":", folder);
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(User);
        }

        start.ArgumentList.Add(Path.Combine(folder, "pgbouncer.ini"));
        process = new RunningProcess(start);
    }

    public int Port { get; }

    public int PoolSize { get; }

    public string Output => process.Output;

    /// <summary>A running PgBouncer that has passed one query through to the server; skips (fails under CI) without it.</summary>
    public static async Task<PgBouncerProcess> StartAsync(int serverPort, string throughConnectionString, int poolSize)
    {
        var program = ServerBinaries.Require("pgbouncer", "pgbouncer");
        var psql = ServerBinaries.Require("psql", "postgresql-client");
        var bouncer = new PgBouncerProcess(program, psql, serverPort, poolSize);
        var through = bouncer.Through(throughConnectionString);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(bouncer.process.HasExited, $"pgbouncer exited with {(bouncer.process.HasExited ? bouncer.process.ExitCode : 0)}:\n{bouncer.Output}");
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(through) { Pooling = false }.ConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync();
                return bouncer;
            }
            catch (NpgsqlException) when (clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary><paramref name="connectionString"/> (to the server behind) sent through this PgBouncer instead.</summary>
    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    /// <summary>One <c>SHOW</c> of the admin console, as rows of column name to value.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> ShowAsync(string what)
    {
        var start = new ProcessStartInfo(psql)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-X", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-d", "pgbouncer",
            "-A", "-F", "\t", "-P", "footer=off", "-c", "SHOW " + what,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var show = Process.Start(start)!;
        var output = show.StandardOutput.ReadToEndAsync();
        var error = show.StandardError.ReadToEndAsync();
        await show.WaitForExitAsync();
        Assert.True(show.ExitCode == 0, $"psql SHOW {what} on pgbouncer exited with {show.ExitCode}: {await error}");
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var names = lines[0].Split('\t');
        return [.. lines.Skip(1).Select(line =>
        {
            var values = line.Split('\t');
            return (IReadOnlyDictionary<string, string>)names.Select((name, i) => (name, value: i < values.Length ? values[i] : ""))
                .ToDictionary(c => c.name, c => c.value);
        })];
    }

    public void Dispose()
    {
        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is not worth failing the run for.
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        using var run = Process.Start(program, arguments)!;
        run.WaitForExit();
        Assert.True(run.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {run.ExitCode}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
