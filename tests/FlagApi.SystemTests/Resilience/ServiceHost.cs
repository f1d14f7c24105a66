using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// The built service (<see cref="ServiceProcess"/>) over one database, with a publisher and a reviewer key, which a test
/// kills and starts again on the same database.
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    public const string Agency = "Faults police";

    private readonly ServiceDatabase database;
    private readonly IReadOnlyDictionary<string, string> settings;
    private readonly string adminKey;
    private readonly List<string> earlierOutput = [];
    private int starts;

    private ServiceHost(ServiceDatabase database, IReadOnlyDictionary<string, string> extra)
    {
        this.database = database;
        var all = new Dictionary<string, string>(database.ServiceSettings)
        {
            ["Database__MigrateOnStart"] = "true",
            ["Database__RetryAfterSeconds"] = "4",
            ["Bootstrap__AdminKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["RateLimiting__Enabled"] = "false",
        };
        foreach (var (name, value) in extra)
        {
            all[name] = value;
        }

        settings = all;
        adminKey = all["Bootstrap__AdminKey"];
    }

    public ServiceProcess Process { get; private set; } = null!;

    public ServiceDatabase Database => database;

    /// <summary>The bootstrap admin key the service was started with.</summary>
    public string AdminKey => adminKey;

    public string PublisherKey { get; private set; } = "";

    public string ReviewerKey { get; private set; } = "";

    public static async Task<ServiceHost> StartAsync(ServiceDatabase database, IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = new ServiceHost(database, settings ?? new Dictionary<string, string>());
        await host.StartProcessAsync();
        using var admin = host.Client(host.adminKey);
        host.PublisherKey = await host.CreateKeyAsync(admin, "publisher", Agency);
        host.ReviewerKey = await host.CreateKeyAsync(admin, "reviewer", null);
        return host;
    }

    /// <summary>
    /// A service on a restored copy of <paramref name="original"/>'s database, configured as the original was but for where
    /// its database is: the same bootstrap admin key (the copy holds its hash), and on PostgreSQL the same
    /// <c>Reports:HashKey</c>, as an operator restoring a deployment keeps its secrets. The publisher and reviewer keys are
    /// the original's, which the copy holds.
    /// </summary>
    public static async Task<ServiceHost> StartOnCopyAsync(ServiceHost original, ServiceDatabase copy)
    {
        string[] whereTheDatabaseIs = ["Database__DataDirectory", "ConnectionStrings__FlagApi"];
        var settings = original.settings.Where(s => !whereTheDatabaseIs.Contains(s.Key)).ToDictionary();
        var host = new ServiceHost(copy, settings) { PublisherKey = original.PublisherKey, ReviewerKey = original.ReviewerKey };
        await host.StartProcessAsync();
        return host;
    }

    /// <summary>A second instance of the service, with the same settings and database, as a deployment scales out.</summary>
    public async Task<ServiceProcess> StartAnotherInstanceAsync(string name)
    {
        var another = ServiceProcess.Start(name, settings);
        try
        {
            await another.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            return another;
        }
        catch
        {
            another.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command of the service (<c>backup PATH</c>) with this service's settings, beside the running service.</summary>
    [UnsupportedOSPlatform("windows")]
    public Task<(int Code, string Output)> RunCommandAsync(params string[] arguments) =>
        ServiceProcess.RunCommandAsync(settings, TimeSpan.FromMinutes(2), arguments);

    /// <summary>Starts the service again on the same database, after it was killed.</summary>
    public async Task RestartAsync()
    {
        Assert.True(Process.HasExited, "The service is still running.");
        earlierOutput.Add(Process.Describe());
        Process.Dispose();
        await StartProcessAsync();
    }

    public HttpClient Client(string? key = null) => ServiceCalls.Client(Process.Address, key, TimeSpan.FromMinutes(3));

    /// <summary>Every run's output, for an assertion message.</summary>
    public string Describe() => string.Join('\n', earlierOutput.Append(Process.Describe()));

    public Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected) => ServiceCalls.ReadAsync(response, expected, Describe);

    public async Task<string> VerdictAsync(string phone)
    {
        using var client = Client();
        var lookup = await ReadAsync(await client.GetAsync($"/v1/lookup/phone?value={Uri.EscapeDataString(phone)}"), HttpStatusCode.OK);
        return lookup.GetProperty("verdict").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Process?.Dispose();
        await database.DisposeAsync();
    }

    private async Task StartProcessAsync()
    {
        starts++;
        Process = ServiceProcess.Start($"service on {database.Provider}, start {starts}", settings);
        await Process.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
    }

    private async Task<string> CreateKeyAsync(HttpClient admin, string role, string? agency) =>
        (await ServiceCalls.CreateKeyAsync(admin, $"faults {role}", role, agency, Describe)).GetProperty("key").GetString()!;
}
