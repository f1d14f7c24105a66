using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FlagApi.Data;
using FlagApi.Observability;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests.Observability;

public abstract partial class MetricsTests(DatabaseTarget target)
{
    private static readonly Dictionary<string, string?> Enabled = new() { ["Metrics:Enabled"] = "true" };

    [Fact]
    public async Task MetricsAreNotServedUnlessEnabled()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        await Problem.AssertAsync(await client.GetAsync("/metrics"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task LookupsAreCountedByKindAndVerdictWithEachBatchItemCountedOnce()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Enabled);
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"), ("phone", "13800138001", "other", "low"));
        await app.ClearEntryAsync(await EntryIdAsync(app, "+8613800138001"));
        using var client = app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync("/v1/lookup/phone?value=13800138000");
        }

        await client.GetAsync("/v1/lookup/phone?value=13800138001");
        await client.GetAsync("/v1/lookup/phone?value=13900139000");
        await client.GetAsync("/v1/lookup/phone?value=call%20me");
        await client.GetAsync("/v1/lookup/telegram?value=x");
        var batch = await client.PostAsJsonAsync("/v1/lookup", new
        {
            items = new[]
            {
                new { kind = "phone", value = "+86 138 0013 8000" },
                new { kind = "phone", value = "13800138000" },
                new { kind = "domain", value = "example.org" },
                new { kind = "phone", value = "abc" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);

        var metrics = await ScrapeAsync(app);
        Assert.Equal(5, metrics.Value("flagapi_lookups_total", ("kind", "phone"), ("verdict", "flagged")));
        Assert.Equal(1, metrics.Value("flagapi_lookups_total", ("kind", "phone"), ("verdict", "cleared")));
        Assert.Equal(1, metrics.Value("flagapi_lookups_total", ("kind", "phone"), ("verdict", "clear")));
        Assert.Equal(1, metrics.Value("flagapi_lookups_total", ("kind", "domain"), ("verdict", "clear")));
        Assert.Equal(2, metrics.Value("flagapi_lookups_total", ("kind", "phone"), ("verdict", "invalid")));
        Assert.Equal(1, metrics.Value("flagapi_lookups_total", ("kind", "unknown"), ("verdict", "invalid")));
        Assert.Contains("# TYPE flagapi_lookups_total counter", metrics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListGaugesShowEntriesByKindAndTheVersionServed()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Enabled);
        await app.PublishAsync(("phone", "13800138000", "other", "high"), ("phone", "13800138001", "other", "high"), ("url", "evil.example/pay/", "other", "high"));
        await RefreshAsync(app);

        var metrics = await ScrapeAsync(app);
        var version = await ListVersionAsync(app);
        Assert.Equal(2, metrics.Value("flagapi_list_entries", ("kind", "phone")));
        Assert.Equal(1, metrics.Value("flagapi_list_entries", ("kind", "url")));
        Assert.Equal(0, metrics.Value("flagapi_list_entries", ("kind", "account")));
        Assert.Equal((double)version, metrics.Value("flagapi_list_version"));
        Assert.Equal(0, metrics.Value("flagapi_list_version_lag"));
    }

    [Fact]
    public async Task VersionLagCountsVersionsInTheDatabaseThatTheIndexHasNotApplied()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Enabled);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));

        // A version the change log does not explain: the index cannot apply it, as when its follower is stuck.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var state = await db.ListState.SingleAsync();
            state.Version += 3;
            await db.SaveChangesAsync();
        }

        await RefreshAsync(app);

        Assert.Equal(3, (await ScrapeAsync(app)).Value("flagapi_list_version_lag"));
    }

    [Fact]
    public async Task RateLimitRefusalsAreCountedByBudgetAndTierAndScrapesAreNeverLimited()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?>
        {
            ["Metrics:Enabled"] = "true",
            ["RateLimiting:Tiers:anonymous:Lookup:PermitLimit"] = "2",
            ["RateLimiting:Tiers:anonymous:Lookup:Window"] = "01:00:00",
        });
        using var client = app.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add((await client.GetAsync("/v1/lookup/phone?value=13800138000")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
        for (var i = 0; i < 5; i++)
        {
            await ScrapeAsync(app);
        }

        var metrics = await ScrapeAsync(app);
        Assert.Equal(2, metrics.Value("flagapi_ratelimit_refusals_total", ("budget", "lookup"), ("tier", "anonymous")));
    }

    [Fact]
    public async Task AppealGaugesCountOpenAppealsByStatusAndThosePastTheirDueTime()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Enabled);
        await app.PublishAsync(("phone", "13800138000", "other", "high"), ("phone", "13800138001", "other", "high"), ("phone", "13800138002", "other", "high"));
        await AppealApi.FileAsync(app, "13800138000");
        await AppealApi.FileAsync(app, "13800138001");
        await RefreshAsync(app);

        var before = await ScrapeAsync(app);
        Assert.Equal(2, before.Value("flagapi_appeals_open", ("status", "submitted")));
        Assert.Equal(0, before.Value("flagapi_appeals_open", ("status", "in_review")));
        Assert.Equal(0, before.Value("flagapi_appeals_overdue"));

        app.Clock.Advance(TimeSpan.FromHours(73));
        await AppealApi.FileAsync(app, "13800138002");

        // The gauges hold what the last refresh read, not what a scrape would query.
        Assert.Equal(0, (await ScrapeAsync(app)).Value("flagapi_appeals_overdue"));
        await RefreshAsync(app);

        var after = await ScrapeAsync(app);
        Assert.Equal(3, after.Value("flagapi_appeals_open", ("status", "submitted")));
        Assert.Equal(2, after.Value("flagapi_appeals_overdue"));
    }

    [Fact]
    public async Task ScrapeFromAnAddressOutsideTheAllowedNetworksIsRefused()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?>
        {
            ["Metrics:Enabled"] = "true",
            ["Metrics:AllowedNetworks:0"] = "10.0.0.0/8",
            ["Metrics:AllowedNetworks:1"] = "192.168.0.0/16",
        });
        using var client = app.CreateClient();

        await Problem.AssertAsync(await client.GetAsync("/metrics"), HttpStatusCode.Forbidden, "metrics_forbidden");
    }

    [Fact]
    public async Task ForwardedForNeitherGrantsNorTakesAwayAccess()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?>
        {
            ["Metrics:Enabled"] = "true",
            ["Metrics:AllowedNetworks:0"] = "10.0.0.0/8",
            ["Metrics:AllowedNetworks:1"] = "10.0.0.0/8",
            ["RateLimiting:TrustedProxies:0"] = "127.0.0.1",
        });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "10.1.2.3");

        await Problem.AssertAsync(await client.GetAsync("/metrics"), HttpStatusCode.Forbidden, "metrics_forbidden");

        await using var loopbackOnly = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?>
        {
            ["Metrics:Enabled"] = "true",
            ["RateLimiting:TrustedProxies:0"] = "127.0.0.1",
        });
        using var behindProxy = loopbackOnly.CreateClient();
        behindProxy.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");

        Assert.Equal(HttpStatusCode.OK, (await behindProxy.GetAsync("/metrics")).StatusCode);
    }

    [Theory]
    [InlineData("10.0.0.1/33")]
    [InlineData("10.1.2.3/8")]
    [InlineData("localhost")]
    public async Task AnAllowedNetworkThatIsNotANetworkStopsTheStart(string network)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => FlagApiFactory.CreateAsync(target, new Dictionary<string, string?>
        {
            ["Metrics:AllowedNetworks:0"] = network,
        }));

        Assert.Contains($"Metrics:AllowedNetworks: '{network}' is neither an IP address nor a network in CIDR notation", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpositionIsPrometheusTextFormat004()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Enabled);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        using var client = app.CreateClient();
        await client.GetAsync("/v1/lookup/phone?value=13800138000");
        await client.GetAsync("/v1/lookup/phone?value=x");
        await RefreshAsync(app);

        var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var typed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                continue;
            }

            if (TypeLine().Match(line) is { Success: true } type)
            {
                Assert.True(typed.TryAdd(type.Groups["name"].Value, type.Groups["type"].Value), $"The family is declared twice: {line}");
                continue;
            }

            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"Not a sample line: {line}");
            var name = sample.Groups["name"].Value;
            var family = typed.Keys.SingleOrDefault(f => name == f || (typed[f] == "histogram" && name is var n && (n == f + "_bucket" || n == f + "_sum" || n == f + "_count")));
            Assert.True(family is not null, $"A sample before its # TYPE line: {line}");
        }

        Assert.Equal("gauge", typed["flagapi_list_entries"]);
        Assert.Equal("counter", typed["flagapi_lookups_total"]);
        Assert.Equal("histogram", typed["http_server_request_duration_seconds"]);
    }

    [Fact]
    public async Task MetricsEndpointIsNotInTheOpenApiDocument()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Enabled);
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        Assert.DoesNotContain("/metrics", await client.GetStringAsync("/openapi/v1.json"), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*")*)?)\})? (NaN|[+-]Inf|[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"[a-zA-Z_][a-zA-Z0-9_]*=""(\\[\\""n]|[^""\\\n])*""")]
    private static partial Regex LabelPair();

    private static Task RefreshAsync(FlagApiFactory app) => app.Services.GetRequiredService<DatabaseFiguresRefresher>().RefreshAsync();

    private static async Task<Exposition> ScrapeAsync(FlagApiFactory app)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return new Exposition(text);
    }

    private static async Task<long> ListVersionAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlagDbContext>().ListState.Select(s => s.Version).SingleAsync();
    }

    private static async Task<long> EntryIdAsync(FlagApiFactory app, string value)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Entries.Where(e => e.Value == value).Select(e => e.Id).SingleAsync();
    }

    /// <summary>A scrape's samples, found by name and labels.</summary>
    private sealed record Exposition(string Text)
    {
        public double Value(string name, params (string Name, string Value)[] labels)
        {
            // A series without labels may be written with empty braces (name{} 1), as OpenTelemetry's exporter writes it.
            var wanted = name + "{" + string.Join(",", labels.OrderBy(l => l.Name, StringComparer.Ordinal).Select(l => $"{l.Name}=\"{l.Value}\"")) + "}";
            var lines = Text.Split('\n').Where(l => Series(l) == wanted).ToList();
            Assert.True(lines.Count == 1, $"{lines.Count} samples of {wanted} in:\n{Text}");
            var line = lines[0];
            return double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
        }

        /// <summary>The series a sample line is of, with its labels sorted by name: <c>name{a="1",b="2"}</c>.</summary>
        private static string Series(string line)
        {
            var sample = SampleLine().Match(line);
            if (!sample.Success || line.StartsWith('#'))
            {
                return string.Empty;
            }

            var labels = LabelPair().Matches(sample.Groups["labels"].Value).Select(m => m.Value).Order(StringComparer.Ordinal);
            return sample.Groups["name"].Value + "{" + string.Join(",", labels) + "}";
        }
    }
}
