using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Load;

/// <summary>
/// The built service in a process of its own over a fresh database, as operators run it, with an app key and a published
/// list of flagged phone numbers and domains for the load to look up, report and appeal; and a direct connection to its
/// database, to check afterwards what it says it wrote.
/// </summary>
internal sealed class LoadService : IAsyncDisposable
{
    public const int FlaggedPhones = 4000;
    public const int FlaggedDomains = 200;

    private readonly ServiceProcess process;
    private readonly ServiceDatabase database;
    private readonly PostgresTarget? postgres;

    private LoadService(ServiceProcess process, ServiceDatabase database, PostgresTarget? postgres)
    {
        this.process = process;
        this.database = database;
        this.postgres = postgres;
    }

    public DatabaseProvider Provider => database.Provider;

    public Uri Address => process.Address;

    public int ProcessId => process.ProcessId;

    public string AppKey { get; private set; } = "";

    /// <summary>Flagged phone number <paramref name="i"/> (0 ≤ i &lt; <see cref="FlaggedPhones"/>), as a user would type it.</summary>
    public static string FlaggedPhone(int i) => "139" + i.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>A phone number no list flags.</summary>
    public static string UnflaggedPhone(int i) => "137" + i.ToString("D8", CultureInfo.InvariantCulture);

    public static string FlaggedDomain(int i) => $"load-{i}.example.com";

    /// <summary>
    /// Starts the service with <paramref name="settings"/> (environment variables) over a new database of the target's
    /// provider, issues an app key and publishes the list; returns once a lookup sees the list.
    /// </summary>
    public static async Task<LoadService> StartAsync(DatabaseTarget target, IReadOnlyDictionary<string, string> settings)
    {
        var adminKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var postgres = target.Provider == DatabaseProvider.Postgres ? new PostgresTarget() : null;
        ServiceDatabase database = postgres is null ? new SqliteServiceDatabase() : await PostgresServiceDatabase.CreateAsync(postgres);
        var environment = new Dictionary<string, string>(database.ServiceSettings)
        {
            ["Database__MigrateOnStart"] = "true",
            ["Bootstrap__AdminKey"] = adminKey,

            // One line per request would make the log, not the service, the subject of the measurement.
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        var process = ServiceProcess.Start($"load service ({target.Provider})", environment);
        var service = new LoadService(process, database, postgres);
        try
        {
            await process.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            await service.PrepareAsync(adminKey);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string? key = null) => ServiceCalls.Client(Address, key, TimeSpan.FromSeconds(30));

    /// <summary>The resident set of the service's process (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{ProcessId}/status has no VmRSS line.");
    }

    /// <summary>Opens a connection straight to the service's database, beside the service.</summary>
    public Task<DbConnection> OpenDatabaseAsync() => database.OpenAsync();

    public static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public string Describe() => process.Describe();

    public async ValueTask DisposeAsync()
    {
        process.Dispose();
        await database.DisposeAsync();
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }

    private async Task PrepareAsync(string adminKey)
    {
        using var admin = Client(adminKey);
        AppKey = await CreateKeyAsync(admin, "app", agency: null);
        using var publisher = Client(await CreateKeyAsync(admin, "publisher", "Load test police"));

        var entries = Enumerable.Range(0, FlaggedPhones)
            .Select(i => new { kind = "phone", value = FlaggedPhone(i), category = "fake_customer_service", risk = "high" })
            .Concat(Enumerable.Range(0, FlaggedDomains).Select(i => new { kind = "domain", value = FlaggedDomain(i), category = "investment_romance", risk = "medium" }));
        var published = await publisher.PostAsJsonAsync("/v1/batches", new { reference = "load-1", title = "Load test list", entries });
        await ReadAsync(published, HttpStatusCode.Created);

        // The lookup index follows the change log (Lookup:PollInterval, 1 s).
        using var app = Client(AppKey);
        var last = FlaggedPhone(FlaggedPhones - 1);
        for (var attempt = 0; ; attempt++)
        {
            var lookup = await ReadAsync(await app.GetAsync($"/v1/lookup/phone?value={last}"), HttpStatusCode.OK);
            if (lookup.GetProperty("verdict").GetString() == "flagged")
            {
                return;
            }

            Assert.True(attempt < 100, $"The published list is not looked up after 10 s.\n{Describe()}");
            await Task.Delay(100);
        }
    }

    private async Task<string> CreateKeyAsync(HttpClient admin, string role, string? agency) =>
        (await ServiceCalls.CreateKeyAsync(admin, $"load {role}", role, agency, Describe)).GetProperty("key").GetString()!;

    private Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected) => ServiceCalls.ReadAsync(response, expected, Describe);
}
