using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Keys;
using FlagApi.Observability;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests.Observability;

public abstract class LogTests(DatabaseTarget target)
{
    private const string Requests = "FlagApi.Requests";

    private static readonly Dictionary<string, string?> EveryRead = new() { ["RequestLog:SampleRate"] = "1" };

    [Fact]
    public async Task LogsOfLookupsAppealsReportsAndKeysHoldNoIdentifierContactKeyOrToken()
    {
        // Every read sampled, so that every request's line is checked.
        var logs = new CapturedLogs();
        await using var app = await StartAsync(logs, EveryRead);
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"), ("account", "wechat:wxid_shop_owner", "task_brushing", "medium"));
        var adminKey = await app.CreateKeyAsync(Roles.Admin);
        using var anonymous = app.CreateClient();
        using var admin = app.CreateClient(adminKey);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/lookup/phone?value=%2B86%20138-0013-8000")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/lookup/account?value=wechat:wxid_shop_owner")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync("/v1/lookup/phone?value=13800138000x")).StatusCode);
        var batch = await anonymous.PostAsJsonAsync("/v1/lookup", new { items = new[] { new { kind = "phone", value = "13800138000" }, new { kind = "account", value = "wechat:wxid_shop_owner" } } });
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);

        var appeal = await AppealApi.FileAsync(app, "13800138000", contact: "13900139000", name: "王秀英");
        using (var track = new HttpRequestMessage(HttpMethod.Get, $"/v1/appeals/{appeal.Code}"))
        {
            track.Headers.Add("X-Appeal-Token", appeal.Token);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(track)).StatusCode);
        }

        var report = await anonymous.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "13700137000", description = "Said he was from the bank" });
        Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);

        var created = await admin.PostAsJsonAsync("/v1/keys", new { name = "dialer app", role = "app" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var newKey = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;

        string[] secrets = ["13800138000", "wxid_shop_owner", "13900139000", "王秀英", "13700137000", appeal.Code, appeal.Token, adminKey, newKey];
        var lines = logs.Lines;
        Assert.True(lines.Any(l => l.Category == Requests && l.Message.StartsWith("GET /v1/appeals/{", StringComparison.Ordinal) && l.State["StatusCode"] == "200"), string.Join("\n", lines.Where(l => l.Category == Requests).Select(l => l.Message)));
        foreach (var line in lines)
        {
            var text = line.AllText();
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"A log line holds '{secret}': {text}");
            }
        }
    }

    [Fact]
    public async Task EachRequestIsOneLineWithItsRouteTemplateStatusAndCallerKeyId()
    {
        var logs = new CapturedLogs();
        await using var app = await StartAsync(logs, EveryRead);
        var key = await app.CreateKeyAsync(Roles.App);
        var keyId = await KeyIdAsync(app, key);
        using var client = app.CreateClient(key);

        await client.GetAsync("/v1/lookup/phone?value=13800138000");

        var line = Assert.Single(logs.Lines, l => l.Category == Requests && l.State["Route"] == "/v1/lookup/{kind}");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("GET", line.State["Method"]);
        Assert.Equal("/v1/lookup/{kind}", line.State["Route"]);
        Assert.Equal("200", line.State["StatusCode"]);
        Assert.Equal(keyId, line.State["KeyId"]);
        Assert.Equal(Roles.App, line.State["Role"]);
        Assert.Equal("sample", line.State["LoggedAs"]);
        Assert.Equal("LookupOne", line.Scope("Endpoint"));
        Assert.True(double.Parse(line.State["ElapsedMs"]!, System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.DoesNotContain(key, line.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinesOfARequestCarryTheRequestIdItsProblemDetailsQuote()
    {
        var logs = new CapturedLogs();
        await using var app = await StartAsync(logs);
        using var client = app.CreateClient();

        var problem = await Problem.AssertAsync(await client.GetAsync("/v1/lookup/telegram?value=x"), HttpStatusCode.BadRequest, "unknown_kind");
        var traceId = problem.GetProperty("traceId").GetString();
        var report = await client.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "13700137000", description = "Fake bank" });
        Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);

        Assert.False(string.IsNullOrEmpty(traceId));
        var refused = Assert.Single(logs.Lines, l => l.Category == Requests && l.Scope("RequestId") == traceId);
        Assert.Equal("400", refused.State["StatusCode"]);
        Assert.Equal("LookupOne", refused.Scope("Endpoint"));

        // A line the handler itself writes shares the id of the request line.
        var received = Assert.Single(logs.Lines, l => l.Category.EndsWith("ReportSubmissionService", StringComparison.Ordinal));
        var reported = Assert.Single(logs.Lines, l => l.Category == Requests && l.State["Route"] == "/v1/reports/");
        Assert.NotNull(received.Scope("RequestId"));
        Assert.Equal(reported.Scope("RequestId"), received.Scope("RequestId"));
        Assert.Equal("SubmitReport", received.Scope("Endpoint"));
        Assert.NotEqual(traceId, received.Scope("RequestId"));
    }

    [Fact]
    public async Task TheCallersTraceIdFromItsTraceparentIsTheProblemsTraceIdAndTheLinesRequestId()
    {
        var logs = new CapturedLogs();
        await using var app = await StartAsync(logs);
        using var client = app.CreateClient();
        const string callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/lookup/telegram?value=x");
        request.Headers.Add("traceparent", $"00-{callerTrace}-00f067aa0ba902b7-01");

        var problem = await Problem.AssertAsync(await client.SendAsync(request), HttpStatusCode.BadRequest, "unknown_kind");

        Assert.Equal(callerTrace, problem.GetProperty("traceId").GetString());
        var line = Assert.Single(logs.Lines, l => l.Category == Requests);
        Assert.Equal(callerTrace, line.Scope("RequestId"));

        // Without a traceparent the service starts a trace of its own, quoted the same way: 32 lowercase hex digits.
        var own = await Problem.AssertAsync(await client.GetAsync("/v1/lookup/telegram?value=x"), HttpStatusCode.BadRequest, "unknown_kind");
        Assert.Matches("^[0-9a-f]{32}$", own.GetProperty("traceId").GetString());
        Assert.NotEqual(callerTrace, own.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task AnUnmatchedPathIsLoggedWithoutThePath()
    {
        var logs = new CapturedLogs();
        await using var app = await StartAsync(logs);
        using var client = app.CreateClient();

        await client.GetAsync("/v2/lookup/phone/13800138000");

        var line = Assert.Single(logs.Lines, l => l.Category == Requests);
        Assert.Equal("404", line.State["StatusCode"]);
        Assert.Equal("(no route)", line.State["Route"]);
        Assert.DoesNotContain("13800138000", line.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShippedSettingsLogWritesRefusalsAndSlowReadsButNotEveryRead()
    {
        var options = new ServiceCollection().AddOptions<RequestLogOptions>()
            .Bind(new ConfigurationBuilder().AddJsonFile(FlagApi.Tests.Deployment.RepositoryFiles.PathOf("src", "FlagApi", "appsettings.json")).Build().GetSection(RequestLogOptions.Section))
            .Services.BuildServiceProvider().GetRequiredService<IOptions<RequestLogOptions>>().Value;
        Assert.Equal((TimeSpan.FromMilliseconds(500), 0.001), (options.SlowThreshold, options.SampleRate));

        // No sample and no read slow enough (a busy machine's first request can take half a second): what is left is what is always logged.
        var logs = new CapturedLogs();
        await using var app = await StartAsync(logs, new Dictionary<string, string?> { ["RequestLog:SampleRate"] = "0", ["RequestLog:SlowThreshold"] = "00:01:00" });
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"));
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/lookup/phone?value=13800138000")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/lookup", new { items = new[] { new { kind = "phone", value = "13800138000" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/v1/lookup/phone?value=x")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "13700137000", description = "Fake bank" })).StatusCode);

        // Reads that succeeded (a GET and a batch lookup sent as a POST) have no line; the refusal and the write one each.
        var lines = logs.Lines.Where(l => l.Category == Requests).ToList();
        Assert.Equal(
            [("GET", "/v1/lookup/{kind}", "400", "refusal"), ("POST", "/v1/reports/", "202", "write")],
            lines.Select(l => (l.State["Method"], l.State["Route"], l.State["StatusCode"], l.State["LoggedAs"])));
    }

    [Fact]
    public async Task AKeyThatNamesNoActiveKeyIsCheckedOnceAndLoggedOnce()
    {
        var logs = new CapturedLogs();
        await using var app = await StartAsync(logs);
        using var client = app.CreateClient("fk_this-key-was-never-issued-by-the-service");

        await Problem.AssertAsync(await client.GetAsync("/v1/lookup/phone?value=13800138000"), HttpStatusCode.Unauthorized, KeyProblemCodes.InvalidApiKey);

        // ASP.NET Core's handler writes a line each time it is asked to authenticate and fails; the key is checked once,
        // without asking it, so a caller sending bad keys costs one request line and the challenge's own.
        Assert.DoesNotContain(logs.Lines, l => l.Category == typeof(ApiKeyAuthenticationHandler).FullName && l.Message.Contains("not authenticated", StringComparison.Ordinal));
        var line = Assert.Single(logs.Lines, l => l.Category == Requests);
        Assert.Equal(("401", "refusal"), (line.State["StatusCode"], line.State["LoggedAs"]));
    }

    [Fact]
    public async Task AReadSlowerThanTheThresholdIsLogged()
    {
        var logs = new CapturedLogs();
        await using var app = await StartAsync(logs, new Dictionary<string, string?> { ["RequestLog:SampleRate"] = "0", ["RequestLog:SlowThreshold"] = "00:00:00" });
        using var client = app.CreateClient();

        await client.GetAsync("/v1/lookup/phone?value=13800138000");

        var line = Assert.Single(logs.Lines, l => l.Category == Requests);
        Assert.Equal(("200", "slow"), (line.State["StatusCode"], line.State["LoggedAs"]));
    }

    [Theory]
    [InlineData("RequestLog:SampleRate", "1.5")]
    [InlineData("RequestLog:SampleRate", "-0.1")]
    [InlineData("RequestLog:SlowThreshold", "-00:00:01")]
    public async Task ARequestLogSettingOutOfRangeStopsTheStart(string setting, string value)
    {
        var app = new FlagApiFactory(target.Provider, await target.CreateDatabaseAsync(), new Dictionary<string, string?> { [setting] = value });
        var refused = Assert.Throws<OptionsValidationException>(() => app.Server);
        Assert.Contains(setting.Split(':')[1], refused.Message, StringComparison.Ordinal);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task ConsoleWritesJsonLinesWithScopesOutsideDevelopment()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        Assert.Equal(ConsoleFormatterNames.Json, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        var json = app.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;
        Assert.True(json.IncludeScopes);
        Assert.True(json.UseUtcTimestamp);
        Assert.NotNull(json.TimestampFormat);
    }

    [Fact]
    public async Task ConfiguredFormatterAndFormatterOptionsWinOverTheDefaults()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?>
        {
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "false",
        });

        Assert.Equal(ConsoleFormatterNames.Simple, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        Assert.False(app.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue.IncludeScopes);
    }

    [Theory]
    [InlineData(null, true, "simple")]
    [InlineData(null, false, "json")]
    [InlineData("", false, "json")]
    [InlineData("systemd", false, "systemd")]
    [InlineData("json", true, "json")]
    public void FormatterIsJsonOutsideDevelopmentUnlessConfigured(string? configured, bool development, string expected) =>
        Assert.Equal(expected, ObservabilityExtensions.ConsoleFormatter(configured, development));

    private async Task<FlagApiFactory> StartAsync(CapturedLogs logs, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new FlagApiFactory(target.Provider, await target.CreateDatabaseAsync(), settings)
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };
        _ = app.Server;
        return app;
    }

    private static async Task<string> KeyIdAsync(FlagApiFactory app, string key)
    {
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));
        var keys = await admin.GetFromJsonAsync<JsonElement>("/v1/keys");
        return keys.GetProperty("keys").EnumerateArray().Single(k => key.StartsWith(k.GetProperty("prefix").GetString()!, StringComparison.Ordinal))
            .GetProperty("id").GetRawText();
    }
}
