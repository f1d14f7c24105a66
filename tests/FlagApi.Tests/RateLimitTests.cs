using System.Net;
using System.Net.Http.Json;
using FlagApi.Keys;
using FlagApi.RateLimiting;
using FlagApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests;

/// <summary>
/// SQLite only: the limiter keeps its state in memory and never touches the database. Budgets are
/// tiny and windows an hour long, so no permit comes back while a test runs.
/// </summary>
public sealed class RateLimitTests
{
    private const string Lookup = "/v1/lookup/phone?value=13800138000";

    private readonly SqliteTarget target = new();

    [Fact]
    public async Task AnonymousCallerOverItsLookupBudgetGetsA429WithRetryAfterAndRateLimitHeaders()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Budget("anonymous", "Lookup", 2));
        using var client = app.CreateClient();

        var first = await client.GetAsync(Lookup);
        var second = await client.GetAsync(Lookup);
        var refused = await client.GetAsync(Lookup);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"lookup\";q=2;w=3600", Header(first, "RateLimit-Policy"));
        Assert.Equal("\"lookup\";r=1;t=1800", Header(first, "RateLimit"));
        Assert.Equal("\"lookup\";r=0;t=1800", Header(second, "RateLimit"));

        var problem = await Problem.AssertAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Contains("lookup budget", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1800), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("\"lookup\";q=2;w=3600", Header(refused, "RateLimit-Policy"));
        Assert.Equal("\"lookup\";r=0;t=1800", Header(refused, "RateLimit"));
    }

    [Fact]
    public async Task ARefusedCallerGetsAPermitBackOnceTheRetryAfterHasPassed()
    {
        // The one test here with a short window: a permit every three seconds, long enough that the refusal below is not
        // undone by a stalled machine, short enough to wait for the permit to come back.
        var settings = Budget("anonymous", "Lookup", 1);
        settings["RateLimiting:Tiers:anonymous:Lookup:Window"] = "00:00:03";
        await using var app = await FlagApiFactory.CreateAsync(target, settings);
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Lookup)).StatusCode);

        var refused = await client.GetAsync(Lookup);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);

        // The partitioned limiter replenishes its buckets on its own timer: the permit is back after the Retry-After.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        HttpResponseMessage? again = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && again?.StatusCode != HttpStatusCode.OK)
        {
            again = await client.GetAsync(Lookup);
            if (again.StatusCode != HttpStatusCode.OK)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal(HttpStatusCode.OK, again?.StatusCode);
    }

    [Fact]
    public async Task AClientThatAcceptsOnlyTextIsStillRefusedWithA429AndItsHeaders()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Budget("anonymous", "Lookup", 1));
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/plain");
        await client.GetAsync(Lookup);

        var refused = await client.GetAsync(Lookup);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3600), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("\"lookup\";r=0;t=3600", Header(refused, "RateLimit"));
    }

    [Fact]
    public async Task ABadRequestStillSpendsThePermitAndSaysWhatIsLeft()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Budget("anonymous", "Lookup", 2));
        using var client = app.CreateClient();

        var bad = await client.GetAsync("/v1/lookup/planet?value=mars");

        await Problem.AssertAsync(bad, HttpStatusCode.BadRequest, "unknown_kind");
        Assert.Equal("\"lookup\";r=1;t=1800", Header(bad, "RateLimit"));
    }

    [Fact]
    public async Task AnAppellantWhoHasSpentTheAppealBudgetCanStillReadTheirAppeal()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Budget("anonymous", "Appeal", 1));
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        using var client = app.CreateClient();
        var filed = await client.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone", value = "13800138000", appellant = new { name = "Li", contact = "li@example.cn" }, statement = "My shop's number.",
        });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var created = await filed.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var code = created.GetProperty("trackingCode").GetString();

        for (var i = 0; i < 3; i++)
        {
            using var read = new HttpRequestMessage(HttpMethod.Get, "/v1/appeals/" + code);
            read.Headers.Add("X-Appeal-Token", created.GetProperty("accessToken").GetString());
            var response = await client.SendAsync(read);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("\"lookup\"", Header(response, "RateLimit-Policy"), StringComparison.Ordinal);
        }

        var second = await client.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone", value = "13800138000", appellant = new { name = "Li", contact = "other@example.cn" }, statement = "Again.",
        });
        await Problem.AssertAsync(second, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task ExhaustingTheLookupBudgetDoesNotBlockWrites()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Merge(Budget("admin", "Lookup", 1), Budget("admin", "Write", 1)));
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(Lookup)).StatusCode);
        await Problem.AssertAsync(await admin.GetAsync(Lookup), HttpStatusCode.TooManyRequests, "rate_limited");

        var write = await admin.PostAsJsonAsync("/v1/keys", new { name = "partner app", role = "app" });

        Assert.Equal(HttpStatusCode.Created, write.StatusCode);
        Assert.Equal("\"write\";q=1;w=3600", Header(write, "RateLimit-Policy"));
        Assert.Equal("\"write\";r=0;t=3600", Header(write, "RateLimit"));
    }

    [Fact]
    public async Task ExhaustingTheWriteBudgetDoesNotBlockLookups()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Merge(Budget("admin", "Lookup", 1), Budget("admin", "Write", 1)));
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/keys", new { name = "one", role = "app" })).StatusCode);
        await Problem.AssertAsync(
            await admin.PostAsJsonAsync("/v1/keys", new { name = "two", role = "app" }), HttpStatusCode.TooManyRequests, "rate_limited");

        var lookup = await admin.GetAsync(Lookup);

        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
        Assert.Equal("\"lookup\";r=0;t=3600", Header(lookup, "RateLimit"));
    }

    [Fact]
    public async Task RefusedKeyCreationCreatesNoKey()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Budget("admin", "Write", 1));
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin, name: "root"));

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/keys", new { name = "accepted", role = "app" })).StatusCode);
        var refused = await admin.PostAsJsonAsync("/v1/keys", new { name = "refused", role = "app" });

        await Problem.AssertAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        var keys = await admin.GetFromJsonAsync<KeyListResponse>("/v1/keys");
        Assert.Equal(["accepted", "root"], keys!.Keys.Select(k => k.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0/8")]
    public async Task AnonymousCallersBehindATrustedProxyEachHaveTheirOwnBudget(string proxy)
    {
        var settings = Merge(Budget("anonymous", "Lookup", 1), new() { ["RateLimiting:TrustedProxies:0"] = proxy });
        await using var app = await FlagApiFactory.CreateAsync(target, settings);
        using var alice = Forwarded(app, "203.0.113.7");
        using var bob = Forwarded(app, "198.51.100.20");

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync(Lookup)).StatusCode);
        await Problem.AssertAsync(await alice.GetAsync(Lookup), HttpStatusCode.TooManyRequests, "rate_limited");

        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync(Lookup)).StatusCode);
    }

    [Fact]
    public async Task ACallerCannotPickAnAddressByPrependingToTheForwardedChain()
    {
        var settings = Merge(Budget("anonymous", "Lookup", 1), new() { ["RateLimiting:TrustedProxies:0"] = "127.0.0.1" });
        await using var app = await FlagApiFactory.CreateAsync(target, settings);
        using var honest = Forwarded(app, "203.0.113.7");
        using var spoofing = Forwarded(app, "192.0.2.99, 203.0.113.7");

        Assert.Equal(HttpStatusCode.OK, (await honest.GetAsync(Lookup)).StatusCode);

        await Problem.AssertAsync(await spoofing.GetAsync(Lookup), HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("10.0.0.0/8")]
    public async Task ForwardedForFromAnUntrustedPeerIsIgnored(string? proxy)
    {
        var settings = Budget("anonymous", "Lookup", 1);
        if (proxy is not null)
        {
            settings["RateLimiting:TrustedProxies:0"] = proxy;
        }

        await using var app = await FlagApiFactory.CreateAsync(target, settings);
        using var alice = Forwarded(app, "203.0.113.7");
        using var bob = Forwarded(app, "198.51.100.20");

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync(Lookup)).StatusCode);

        // Both come from the test server's loopback peer, which is no trusted proxy: one budget.
        await Problem.AssertAsync(await bob.GetAsync(Lookup), HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task AFloodFromOneAddressDoesNotStarveAKeyedAppAtTheSameAddress()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Budget("anonymous", "Lookup", 3));
        using var anonymous = app.CreateClient();
        using var keyed = app.CreateClient(await app.CreateKeyAsync(Roles.App));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add((await anonymous.GetAsync(Lookup)).StatusCode);
        }

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(7, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        var response = await keyed.GetAsync(Lookup);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"lookup\";q=6000;w=60", Header(response, "RateLimit-Policy"));
    }

    [Fact]
    public async Task KeyWithItsOwnTierGetsThatTiersBudget()
    {
        var settings = Merge(Budget("partner", "Lookup", 1), Budget("app", "Lookup", 5));
        await using var app = await FlagApiFactory.CreateAsync(target, settings);
        using var partner = app.CreateClient(await app.CreateKeyAsync(Roles.App, tier: "partner"));
        using var plain = app.CreateClient(await app.CreateKeyAsync(Roles.App));

        var first = await partner.GetAsync(Lookup);
        var refused = await partner.GetAsync(Lookup);

        Assert.Equal("\"lookup\";q=1;w=3600", Header(first, "RateLimit-Policy"));
        var problem = await Problem.AssertAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Contains("tier 'partner'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(Lookup)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(Lookup)).StatusCode);
    }

    [Fact]
    public async Task KeyTierWithoutABudgetFallsBackToItsRolesBudgetForIt()
    {
        var settings = Merge(Budget("partner", "Lookup", 1), Budget("admin", "Write", 2));
        await using var app = await FlagApiFactory.CreateAsync(target, settings);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin, tier: "partner"));

        var write = await admin.PostAsJsonAsync("/v1/keys", new { name = "one", role = "app" });

        Assert.Equal(HttpStatusCode.Created, write.StatusCode);
        Assert.Equal("\"write\";q=2;w=3600", Header(write, "RateLimit-Policy"));
    }

    [Fact]
    public async Task DisabledRateLimitingNeverRefuses()
    {
        var settings = Merge(Budget("anonymous", "Lookup", 1), new() { ["RateLimiting:Enabled"] = "false" });
        await using var app = await FlagApiFactory.CreateAsync(target, settings);
        using var client = app.CreateClient();

        for (var i = 0; i < 20; i++)
        {
            var response = await client.GetAsync(Lookup);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("RateLimit"));
        }
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/swagger/index.html")]
    public async Task HealthAndTheApiDocumentsAreNeverLimited(string path)
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Budget("anonymous", "Lookup", 1));
        using var client = app.CreateClient();
        await client.GetAsync(Lookup);
        await Problem.AssertAsync(await client.GetAsync(Lookup), HttpStatusCode.TooManyRequests, "rate_limited");

        for (var i = 0; i < 5; i++)
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("RateLimit"));
        }
    }

    [Fact]
    public async Task ShippedDefaultsGiveAnonymousCallersSixtyLookupsAMinute()
    {
        // Any RateLimiting setting turns off the test factory's generous limits: this one leaves appsettings.json in charge.
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["RateLimiting:Enabled"] = "true" });
        using var client = app.CreateClient();
        using var keyed = app.CreateClient(await app.CreateKeyAsync(Roles.App));

        var anonymous = await client.GetAsync(Lookup);
        var app1 = await keyed.GetAsync(Lookup);

        Assert.Equal("\"lookup\";q=60;w=60", Header(anonymous, "RateLimit-Policy"));
        Assert.Equal("\"lookup\";r=59;t=1", Header(anonymous, "RateLimit"));
        Assert.Equal("\"lookup\";q=6000;w=60", Header(app1, "RateLimit-Policy"));
        var options = app.Services.GetRequiredService<IOptions<RateLimitingOptions>>().Value;
        Assert.True(options.Enabled);
        Assert.Empty(options.TrustedProxies);
        Assert.Equal(RateLimitingOptions.RoleTiers.Order(), options.Tiers.Keys.Order());
    }

    [Fact]
    public async Task EveryV1EndpointDeclaresARateLimitBudget()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        var unlimited = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<RateLimitBudget>() is null)
            .Select(e => e.DisplayName)
            .ToList();

        Assert.True(unlimited.Count == 0, "Call .WithRateLimitBudget(...) on: " + string.Join(", ", unlimited));
    }

    [Fact]
    public async Task WithRedisUnreachableFromTheStartTheServiceIsReadyAndLimitsEachCallerOnItsOwn()
    {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        await using var app = await FlagApiFactory.CreateAsync(target, Merge(
            Budget("anonymous", "Lookup", 2), new() { ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=200" }));
        using var client = app.CreateClient();

        var ready = await client.GetAsync("/health/ready");
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await client.GetAsync(Lookup));
        }

        Assert.NotNull(app.Services.GetService<SharedRateLimiter>());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Select(a => a.StatusCode));
        Assert.Equal("\"lookup\";r=1;t=1800", Header(answers[0], "RateLimit"));
        await Problem.AssertAsync(answers[2], HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(TimeSpan.FromSeconds(1800), answers[2].Headers.RetryAfter?.Delta);
    }

    [Theory]
    [InlineData("RateLimiting:TrustedProxies:0", "10.0.0.0/40", "'10.0.0.0/40' is neither")]
    [InlineData("RateLimiting:TrustedProxies:0", "proxy.internal", "'proxy.internal' is neither")]
    [InlineData("RateLimiting:Tiers:anonymous:Lookup:PermitLimit", "0", "RateLimiting:Tiers:anonymous:Lookup:PermitLimit must be")]
    [InlineData("RateLimiting:Tiers:app:Write:Window", "00:00:00.500", "RateLimiting:Tiers:app:Write:Window must be")]
    [InlineData("RateLimiting:Tiers:anonymous:Report:PermitLimit", "0", "RateLimiting:Tiers:anonymous:Report:PermitLimit must be")]
    [InlineData("RateLimiting:Tiers:partner:Appeal:PermitLimit", "5", "RateLimiting:Tiers:partner:Appeal:Window must be")]
    [InlineData("RateLimiting:RedisTimeout", "00:00:00", "RateLimiting:RedisTimeout must be")]
    [InlineData("RateLimiting:RedisTimeout", "00:00:05", "RateLimiting:RedisTimeout must be")]
    [InlineData("RateLimiting:RedisRetryInterval", "00:00:00.500", "RateLimiting:RedisRetryInterval must be")]
    public async Task InvalidRateLimitSettingsStopTheStart(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(
            () => FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(message, failure.ToString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Budget(string tier, string budget, int permits) => new()
    {
        [$"RateLimiting:Tiers:{tier}:{budget}:PermitLimit"] = permits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"RateLimiting:Tiers:{tier}:{budget}:Window"] = "01:00:00",
    };

    private static Dictionary<string, string?> Merge(params Dictionary<string, string?>[] parts) =>
        parts.SelectMany(p => p).ToDictionary(p => p.Key, p => p.Value);

    private static HttpClient Forwarded(FlagApiFactory app, string forwardedFor)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
