using System.Net.Http.Json;
using FlagApi.Data;
using FlagApi.Lists;
using FlagApi.Lookup;
using FlagApi.Tests.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace FlagApi.Tests.Infrastructure;

/// <summary>One application over its own database, as a test's client sees it.</summary>
public sealed class FlagApiFactory(DatabaseProvider provider, string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    /// <summary>How the API writes JSON: camelCase, enums as snake_case names.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions ApiJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower) },
    };

    public TestClock Clock { get; } = new();

    private readonly ResponseContract contract = new();


    public string ConnectionString => connectionString;

    /// <summary>Names this application's lines in the suite's log (<see cref="SuiteLogs"/>): the test that started it.</summary>
    public string LogSource { get; } = SuiteLogs.CurrentSource("app");

    /// <summary>More services for this test's application, such as a logger provider that captures what it logs; set before it starts.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    public static async Task<FlagApiFactory> CreateAsync(DatabaseTarget target, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var factory = new FlagApiFactory(target.Provider, await target.CreateDatabaseAsync(), settings);
        _ = factory.Server; // start now, so a failing start fails the test here
        return factory;
    }

    /// <summary>An application served by Kestrel on a free loopback port, for clients outside the process such as a browser.</summary>
    public static async Task<FlagApiFactory> CreateServedAsync(DatabaseTarget target, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var factory = new FlagApiFactory(target.Provider, await target.CreateDatabaseAsync(), settings);
        factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        return factory;
    }

    /// <summary>Where a served application listens, such as <c>http://127.0.0.1:40123</c>.</summary>
    public string BaseAddress =>
        Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", provider.ToString());
        builder.UseSetting("ConnectionStrings:FlagApi", connectionString);
        builder.UseSetting("Demo:Enabled", "false");

        // Every test starts on an empty database, and PostgreSQL's default is to leave migrating to the migrate command.
        builder.UseSetting("Database:MigrateOnStart", "true");
        builder.UseSetting("Lookup:PollInterval", "00:00:00.200");
        builder.UseSetting("Reports:PollInterval", "00:00:00.200");

        // Snapshots would land in the source tree's data folder; the tests of snapshots give a file of their own.
        builder.UseSetting("Lookup:SnapshotFile", "");
        builder.UseSetting("Lookup:PublishSnapshot", "false");

        // A fixed key, so the app does not write a generated one into the source tree's data folder.
        builder.UseSetting("Reports:HashKey", "test-report-hash-key-0123456789abcdef");
        if (settings?.Keys.Any(k => k.StartsWith("RateLimiting:", StringComparison.OrdinalIgnoreCase)) != true)
        {
            // Tests send more anonymous lookups than the shipped budget allows; tests of the limits configure their own.
            foreach (var tier in FlagApi.RateLimiting.RateLimitingOptions.RoleTiers)
            {
                foreach (var budget in new[] { "Lookup", "Write", "Appeal", "Report" })
                {
                    builder.UseSetting($"RateLimiting:Tiers:{tier}:{budget}:PermitLimit", "1000000");
                }
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        IReadOnlyCollection<string> secrets = settings?.GetValueOrDefault("Bootstrap:AdminKey") is { Length: > 0 } chosen ? [chosen] : [];
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturedLogs(line => SuiteLogs.Write(LogSource, line.Fields(), secrets))));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IStartupFilter, LoopbackPeer>();
            services.AddSingleton<IStartupFilter>(contract);
            if (provider == DatabaseProvider.Sqlite)
            {
                // Each query the application compiles is also translated by EF Core's SQL Server provider and its T-SQL parsed.
                services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(SqlServerQueryCheck.Instance);
            }

            TestServices?.Invoke(services);
        });
    }

    /// <summary>
    /// Stops the application, and fails the test if anything it logged holds personal data or a secret, or if it answered
    /// anything the OpenAPI document does not declare (<see cref="ResponseContract"/>), or if a query it ran would not
    /// translate into T-SQL that SQL Server's grammar accepts (<see cref="SqlServerQueryCheck"/>).
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SuiteLogs.AssertClean(LogSource, "The application");
        var sqlServerProblems = SqlServerQueryCheck.TakeProblems();
        Assert.True(sqlServerProblems.Count == 0,
            $"{sqlServerProblems.Count} queries would not work on SQL Server:\n{string.Join("\n\n", sqlServerProblems.Take(5))}");
        Assert.True(contract.Violations.Count == 0,
            $"{contract.Violations.Count} answers do not match openapi/v1.json:\n{string.Join("\n", contract.Violations.Take(10))}");
    }

    /// <summary>Publishes a list the way the import command does, then waits until lookups see it.</summary>
    public async Task<ImportOutcome> PublishAsync(
        string json, string agency = "Test police", string? reference = null, string? noticeReason = null, string? noticeContact = null)
    {
        ImportOutcome outcome;
        await using (var scope = Services.CreateAsyncScope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<ListImporter>();
            var content = ListFile.ReadJson(System.Text.Encoding.UTF8.GetBytes(json));
            outcome = await importer.ImportAsync(content, new ListSubmission(agency, reference, "Test list", "import", "test", NoticeReason: noticeReason, NoticeContact: noticeContact));
        }

        await Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
        return outcome;
    }

    /// <summary>Publishes rows given as (kind, value, category, risk).</summary>
    public Task<ImportOutcome> PublishAsync(params (string Kind, string Value, string Category, string Risk)[] rows) =>
        PublishAsync(System.Text.Json.JsonSerializer.Serialize(new
        {
            entries = rows.Select(r => new { kind = r.Kind, value = r.Value, category = r.Category, risk = r.Risk }),
        }));

    /// <summary>
    /// Clears an entry the way an approved appeal does in the store (under the list version lock: a new list version, the
    /// status, a removal in the change log), without an appeal, then waits until lookups see it.
    /// </summary>
    public async Task ClearEntryAsync(long? entryId = null)
    {
        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var state = provider switch
            {
                DatabaseProvider.Postgres => await db.ListState.FromSqlRaw("SELECT id, version FROM list_state WHERE id = 1 FOR UPDATE").SingleAsync(),
                DatabaseProvider.SqlServer => await db.ListState.FromSqlRaw("SELECT id, version FROM list_state WITH (UPDLOCK, HOLDLOCK) WHERE id = 1").SingleAsync(),
                _ => await db.ListState.SingleAsync(),
            };
            var entry = entryId is { } id ? await db.Entries.SingleAsync(e => e.Id == id) : await db.Entries.SingleAsync();
            state.Version++;
            entry.Status = Data.EntryStatus.Cleared;
            entry.Version = state.Version;
            db.ChangeLog.Add(new ChangeLogRow
            {
                Version = state.Version, EntryId = entry.Id, Op = ChangeOps.Remove, Kind = entry.Kind, Value = entry.Value,
                Category = entry.Category, Risk = entry.Risk, Status = entry.Status, At = Clock.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        await Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
    }

    /// <summary>Writes the index snapshot now, as the service does after a load and on its interval.</summary>
    public Task SaveSnapshotAsync() => Services.GetRequiredService<ListIndexFollower>().SaveSnapshotAsync();

    /// <summary>Issues a key the way an admin would and returns its secret.</summary>
    public async Task<string> CreateKeyAsync(string role, string? agency = null, string? name = null, string? tier = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var keys = scope.ServiceProvider.GetRequiredService<FlagApi.Keys.KeyService>();
        var created = await keys.CreateAsync(new FlagApi.Keys.CreateKeyRequest(name ?? $"test {role}", role, agency, tier), "test");
        return created.Key;
    }

    /// <summary>A client that sends <paramref name="key"/> as <c>X-Api-Key</c>.</summary>
    public HttpClient CreateClient(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public async Task<T> GetJsonAsync<T>(string url)
    {
        using var client = CreateClient();
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(ApiJson))!;
    }
}

/// <summary>TestServer requests have no peer address; a real server always has one, and rate limits partition by it.</summary>
internal sealed class LoopbackPeer : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress ??= System.Net.IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>A clock the test can move; everything time-dependent in the app reads it.</summary>
public sealed class TestClock : TimeProvider
{
    private DateTimeOffset now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
