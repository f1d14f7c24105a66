using System.Net;
using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using FlagApi.Keys;
using FlagApi.Lookup;
using FlagApi.Observability;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using FlagApi.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Benchmarks;

/// <summary>
/// What each step in front of a single lookup costs, one at a time: the service's own middleware as Program.cs adds it,
/// over the services of the real application (started in Production with the shipped appsettings.json, its rate limits
/// on, an app key), each invoked alone on a GET /v1/lookup/phone shaped like wrk's, ending in an empty terminal that
/// starts the response (so start-of-response callbacks run). The first row is that request with no middleware at all:
/// every other row includes it, so a step's own cost is its row minus the first. Allocated bytes per request come from
/// BenchmarkDotNet's memory diagnoser. The application's log lines go to standard error (run.sh sends them to a file).
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private const string Number = "+8613800000001";

    // One application for every benchmark of this class: they run in this one process.
    private static readonly Lazy<Application> Started = new(() => Application.StartAsync().GetAwaiter().GetResult());

    private IServiceProvider services = null!;
    private IServiceScopeFactory scopes = null!;
    private Endpoint lookup = null!;
    private string key = null!;
    private System.Security.Claims.ClaimsPrincipal appCaller = null!;
    private RequestDelegate bare = null!;
    private RequestDelegate logging = null!;
    private RequestDelegate securityHeaders = null!;
    private RequestDelegate problemHandling = null!;
    private RequestDelegate sizeLimit = null!;
    private RequestDelegate bodyLimit = null!;
    private RequestDelegate jsonCharset = null!;
    private RequestDelegate queryText = null!;
    private RequestDelegate deprecated = null!;
    private RequestDelegate crossOrigin = null!;
    private RequestDelegate keys = null!;
    private RequestDelegate rateLimits = null!;
    private RequestDelegate directPath = null!;

    // What outlives a request on its keep-alive connection, as wrk's requests follow one another on theirs.
    private readonly KeepAliveConnection connection = new();

    [GlobalSetup]
    public void Setup()
    {
        var app = Started.Value;
        services = app.Services;
        scopes = services.GetRequiredService<IServiceScopeFactory>();
        key = app.Key;
        lookup = services.GetRequiredService<EndpointDataSource>().Endpoints
            .First(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "LookupOne");

        // The caller as UseKeys leaves it for every later step: the app key's principal.
        var authenticated = Pipeline(a =>
        {
            a.UseKeys();
            a.Use((context, next) =>
            {
                appCaller = context.User;
                return next(context);
            });
        });
        Send(authenticated, routed: true, caller: false);
        if (appCaller?.Identity?.IsAuthenticated != true)
        {
            throw new InvalidOperationException("The app key did not authenticate.");
        }

        bare = Pipeline(_ => { });
        logging = Pipeline(a => a.UseObservability());
        securityHeaders = Pipeline(a => a.UseSecurityHeaders());
        problemHandling = Pipeline(a => a.UseProblemHandling());
        sizeLimit = Pipeline(a => a.UseMiddleware<RequestSizeLimitMiddleware>());
        bodyLimit = Pipeline(a => a.UseMiddleware<RequestBodyLimitMiddleware>());
        jsonCharset = Pipeline(a => a.UseMiddleware<JsonCharsetMiddleware>());
        queryText = Pipeline(a => a.UseMiddleware<QueryTextMiddleware>());
        deprecated = Pipeline(a => a.UseDeprecatedRoutes());
        crossOrigin = Pipeline(a => a.UseCrossOrigin());
        keys = Pipeline(a => a.UseKeys());
        rateLimits = Pipeline(a => a.UseRateLimits());
        directPath = Pipeline(a => a.UseLookupDirectPath());

        // Each pipeline must let a lookup with the key through to the terminal, or it measures a refusal.
        foreach (var pipeline in new[] { bare, logging, securityHeaders, problemHandling, sizeLimit, bodyLimit, jsonCharset, queryText, deprecated, crossOrigin, keys, rateLimits })
        {
            if (Send(pipeline, routed: pipeline != problemHandling, caller: pipeline != keys) is not StatusCodes.Status200OK and var status)
            {
                throw new InvalidOperationException($"A middleware answered {status} instead of passing the lookup on.");
            }
        }

        if (Endpoint() != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException("The lookup endpoint did not answer 200.");
        }
    }

    [Benchmark(Baseline = true, Description = "the request alone (context, scope, response start)")]
    public int Bare() => Send(bare);

    [Benchmark(Description = "request logging and its scope (UseObservability)")]
    public int Logging() => Send(logging);

    [Benchmark(Description = "security headers (UseSecurityHeaders)")]
    public int SecurityHeaders() => Send(securityHeaders);

    [Benchmark(Description = "problem handling with routing (UseProblemHandling: exception handler, status pages, size and body limits, routing, charset, query text)")]
    public int ProblemHandling() => Send(problemHandling, routed: false);

    [Benchmark(Description = "request target and header size check")]
    public int SizeLimit() => Send(sizeLimit);

    [Benchmark(Description = "request body limit")]
    public int BodyLimit() => Send(bodyLimit);

    [Benchmark(Description = "JSON charset check")]
    public int JsonCharset() => Send(jsonCharset);

    [Benchmark(Description = "query text check")]
    public int QueryText() => Send(queryText);

    [Benchmark(Description = "deprecated-route headers (UseDeprecatedRoutes)")]
    public int Deprecated() => Send(deprecated);

    [Benchmark(Description = "cross-origin (UseCrossOrigin)")]
    public int CrossOrigin() => Send(crossOrigin);

    [Benchmark(Description = "API key authentication and authorization (UseKeys)")]
    public int Keys() => Send(keys, caller: false);

    [Benchmark(Description = "rate limits (UseRateLimits, in memory)")]
    public int RateLimits() => Send(rateLimits);

    [Benchmark(Description = "the lookup endpoint (binding, lookup, JSON answer)")]
    public int Endpoint() => Send(context =>
    {
        context.Request.RouteValues["kind"] = "phone";
        return lookup.RequestDelegate!(context);
    });

    [Benchmark(Description = "the direct lookup path in their place (UseLookupDirectPath: size check, key, lookup, rate limit, headers, JSON answer)")]
    public int DirectPath() => Send(directPath, routed: false, caller: false);

    private RequestDelegate Pipeline(Action<IApplicationBuilder> use)
    {
        var builder = new ApplicationBuilder(services);
        use(builder);
        builder.Run(static context => context.Response.StartAsync());
        return builder.Build();
    }

    /// <summary>
    /// One request as Kestrel hands it to the application, in a scope of its own; <paramref name="routed"/> sets the
    /// endpoint as routing would have (every step after UseRouting reads it), <paramref name="caller"/> the app key's
    /// principal as authentication would have (the rate limits count by key).
    /// </summary>
    private int Send(RequestDelegate pipeline, bool routed = true, bool caller = true)
    {
        var request = new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Method = HttpMethods.Get,
            Scheme = "http",
            Path = "/v1/lookup/phone",
            QueryString = "?value=%2B8613800000001",
            RawTarget = "/v1/lookup/phone?value=%2B8613800000001",
        };
        request.Headers.Host = "127.0.0.1:5380";
        request.Headers[ApiKeyAuthenticationHandler.Header] = key;
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        var response = new StartingResponse { Headers = connection.ResponseHeaders, Writer = connection.Body };
        connection.ResponseHeaders.Clear();
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(response);
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature { RemoteIpAddress = IPAddress.Loopback, RemotePort = 40000, ConnectionId = "bench" });
        features.Set<IConnectionItemsFeature>(connection);
        using var scope = scopes.CreateScope();
        var context = new DefaultHttpContext(features) { RequestServices = scope.ServiceProvider };
        if (routed)
        {
            context.SetEndpoint(lookup);
        }

        if (caller && appCaller is not null)
        {
            context.User = appCaller;
        }

        pipeline(context).GetAwaiter().GetResult();
        return context.Response.StatusCode;
    }

    /// <summary>
    /// What Kestrel keeps per connection and clears between its requests: the items, the response's header collection
    /// and the writer of its body. Made per request, they would be counted against whichever step first writes to them.
    /// </summary>
    private sealed class KeepAliveConnection : IConnectionItemsFeature
    {
        public IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public HeaderDictionary ResponseHeaders { get; } = [];

        public System.IO.Pipelines.PipeWriter Body { get; } = System.IO.Pipelines.PipeWriter.Create(Stream.Null);
    }

    /// <summary>A response as a server keeps it: start-of-response callbacks run (last added first) when it starts; the body goes to the connection's writer, and on to nowhere.</summary>
    private sealed class StartingResponse : HttpResponseFeature, IHttpResponseBodyFeature
    {
        private readonly Stack<(Func<object, Task> Callback, object State)> starting = new();
        private bool started;

        public override bool HasStarted => started;

        public Stream Stream => Stream.Null;

        public required System.IO.Pipelines.PipeWriter Writer { get; init; }

        public override void OnStarting(Func<object, Task> callback, object state) => starting.Push((callback, state));

        public void DisableBuffering()
        {
        }

        public async Task StartAsync(CancellationToken cancellationToken = default)
        {
            if (started)
            {
                return;
            }

            while (starting.TryPop(out var next))
            {
                await next.Callback(next.State);
            }

            started = true;
        }

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task CompleteAsync() => StartAsync();
    }

    /// <summary>The real application in Production, with the shipped settings, on a SQLite database of its own holding one flagged number.</summary>
    /// <remarks>
    /// Named by a type of the service's assembly other than its <c>Program</c>, which this project's own top-level
    /// statements hide; the factory needs only the assembly to find the entry point.
    /// </remarks>
    private sealed class Application : WebApplicationFactory<LimitsOptions>
    {
        private const string AdminKey = "benchmark-admin-key-0123456789abcdef0123";
        private readonly string data = Directory.CreateTempSubdirectory("flagapi-middleware-").FullName;

        public string Key { get; private set; } = "";

        public static async Task<Application> StartAsync()
        {
            // The service's own folder, so its shipped appsettings.json is the one read.
            var repository = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(repository.FullName, "FlagApi.sln")))
            {
                repository = repository.Parent ?? throw new InvalidOperationException("FlagApi.sln not found above the benchmarks.");
            }

            Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_FLAGAPI", Path.Combine(repository.FullName, "src", "FlagApi"));
            var app = new Application();
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, AdminKey);
            var publisher = await SecretAsync(client, new { name = "benchmark publisher", role = "publisher", agency = "Benchmark police" });
            app.Key = await SecretAsync(client, new { name = "benchmark app", role = "app" });
            using var publishing = new HttpRequestMessage(HttpMethod.Post, "/v1/batches")
            {
                Content = JsonContent.Create(new { entries = new[] { new { kind = "phone", value = Number, category = "task_brushing", risk = "high" } } }),
            };
            publishing.Headers.Add(ApiKeyAuthenticationHandler.Header, publisher);
            (await client.SendAsync(publishing)).EnsureSuccessStatusCode();

            // The index follows the database within Lookup:PollInterval.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                using var probe = new HttpRequestMessage(HttpMethod.Get, "/v1/lookup/phone?value=%2B8613800000001");
                probe.Headers.Add(ApiKeyAuthenticationHandler.Header, app.Key);
                if ((await (await client.SendAsync(probe)).Content.ReadAsStringAsync()).Contains("\"flagged\"", StringComparison.Ordinal))
                {
                    return app;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException("The published number was not flagged within 30 s.");
                }

                await Task.Delay(100);
            }
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Database:DataDirectory", data);
            builder.UseSetting("Bootstrap:AdminKey", AdminKey);

            // The budgets as shipped, but an app key's lookups never run out over millions of iterations.
            builder.UseSetting("RateLimiting:Tiers:app:Lookup:PermitLimit", "1000000000");

            // Log lines (as many as production writes) to standard error, away from BenchmarkDotNet's own output.
            builder.UseSetting("Logging:Console:LogToStandardErrorThreshold", "Trace");
        }

        private static async Task<string> SecretAsync(HttpClient client, object key)
        {
            using var response = (await client.PostAsJsonAsync("/v1/keys", key)).EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("key").GetString()!;
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }
}
