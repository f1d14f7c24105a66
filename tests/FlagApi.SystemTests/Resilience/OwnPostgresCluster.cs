using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FlagApi.Tests.Infrastructure;
using Npgsql;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// A PostgreSQL cluster of the test's own, in a temporary folder on a free port, that the test may stop and start:
/// the shared cluster serves other tests in parallel. Without the server binaries the tests skip, unless
/// <c>FLAGAPI_TEST_REQUIRE_POSTGRES=1</c> makes that a failure.
/// </summary>
public sealed class OwnPostgresCluster : IAsyncLifetime
{
    private const string ServerUser = "postgres";

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "flagapi-pg-" + Guid.NewGuid().ToString("N"));
    private string? binDirectory;
    private string? unavailable;
    private int port;

    public OwnPostgresCluster()
    {
    }

    private OwnPostgresCluster(string binDirectory, int port)
    {
        this.binDirectory = binDirectory;
        this.port = port;
    }

    public bool IsRunning { get; private set; }

    /// <summary>Where the server listens, as a host of a connection string: <c>127.0.0.1:port</c>.</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}");

    /// <summary>The cluster's own superuser over TCP (trust authentication, loopback only).</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = port, Username = ServerUser, Database = "postgres", Pooling = false,
    }.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        binDirectory = FindBinDirectory();
        if (binDirectory is null)
        {
            unavailable = "These tests start a PostgreSQL server of their own and found no initdb/pg_ctl under /usr/lib/postgresql/*/bin.";
            return;
        }

        Directory.CreateDirectory(dataDirectory);
        if (RunsAsRoot)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres account.
            await RunAsync("chown", [ServerUser + ":", dataDirectory]);
        }

        await RunServerToolAsync("initdb", ["-D", dataDirectory, "-A", "trust", "-U", ServerUser, "-E", "UTF8", "--locale=C", "--no-sync"]);
        port = FreePort();
        await StartAsync();
    }

    /// <summary>Skips the calling test, or fails it under <c>FLAGAPI_TEST_REQUIRE_POSTGRES=1</c>, when no server could be started.</summary>
    public void SkipUnlessAvailable()
    {
        LinuxOnly.SkipUnlessLinux("A PostgreSQL cluster of the test's own (Debian's pg_ctlcluster tools)");
        if (unavailable is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(PostgresTarget.RequireVariable) == "1")
        {
            Assert.Fail(unavailable + $" {PostgresTarget.RequireVariable}=1 makes this a failure.");
        }

        Assert.Skip(unavailable);
    }

    /// <summary>Creates a database and returns a pooled connection string to it, as a deployment would configure it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "flagapi_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true, Timeout = 5, CommandTimeout = 10 }.ConnectionString;
    }

    /// <summary>A fast shutdown, as a restart or failover does: sessions are ended and open transactions rolled back.</summary>
    public async Task StopAsync()
    {
        await RunServerToolAsync("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"]);
        IsRunning = false;
    }

    /// <summary>An immediate shutdown, as a crash or a lost machine: no checkpoint, open transactions lost unless committed.</summary>
    public async Task CrashAsync()
    {
        await RunServerToolAsync("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"]);
        IsRunning = false;
    }

    /// <summary>
    /// A hot standby of this cluster, as <c>pg_basebackup -R</c> makes one: a copy of the data folder that streams this
    /// server's write-ahead log, on a port of its own, answering reads. The caller disposes it.
    /// </summary>
    public async Task<OwnPostgresCluster> StartStandbyAsync()
    {
        var standby = new OwnPostgresCluster(binDirectory!, FreePort());
        await RunServerToolAsync("pg_basebackup", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", ServerUser,
            "-D", standby.dataDirectory, "-R", "-X", "stream", "-c", "fast", "--no-sync"]);
        await standby.StartAsync();
        return standby;
    }

    /// <summary>
    /// Makes every commit on this primary wait until a standby has flushed it (<c>synchronous_standby_names = '*'</c>, with
    /// the default <c>synchronous_commit = on</c>), and waits until a standby is attached as synchronous.
    /// </summary>
    public async Task RequireSynchronousStandbyAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using (var set = new NpgsqlCommand("ALTER SYSTEM SET synchronous_standby_names = '*'", connection))
        {
            await set.ExecuteNonQueryAsync();
        }

        await using (var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection))
        {
            await reload.ExecuteNonQueryAsync();
        }

        var waited = Stopwatch.StartNew();
        await using var state = new NpgsqlCommand("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'", connection);
        while ((long)(await state.ExecuteScalarAsync())! == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "No standby became synchronous within 30 seconds.");
            await Task.Delay(100);
        }
    }

    /// <summary>Ends recovery on this standby: it becomes a primary that accepts writes (<c>pg_ctl promote</c>, waiting until it does).</summary>
    public Task PromoteAsync() => RunServerToolAsync("pg_ctl", ["-D", dataDirectory, "-w", "promote"]);

    public async Task StartAsync()
    {
        // fsync stays on, as on a deployment's server: the service refuses to start on one without it (DurabilityCheck).
        var options = string.Create(CultureInfo.InvariantCulture,
            $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c max_connections=50");
        await RunServerToolAsync("pg_ctl", ["-D", dataDirectory, "-o", options, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "start"]);
        IsRunning = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (binDirectory is null)
        {
            return;
        }

        if (IsRunning)
        {
            await RunServerToolAsync("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"]);
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is not worth failing the run for.
        }
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => (Directory: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(d => File.Exists(Path.Combine(d.Directory, "initdb")) && File.Exists(Path.Combine(d.Directory, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Directory)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunServerToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(binDirectory!, tool);
        return RunsAsRoot ? RunAsync("runuser", ["-u", ServerUser, "--", path, .. arguments]) : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
