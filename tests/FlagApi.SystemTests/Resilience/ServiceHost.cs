using System.Net;
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
    private readonly string adminKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly List<string> earlierOutput = [];
    private int starts;

    private ServiceHost(ServiceDatabase database, IReadOnlyDictionary<string, string> extra)
    {
        this.database = database;
        var all = new Dictionary<string, string>(database.ServiceSettings)
        {
            ["Database__MigrateOnStart"] = "true",
            ["Database__RetryAfterSeconds"] = "4",
            ["Bootstrap__AdminKey"] = adminKey,
            ["RateLimiting__Enabled"] = "false",
        };
        foreach (var (name, value) in extra)
        {
            all[name] = value;
        }

        settings = all;
    }

    public ServiceProcess Process { get; private set; } = null!;

    public ServiceDatabase Database => database;

    /// <summary>The configuration the service runs with, as environment variables, for a command run beside it.</summary>
    public IReadOnlyDictionary<string, string> Settings => settings;

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
