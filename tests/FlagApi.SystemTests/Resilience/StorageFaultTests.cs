using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlagApi.Problems;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;
using Npgsql;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// SQLite: the database files are made immutable (<c>chattr +i</c>), which the kernel enforces on every write, even to a
/// descriptor opened before and even for root, as a file system remounted read-only after an error does; the disk is a
/// small tmpfs filled to the last byte.
/// </summary>
[Collection(nameof(ProcessKills))]
public sealed class StorageFaultsOnSqlite : StorageFaultTests
{
    private SmallFileSystem? disk;

    private protected override Task<ServiceDatabase> CreateDatabaseAsync(bool onSmallDisk)
    {
        if (onSmallDisk)
        {
            disk = SmallFileSystem.Mount(megabytes: 24);
        }

        return Task.FromResult<ServiceDatabase>(new SqliteServiceDatabase(disk?.Path));
    }

    private protected override Task MakeReadOnlyAsync(ServiceDatabase database) => Chattr(database, "+i");

    private protected override Task MakeWritableAsync(ServiceDatabase database) => Chattr(database, "-i");

    private protected override void FillDisk() => disk!.Fill();

    private protected override void MakeRoom() => disk!.MakeRoom();

    private protected override string[] OutageReasons => ["): SQLite "];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        disk?.Dispose();
    }

    private static Task Chattr(ServiceDatabase database, string flag)
    {
        var sqlite = (SqliteServiceDatabase)database;
        return LinuxOnly.ChattrAsync(flag, sqlite.FilePath, sqlite.WalPath);
    }
}

/// <summary>
/// PostgreSQL, on a cluster of the test's own: read-only as an operator makes it for maintenance or before a failover
/// (<c>default_transaction_read_only</c> for the whole cluster, reloaded into every open session); a full disk is the
/// database's tablespace on a small tmpfs filled to the last byte, so extending a table fails with 53100 (the server's own
/// WAL stays on its data disk: a full WAL disk stops the server, which the restart tests cover).
/// </summary>
[Collection(nameof(ProcessKills))]
public sealed class StorageFaultsOnPostgres(OwnPostgresCluster cluster) : StorageFaultTests, IClassFixture<OwnPostgresCluster>
{
    private SmallFileSystem? disk;
    private string? tablespace;

    private protected override string[] OutageReasons => ["PostgreSQL 25006:", "PostgreSQL 53100:"];

    private protected override async Task<ServiceDatabase> CreateDatabaseAsync(bool onSmallDisk)
    {
        cluster.SkipUnlessAvailable();
        if (!onSmallDisk)
        {
            return PostgresServiceDatabase.On(await cluster.CreateDatabaseAsync());
        }

        disk = SmallFileSystem.Mount(megabytes: 48, owner: "postgres");
        var name = "flagapi_full_" + Guid.NewGuid().ToString("N");
        tablespace = name + "_space";
        await ExecuteAsync($"CREATE TABLESPACE \"{tablespace}\" LOCATION '{disk.Path}'");
        await ExecuteAsync($"CREATE DATABASE \"{name}\" TABLESPACE \"{tablespace}\"");
        return PostgresServiceDatabase.On(new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = name, Timeout = 5, CommandTimeout = 30 }.ConnectionString);
    }

    private protected override Task MakeReadOnlyAsync(ServiceDatabase database) =>
        ExecuteAsync("ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()");

    private protected override Task MakeWritableAsync(ServiceDatabase database) =>
        ExecuteAsync("ALTER SYSTEM RESET default_transaction_read_only", "SELECT pg_reload_conf()");

    private protected override void FillDisk() => disk!.Fill();

    private protected override void MakeRoom() => disk!.MakeRoom();

    public override async ValueTask DisposeAsync()
    {
        var database = Database;
        await base.DisposeAsync();
        if (tablespace is not null && database is PostgresServiceDatabase postgres)
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(postgres.ConnectionString).Database}\" WITH (FORCE)", $"DROP TABLESPACE \"{tablespace}\"");
        }

        disk?.Dispose();
    }

    private async Task ExecuteAsync(params string[] statements)
    {
        await using var connection = new NpgsqlConnection(cluster.AdminConnectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>
/// A database that cannot take a write (read-only, or its disk full) answers every write with 503
/// <c>database_unavailable</c> and Retry-After, never a 500, while lookups go on from memory; once the fault is lifted
/// writes work again without a restart, and nothing stored before was lost or damaged.
/// </summary>
public abstract class StorageFaultTests : IAsyncDisposable
{
    private const string Flagged = "13800138000";
    private ServiceHost? host;

    [Fact]
    public async Task AReadOnlyDatabaseAnswersWritesWith503AndTakesThemAgainOnceWritableWithNothingLost()
    {
        host = await ServiceHost.StartAsync(await CreateDatabaseAsync(onSmallDisk: false));
        var database = host.Database;
        using var publisher = host.Client(host.PublisherKey);
        await host.ReadAsync(await Publish(publisher, "before", [Flagged]), HttpStatusCode.Created);
        var before = await database.CountsAsync();

        await MakeReadOnlyAsync(database);
        try
        {
            using var anonymous = host.Client();
            await AssertUnavailableAsync(await anonymous.PostAsJsonAsync("/v1/reports", Report("13900139001")));
            await AssertUnavailableAsync(await Publish(publisher, "during", Numbers("137", 100)));

            // Writes at once need more connections than were open before, so some are opened while the database is
            // read-only: they must not be the ones that take the writes after it is writable again.
            foreach (var response in await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Publish(publisher, $"during-{i}", Numbers("13" + i, 10)))))
            {
                await AssertUnavailableAsync(response);
            }

            Assert.Equal("flagged", await host.VerdictAsync(Flagged));
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
            Assert.Equal(before, await database.CountsAsync());
            AssertLoggedAsOutage();
        }
        finally
        {
            await MakeWritableAsync(database);
        }

        await AssertWritesResumeAsync(database, before, "during", Numbers("137", 100));
    }

    [Fact]
    public async Task AFullDiskAnswersWritesWith503AndTakesThemAgainOnceThereIsRoomWithNothingLost()
    {
        host = await ServiceHost.StartAsync(await CreateDatabaseAsync(onSmallDisk: true));
        var database = host.Database;
        using var publisher = host.Client(host.PublisherKey);
        await host.ReadAsync(await Publish(publisher, "before", [Flagged]), HttpStatusCode.Created);
        var big = Numbers("137", 20_000);

        // Opened before the disk fills: a new connection to a full disk can be refused for reasons of its own.
        await using var counting = await database.OpenAsync();
        var before = await ServiceDatabase.CountsAsync(counting);
        FillDisk();
        try
        {
            await AssertUnavailableAsync(await Publish(publisher, "during", big));
            Assert.Equal("flagged", await host.VerdictAsync(Flagged));
            Assert.Equal(before, await ServiceDatabase.CountsAsync(counting));
            AssertLoggedAsOutage();
        }
        finally
        {
            MakeRoom();
        }

        await AssertWritesResumeAsync(database, before, "during", big);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private protected ServiceDatabase? Database => host?.Database;

    /// <summary>What the service's outage warning names as the cause, one of which must appear (the fault, not a side effect).</summary>
    private protected abstract string[] OutageReasons { get; }

    private protected abstract Task<ServiceDatabase> CreateDatabaseAsync(bool onSmallDisk);

    private protected abstract Task MakeReadOnlyAsync(ServiceDatabase database);

    private protected abstract Task MakeWritableAsync(ServiceDatabase database);

    private protected abstract void FillDisk();

    private protected abstract void MakeRoom();

    private async Task AssertWritesResumeAsync(ServiceDatabase database, IReadOnlyDictionary<string, long> before, string reference, string[] numbers)
    {
        using var publisher = host!.Client(host.PublisherKey);
        using var anonymous = host.Client();
        var clock = Stopwatch.StartNew();
        HttpResponseMessage report;
        while ((report = await anonymous.PostAsJsonAsync("/v1/reports", Report("13900139002"))).StatusCode != HttpStatusCode.Accepted)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Writes did not resume within 10 s: {(int)report.StatusCode}\n{host.Describe()}");
            await Task.Delay(200);
        }

        var published = await host.ReadAsync(await Publish(publisher, reference, numbers), HttpStatusCode.Created);
        Assert.Equal(numbers.Length, published.GetProperty("added").GetInt32());
        Assert.Equal("flagged", await host.VerdictAsync(numbers[^1]));
        Assert.Equal("flagged", await host.VerdictAsync(Flagged));

        var after = await database.CountsAsync();
        Assert.Equal(before["lists"] + 1, after["lists"]);
        Assert.Equal(before["entries"] + numbers.Length, after["entries"]);
        Assert.Equal(before["list_state.version"] + numbers.Length, after["list_state.version"]);
        Assert.Equal(1, await database.ScalarAsync("SELECT COUNT(*) FROM reports"));
        await database.AssertConsistentAsync();
    }

    private async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"Expected 503, got {(int)response.StatusCode}: {body}\n{host!.Describe()}");
        await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, ProblemCodes.DatabaseUnavailable);
        Assert.Equal("4", response.Headers.GetValues("Retry-After").Single());
    }

    private void AssertLoggedAsOutage() => Assert.True(
        OutageReasons.Any(reason => host!.Process.Output.Contains(reason, StringComparison.Ordinal)),
        $"The service did not log the outage as one of {string.Join(", ", OutageReasons)}.\n{host!.Describe()}");

    private static string[] Numbers(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => "+86" + prefix + i.ToString("D8", CultureInfo.InvariantCulture))];

    private static Task<HttpResponseMessage> Publish(HttpClient publisher, string reference, string[] numbers)
    {
        var csv = new StringBuilder("kind,value,category,risk\n");
        foreach (var number in numbers)
        {
            csv.Append("phone,").Append(number).Append(",fake_customer_service,high\n");
        }

        return publisher.PostAsync($"/v1/batches?reference={reference}", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
    }

    private static object Report(string number) => new { kind = "phone", value = number, description = "Said they were from the bank." };
}
