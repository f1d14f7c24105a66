using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using FlagApi.Tests.Infrastructure;
using Npgsql;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// A new instance of a scaled-out deployment, two processes of the built service over one PostgreSQL database: the
/// running one publishes its index snapshot to the database, and the new one, started with an empty data folder,
/// loads that snapshot instead of every entry, and answers what the first one published since.
/// </summary>
public sealed class NewInstanceTests(PostgresTarget database) : IClassFixture<PostgresTarget>, IDisposable
{
    private readonly List<ServiceProcess> processes = [];
    private readonly List<string> folders = [];

    public void Dispose()
    {
        foreach (var process in processes)
        {
            process.Dispose();
        }

        foreach (var folder in folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AnInstanceWithAnEmptyDataFolderLoadsTheSnapshotTheRunningInstancePublished()
    {
        PostgresTarget.SkipUnlessConfigured();
        var connectionString = await database.CreateDatabaseAsync();
        var adminKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var settings = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__FlagApi"] = connectionString,
            ["Database__MigrateOnStart"] = "true",
            ["Bootstrap__AdminKey"] = adminKey,
            ["Reports__HashKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["Lookup__SnapshotInterval"] = "00:00:01",
        };

        var first = await StartAsync("first", settings);
        using var admin = ServiceCalls.Client(first.Address, adminKey, TimeSpan.FromSeconds(30));
        var key = await ServiceCalls.CreateKeyAsync(admin, "new instance publisher", "publisher", "New instance police", Describe);
        using var publisher = ServiceCalls.Client(first.Address, key.GetProperty("key").GetString(), TimeSpan.FromSeconds(30));
        await PublishAsync(publisher, "13800138001", "before");
        await WaitForPublishedSnapshotAsync(connectionString);
        await PublishAsync(publisher, "13800138002", "after");

        var empty = Folder();
        var second = await StartAsync("second", new Dictionary<string, string>(settings) { ["Database__DataDirectory"] = empty });

        Assert.True(second.Output.Contains("from the snapshot published to the database", StringComparison.Ordinal), Describe());
        using var client = ServiceCalls.Client(second.Address, null, TimeSpan.FromSeconds(30));
        foreach (var phone in new[] { "13800138001", "13800138002" })
        {
            var answer = await ServiceCalls.ReadAsync(await client.GetAsync($"/v1/lookup/phone?value={phone}"), HttpStatusCode.OK, Describe);
            Assert.True(answer.GetProperty("verdict").GetString() == "flagged", $"{phone}: {answer}\n{Describe()}");
        }

        Assert.True(File.Exists(Path.Combine(empty, "index.snapshot")), Describe());
    }

    private async Task<ServiceProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>(settings);
        environment.TryAdd("Database__DataDirectory", Folder());
        var process = ServiceProcess.Start(name, environment);
        processes.Add(process);
        await process.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        return process;
    }

    private async Task PublishAsync(HttpClient publisher, string phone, string reference)
    {
        var response = await publisher.PostAsJsonAsync("/v1/batches", new
        {
            reference,
            title = "New instance",
            entries = new[] { new { kind = "phone", value = phone, category = "impersonating_authorities", risk = "high" } },
        });
        await ServiceCalls.ReadAsync(response, HttpStatusCode.Created, Describe);
    }

    /// <summary>The first instance saves its snapshot within a second of the list and then publishes it.</summary>
    private async Task WaitForPublishedSnapshotAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM index_snapshots WHERE completed_at_ticks IS NOT NULL", connection);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"No index snapshot was published within 30 s.\n{Describe()}");
            await Task.Delay(100);
        }
    }

    private string Folder()
    {
        var folder = Directory.CreateTempSubdirectory("flagapi-new-instance-").FullName;
        folders.Add(folder);
        return folder;
    }

    private string Describe() => string.Join('\n', processes.Select(p => p.Describe()));
}
