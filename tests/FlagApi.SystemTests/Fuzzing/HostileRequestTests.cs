using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlagApi.Tests.Fuzzing;

// Request logs for 100,000 requests cost more than the requests: the SQLite run logs warnings and errors only, and the
// PostgreSQL run logs everything, so the suite's log scan (SuiteLogScanTests) reads what hostile requests make it write.
public sealed class HostileRequestsOnSqlite() : HostileRequestTests(new SqliteTarget(), 100_000, "Warning");

public sealed class HostileRequestsOnPostgres(PostgresTarget target) : HostileRequestTests(target, 10_000, "Information"), IClassFixture<PostgresTarget>;

/// <summary>
/// Sends generated hostile requests to every operation of the OpenAPI document (docs/product.md: bad input always gets
/// application/problem+json with a stable code), and checks after each refused write, and every few hundred
/// requests, that the stored data is what it was. FLAGAPI_FUZZ_SEED replays a run; FLAGAPI_FUZZ_REQUESTS sets its size.
/// </summary>
public abstract class HostileRequestTests(DatabaseTarget target, int defaultRequests, string logLevel)
{
    public const int DefaultSeed = 9_2026;

    /// <summary>
    /// Whether an operation may write: a refused request to one that writes is checked on its own. Read from what the
    /// capabilities declare: every method but GET writes unless its capability names the operation read-only
    /// (<see cref="ApiDeclaration.ReadOnlyOperations"/>), so a new endpoint needs no entry here.
    /// </summary>
    internal static bool Writes(Operation operation, ApiDeclarations declared) =>
        operation.Method is not ("GET" or "HEAD") && !declared.ReadOnlyOperations.Contains(operation.Id);

    private const int UncheckedWindow = 400;

    [Fact]
    public async Task HostileRequestsToEveryEndpointGetProblemDetailsNeverAServerErrorAndRefusalsLeaveTheDataUnchanged()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FLAGAPI_FUZZ_SEED"), out var chosen) ? chosen : DefaultSeed;
        var requests = int.TryParse(Environment.GetEnvironmentVariable("FLAGAPI_FUZZ_REQUESTS"), out var size) ? size : defaultRequests;
        var output = TestContext.Current.TestOutputHelper;
        var cancellation = TestContext.Current.CancellationToken;

        var errors = new ServerErrors();
        // Errors reach ServerErrors whatever the level.
        var logging = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = logLevel };
        await using var app = new FlagApiFactory(target.Provider, await target.CreateDatabaseAsync(), logging)
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(errors),
        };
        _ = app.Server;
        var fixtures = await SeedAsync(app);
        using var client = app.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), cancellation));
        var operations = RequestGenerator.Operations(document);
        var declared = app.Services.GetRequiredService<ApiDeclarations>();
        var unknown = declared.ReadOnlyOperations.Where(id => operations.All(o => o.Id != id)).ToList();
        Assert.True(unknown.Count == 0, $"Operations declared read-only that the document does not have: {string.Join(", ", unknown)}.");
        var writes = operations.ToDictionary(o => o.Id, o => Writes(o, declared), StringComparer.Ordinal);

        var generator = new RequestGenerator(document, fixtures, new HostileValues(new Random(seed)));
        await using var store = await StoreDigest.OpenAsync(target.Provider, app.ConnectionString);
        var digestTime = new Stopwatch();
        var generateTime = new Stopwatch();
        async Task<string> DigestAsync()
        {
            digestTime.Start();
            var digest = await store.ReadAsync();
            digestTime.Stop();
            return digest;
        }

        var baseline = await DigestAsync();
        var window = new List<FuzzRequest>();
        var statuses = new SortedDictionary<int, int>();
        var undeclared = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var acceptedWrites = 0;
        var clock = Stopwatch.StartNew();

        string Replay(int index, FuzzRequest request) =>
            $"Request {index} of the run with FLAGAPI_FUZZ_SEED={seed} FLAGAPI_FUZZ_REQUESTS={requests} ({target.Provider}):\n{request.Describe()}";

        async Task CheckUnchangedAsync(string what)
        {
            var now = await DigestAsync();
            if (now != baseline)
            {
                Assert.Fail($"The stored data changed across {what}, with FLAGAPI_FUZZ_SEED={seed}:\nbefore:\n{baseline}\nafter:\n{now}\nrequests:\n"
                    + string.Join("\n", window.TakeLast(20).Select(r => r.Describe())));
            }

            window.Clear();
        }

        // Sends one request and checks what any client may rely on; true when it was accepted.
        async Task<bool> SendAsync(int index, FuzzRequest request, CancellationToken token)
        {
            using var message = request.ToMessage();
            using var response = await client.SendAsync(message, token);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(token);
            lock (statuses)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }

            Assert.True(status < 500, $"{Replay(index, request)}\nanswered {status}: {Shorten(body)}\nThe server logged: {errors.Last}");
            var code = status >= 400 ? AssertProblem(response, body, () => Replay(index, request)) : null;
            // A 405 answers another path: an empty path value (GET /v1/lookup/) lands on the collection's route.
            if (status != 405 && !Declares(request.Operation, status))
            {
                undeclared.TryAdd($"{request.Operation.Id} {status} {code}", Replay(index, request));
            }

            var accepted = status < 400;
            Assert.False(accepted && writes[request.Operation.Id] && request.BuiltToBeRefused,
                $"{Replay(index, request)}\nwas built to be refused but answered {status}: {Shorten(body)}");
            return accepted;
        }

        // Reads and requests built to be refused change nothing, so they go several at a time and the store is compared
        // after each window of them; a well-formed write goes alone, with the store read before and after it.
        var batch = new List<(int Index, FuzzRequest Request)>();
        async Task SendBatchAsync()
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellation },
                async (item, token) => await SendAsync(item.Index, item.Request, token));
            window.AddRange(batch.Select(b => b.Request));
            batch.Clear();
            if (window.Count >= UncheckedWindow)
            {
                await CheckUnchangedAsync($"{window.Count} refused requests and reads");
            }
        }

        for (var i = 0; i < requests; i++)
        {
            var operation = operations[i % operations.Count];
            generateTime.Start();
            var request = generator.Next(operation);
            generateTime.Stop();

            if (!writes[operation.Id] || request.BuiltToBeRefused)
            {
                batch.Add((i, request));
                if (batch.Count == 32)
                {
                    await SendBatchAsync();
                }

                continue;
            }

            await SendBatchAsync();
            if (window.Count > 0)
            {
                await CheckUnchangedAsync($"the {window.Count} refused requests and reads before request {i}");
            }

            if (await SendAsync(i, request, cancellation))
            {
                acceptedWrites++;
                baseline = await DigestAsync();
                continue;
            }

            window.Add(request);
            await CheckUnchangedAsync($"refused request {i}");
        }

        await SendBatchAsync();
        await CheckUnchangedAsync("the last requests");
        clock.Stop();
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{requests} hostile requests to {operations.Count} operations on {target.Provider}, seed {seed}, in {clock.Elapsed.TotalSeconds:F1} s; {acceptedWrites} writes accepted; "
            + $"{generateTime.Elapsed.TotalSeconds:F1} s generating requests, {digestTime.Elapsed.TotalSeconds:F1} s reading the store."));
        output?.WriteLine("Statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(undeclared.IsEmpty, "Answers the OpenAPI document does not declare for their operation (operation, status, code), each with "
            + "the first request that got it:\n" + string.Join("\n\n", undeclared.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Key}\n{u.Value}")));
    }

    /// <summary>Whether the operation's responses name the status, its class (4XX) or a default.</summary>
    private static bool Declares(Operation operation, int status) =>
        operation.Definition.TryGetProperty("responses", out var responses)
        && (responses.TryGetProperty(status.ToString(CultureInfo.InvariantCulture), out _)
            || responses.TryGetProperty($"{status / 100}XX", out _)
            || responses.TryGetProperty("default", out _));

    /// <summary>Checks that a refusal is problem details with a code, and returns the code.</summary>
    private static string AssertProblem(HttpResponseMessage response, string body, Func<string> replay)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        Assert.True(mediaType == "application/problem+json", $"{replay()}\nanswered {(int)response.StatusCode} as {mediaType ?? "no content type"}: {Shorten(body)}");
        string? code = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            code = json.RootElement.TryGetProperty("code", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
        }

        Assert.True(!string.IsNullOrEmpty(code), $"{replay()}\nanswered {(int)response.StatusCode} without a problem code: {Shorten(body)}");
        return code;
    }

    private static string Shorten(string text) => text.Length <= 2000 ? text : text[..2000] + "…";

    /// <summary>A list, keys of every role, an appeal and a report, so generated requests can reach past the first checks.</summary>
    private static async Task<FuzzFixtures> SeedAsync(FlagApiFactory app)
    {
        await app.PublishAsync(
            ("phone", "+8613800138000", "fake_customer_service", "high"),
            ("url", "http://evil.example/pay/", "investment_romance", "high"),
            ("domain", "evil.example", "investment_romance", "medium"),
            ("app", "云客服", "remote_control_app", "high"),
            ("account", "wechat:wxid_fraud01", "task_brushing", "low"));

        var keys = new Dictionary<string, string>
        {
            ["app"] = await app.CreateKeyAsync("app"),
            ["publisher"] = await app.CreateKeyAsync("publisher", "Test police"),
            ["reviewer"] = await app.CreateKeyAsync("reviewer"),
            ["admin"] = await app.CreateKeyAsync("admin"),
        };
        var revoked = await app.CreateKeyAsync("app", name: "revoked");
        using var admin = app.CreateClient(keys["admin"]);
        var listed = await admin.GetFromJsonAsync<JsonElement>("/v1/keys");
        var all = listed.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Array).Value.EnumerateArray().ToList();
        var revokedId = all.Single(k => k.GetProperty("name").GetString() == "revoked").GetProperty("id").GetInt64();
        Assert.True((await admin.DeleteAsync($"/v1/keys/{revokedId}")).IsSuccessStatusCode);

        var appeal = await AppealApi.FileAsync(app, "+8613800138000");
        using var anonymous = app.CreateClient();
        var report = await anonymous.PostAsync("/v1/reports", new StringContent(
            """{"kind":"phone","value":"13900139000","category":"other","description":"Called saying my parcel was held by customs."}""",
            Encoding.UTF8, "application/json"));
        Assert.True(report.IsSuccessStatusCode, await report.Content.ReadAsStringAsync());
        var reportId = (await report.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        long[] small = [1, 2, 3];
        return new FuzzFixtures(
            keys, revoked, all.Select(k => k.GetProperty("id").GetInt64()).ToList(), small, small, [appeal.Id], small, [reportId], small,
            appeal.Code, appeal.Token,
            [("phone", "+8613800138000"), ("url", "http://evil.example/pay/"), ("domain", "evil.example"), ("app", "云客服"), ("account", "wechat:wxid_fraud01")]);
    }
}

/// <summary>Keeps the last error the application logged, so a 5xx names its exception.</summary>
internal sealed class ServerErrors : ILoggerProvider
{
    public string? Last { get; private set; }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(ServerErrors owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Last = formatter(state, exception) + " " + exception;
            }
        }
    }
}
