using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using FlagApi.Lists;
using FlagApi.Client;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests;

/// <summary>The client library against the real service, listening on loopback (Kestrel, not the in-memory test server).</summary>
public sealed class ClientTests : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> started = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var app in started)
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task LookupOverLoopbackFindsAFlaggedNumberInAnySpelling()
    {
        var (app, address) = await StartAsync();
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"));
        using var http = new HttpClient { BaseAddress = address };
        var client = new FlagApiClient(http);

        var result = await client.LookupAsync("phone", "+86 138-0013-8000", TestContext.Current.CancellationToken);

        Assert.Equal("127.0.0.1", address.Host);
        Assert.True(result.Flagged);
        Assert.Equal(("flagged", "+8613800138000"), (result.Verdict, result.Canonical));
        Assert.Equal("impersonating_authorities", Assert.Single(result.Matches).Category);
    }

    [Fact]
    public async Task BatchLookupGivesEachItemItsAnswerOrItsError()
    {
        var (app, address) = await StartAsync();
        await app.PublishAsync(("app", "云客服", "remote_control_app", "high"));
        using var http = new HttpClient { BaseAddress = address };
        var client = new FlagApiClient(http);

        var results = await client.LookupManyAsync(
            [new LookupItem("app", "云 客 服"), new LookupItem("planet", "mars"), new LookupItem("phone", "110")],
            TestContext.Current.CancellationToken);

        Assert.True(results[0].Result!.Flagged);
        Assert.Equal("unknown_kind", results[1].Error!.Code);
        Assert.Equal("clear", results[2].Result!.Verdict);
        Assert.True(results[2].Result!.ListVersion > 0);
    }

    [Fact]
    public async Task ARefusalBecomesAnExceptionWithTheProblemCode()
    {
        var (_, address) = await StartAsync();
        using var http = new HttpClient { BaseAddress = address };
        var client = new FlagApiClient(http);

        var refused = await Assert.ThrowsAsync<FlagApiException>(() => client.LookupAsync("phone", "12", TestContext.Current.CancellationToken));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_phone"), (refused.Status, refused.Code));
        Assert.False(string.IsNullOrEmpty(refused.Detail));
    }

    [Fact]
    public async Task ARateLimitedLookupIsRetriedAfterTheRetryAfterTheServiceGives()
    {
        var address = await StartAllowingOneAsync("Lookup", "00:00:01");
        var (second, tries) = await WithinOneWindowAsync(async () =>
        {
            var (client, tries, _) = Registered(options => options.BaseAddress = address);
            await client.LookupAsync("phone", "110", TestContext.Current.CancellationToken);
            var second = await client.LookupAsync("phone", "110", TestContext.Current.CancellationToken);
            return ((second, tries), tries[1].Status == HttpStatusCode.TooManyRequests);
        });

        // A busy machine may need more than one retry; each waited at least the Retry-After its 429 gave.
        Assert.Equal("clear", second.Verdict);
        Assert.Equal(HttpStatusCode.TooManyRequests, tries[1].Status);
        Assert.Equal(HttpStatusCode.OK, tries[^1].Status);
        for (var i = 1; i < tries.Count - 1; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(1), tries[i].RetryAfter);
            // Not the handler's own pause for a 429 without Retry-After (exponential from 2 s, with jitter): the service's.
            // From the 429's arrival, where the wait starts: a loaded machine can take most of a second to answer it.
            var pause = tries[i + 1].At - tries[i].Answered;
            Assert.True(pause >= TimeSpan.FromSeconds(0.95) && pause < TimeSpan.FromSeconds(1.9), $"Try {i + 1} came {pause.TotalMilliseconds:F0} ms after a Retry-After of 1 s.");
        }
    }

    [Fact]
    public async Task ARateLimitedBatchLookupIsRetriedForItOnlyReads()
    {
        var address = await StartAllowingOneAsync("Lookup", "00:00:01");
        var (batch, tries) = await WithinOneWindowAsync(async () =>
        {
            var (client, tries, _) = Registered(options => options.BaseAddress = address);
            await client.LookupAsync("phone", "110", TestContext.Current.CancellationToken);
            var batch = await client.LookupManyAsync([new LookupItem("phone", "110")], TestContext.Current.CancellationToken);
            return ((batch, tries), tries[1].Status == HttpStatusCode.TooManyRequests);
        });

        Assert.Equal("clear", batch[0].Result!.Verdict);
        Assert.Equal(("POST", HttpStatusCode.TooManyRequests), (tries[1].Method, tries[1].Status));
        Assert.Equal(("POST", HttpStatusCode.OK), (tries[^1].Method, tries[^1].Status));
    }

    [Fact]
    public async Task APostThatChangesSomethingIsNeverRetried()
    {
        var address = await StartAllowingOneAsync("Report", "00:00:01");
        var report = new { kind = "phone", value = "13800138000", category = "task_brushing", description = "Offered paid likes, then asked for a deposit." };
        var (statuses, retryAfter, tries) = await WithinOneWindowAsync(async () =>
        {
            var (_, tries, provider) = Registered(options => options.BaseAddress = address);
            var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(FlagApiClientServiceCollectionExtensions.HttpClientName);
            using var first = await http.PostAsJsonAsync("v1/reports", report, TestContext.Current.CancellationToken);
            using var second = await http.PostAsJsonAsync("v1/reports", report, TestContext.Current.CancellationToken);
            return (((first.StatusCode, second.StatusCode), second.Headers.RetryAfter?.Delta, tries), second.StatusCode == HttpStatusCode.TooManyRequests);
        });

        // The same pipeline retries a GET refused like this (above); a report sent twice would be two reports.
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests), statuses);
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        Assert.Equal(2, tries.Count);
    }

    [Fact]
    public async Task AClientThatMayNotWaitThatLongGetsTheRateLimitAtOnce()
    {
        var address = await StartAllowingOneAsync("Lookup", "01:00:00");
        var (client, tries, _) = Registered(options =>
        {
            options.BaseAddress = address;
            options.MaxRetryDelay = TimeSpan.FromSeconds(5);
        });

        await client.LookupAsync("phone", "110", TestContext.Current.CancellationToken);
        var refused = await Assert.ThrowsAsync<FlagApiException>(() => client.LookupAsync("phone", "110", TestContext.Current.CancellationToken));

        Assert.Equal(("rate_limited", HttpStatusCode.TooManyRequests), (refused.Code, refused.Status));
        Assert.True(refused.RetryAfter > TimeSpan.FromSeconds(5));
        Assert.Equal(2, tries.Count);
    }

    [Fact]
    public async Task AServiceThatCannotBeReachedIsRetriedThenReported()
    {
        var (client, tries, _) = Registered(options =>
        {
            options.BaseAddress = new Uri("http://127.0.0.1:9/"); // the discard port: nothing listens
            options.MaxRetries = 1;
        });

        var failed = await Assert.ThrowsAsync<FlagApiException>(() => client.LookupAsync("phone", "110", TestContext.Current.CancellationToken));

        Assert.Equal((FlagApiException.Unreachable, null), (failed.Code, failed.Status));
        Assert.Equal(2, tries.Count);
        Assert.All(tries, t => Assert.Null(t.Status));
    }

    [Fact]
    public async Task RegisteringFromConfigurationBindsTheOptionsAndSendsTheKey()
    {
        var (app, address) = await StartAsync();
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FlagApi:BaseAddress"] = address.ToString(),
            ["FlagApi:ApiKey"] = await app.CreateKeyAsync("app"),
            ["FlagApi:MaxRetries"] = "2",
            ["FlagApi:Timeout"] = "00:00:45",
            ["FlagApi:Identifiers:DefaultPhoneRegion"] = "US",
        }).Build();
        var services = new ServiceCollection();
        var builder = services.AddFlagApiClient(configuration.GetSection("FlagApi"));
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<FlagApiClient>();
        var copy = new LocalCopy(client);
        await copy.LoadAsync(TestContext.Current.CancellationToken); // the snapshot answers app keys only

        Assert.Equal(FlagApiClientServiceCollectionExtensions.HttpClientName, builder.Name);
        Assert.Equal((address, 2, TimeSpan.FromSeconds(45), "US"), (client.Options.BaseAddress, client.Options.MaxRetries, client.Options.Timeout, client.Options.Identifiers.DefaultPhoneRegion));
        Assert.Equal(1, copy.Count);
        Assert.True(copy.Lookup("phone", "+86 138 0013 8000").Flagged);
        Assert.Equal("+12025550143", copy.Lookup("phone", "(202) 555-0143").Canonical); // read as a US number, as configured
    }

    [Fact]
    public void OptionsOutOfRangeAreRefusedWhenTheClientIsMade()
    {
        var services = new ServiceCollection();
        services.AddFlagApiClient(options => options.MaxRetries = 11);
        using var provider = services.BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<FlagApiClient>());

        Assert.Contains("MaxRetries must be from 0 to 10", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALongPollOutlastsTheAttemptTimeoutByItsWait()
    {
        var (app, address) = await StartAsync();
        var key = await app.CreateKeyAsync("app");

        // The first snapshot from a cold service (start-up, JIT) may take longer than the short timeouts below on a busy
        // machine; it is read once by a client without them, so the timed requests meet a warm service.
        var (patient, _, _) = Registered(options =>
        {
            options.BaseAddress = address;
            options.ApiKey = key;
        });
        await new LocalCopy(patient).LoadAsync(TestContext.Current.CancellationToken);

        var (client, _, _) = Registered(options =>
        {
            options.BaseAddress = address;
            options.ApiKey = key;
            options.AttemptTimeout = TimeSpan.FromSeconds(2);
            options.Timeout = TimeSpan.FromSeconds(2);
        });
        var copy = new LocalCopy(client);
        await copy.LoadAsync(TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();

        var applied = await copy.SyncAsync(wait: 4, TestContext.Current.CancellationToken);

        // Up to date: the service held the request the whole four seconds, twice the attempt timeout, and answered empty.
        Assert.Equal(0, applied);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3.9), $"The long poll ended after {clock.Elapsed.TotalMilliseconds:F0} ms.");

        // The same wait asked for without the client's long poll is held to the timeouts.
        using var unmarked = new HttpRequestMessage(HttpMethod.Get, $"v1/feed/changes?since={copy.Version}&wait=4");
        var timedOut = await Assert.ThrowsAsync<FlagApiException>(() => client.SendAsync(unmarked, TestContext.Current.CancellationToken));
        Assert.Equal(FlagApiException.TimedOut, timedOut.Code);
    }

    [Fact]
    public async Task ALocalCopyFollowsTheFeedAndAnswersOffline()
    {
        var (app, address) = await StartAsync();
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"), ("domain", "evil.example", "fake_customer_service", "medium"));
        using var http = new HttpClient { BaseAddress = address };
        var client = new FlagApiClient(http, new FlagApiClientOptions { ApiKey = await app.CreateKeyAsync("app") });
        var copy = new LocalCopy(client);
        var cancel = TestContext.Current.CancellationToken;

        await copy.LoadAsync(cancel);

        Assert.Equal(2, copy.Count);
        Assert.True(copy.Lookup("phone", "+86 138 0013 8000").Flagged);
        var page = copy.Lookup("url", "https://login.evil.example/account?id=1");
        Assert.Equal("evil.example", Assert.Single(page.Matches).Value); // the domain flags every page under it, offline too

        // A list is published, another retracted: the copy follows and still matches the service's checksum.
        var second = await app.PublishAsync("""{"entries":[{"kind":"app","value":"云客服","category":"remote_control_app"}]}""", "Other police", "2");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var writer = scope.ServiceProvider.GetRequiredService<ListWriter>();
            var first = (await app.GetJsonAsync<Lists.ListPage>("/v1/batches")).Items.Single(l => l.Id != second.Result!.ListId).Id;
            await writer.RetractAsync(first, "test", "published by mistake", cancel);
        }

        await app.Services.GetRequiredService<Lookup.ListIndexFollower>().CatchUpAsync(cancel);
        var applied = await copy.SyncAsync(cancellationToken: cancel);

        Assert.True(applied >= 3);
        Assert.False(copy.Lookup("phone", "13800138000").Flagged);
        Assert.True(copy.Lookup("app", "云 客 服").Flagged);
        Assert.True(await copy.VerifyAsync(cancel));
    }

    [Fact]
    public async Task ThePrivacyModeSendsOnlyHashPrefixesAndFindsTheFlaggedExpression()
    {
        var (app, address) = await StartAsync();
        await app.PublishAsync(("url", "http://evil.example/1/", "fake_customer_service", "high"), ("phone", "13800138000", "other", "high"));
        var seen = new List<string>();
        using var http = new HttpClient(new RequestRecorder(seen, new HttpClientHandler())) { BaseAddress = address };
        var client = new FlagApiClient(http);

        var url = await client.LookupPrivatelyAsync("url", "http://a.evil.example/1/2.html?x=1", TestContext.Current.CancellationToken);
        var phone = await client.LookupPrivatelyAsync("phone", "13900139000", TestContext.Current.CancellationToken);

        Assert.True(url.Flagged);
        Assert.Equal("evil.example/1/", Assert.Single(url.Matches).Expression);
        Assert.False(phone.Flagged);
        Assert.All(seen, body => Assert.DoesNotContain("evil", body, StringComparison.Ordinal));
        Assert.All(seen, body => Assert.DoesNotContain("139", body, StringComparison.Ordinal));
    }

    /// <summary>The service where an anonymous caller may send one request of the <paramref name="budget"/> per <paramref name="window"/>.</summary>
    /// <summary>
    /// Runs a scenario whose second request must come within the one-second window of its first to be refused, until it
    /// did (at most five times, the budget whole again before each): a machine that stalls longer than the window (the
    /// suite shares two cores with the system tests) would otherwise see both granted, which proves nothing either way.
    /// </summary>
    private static async Task<T> WithinOneWindowAsync<T>(Func<Task<(T Result, bool Refused)>> scenario)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (result, refused) = await scenario();
            if (refused || attempt == 5)
            {
                return result;
            }

            await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        }
    }

    private async Task<Uri> StartAllowingOneAsync(string budget, string window) => (await StartAsync(new Dictionary<string, string?>
    {
        [$"RateLimiting:Tiers:anonymous:{budget}:PermitLimit"] = "1",
        [$"RateLimiting:Tiers:anonymous:{budget}:Window"] = window,
    })).Address;

    private async Task<(FlagApiFactory App, Uri Address)> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new FlagApiFactory(DatabaseProvider.Sqlite, await new SqliteTarget().CreateDatabaseAsync(), settings);
        started.Add(app);
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/"));
    }

    /// <summary>
    /// A client registered as an application registers it, with a handler inside the retries that notes each try: when it
    /// went, and the status and Retry-After it got (none when the connection failed).
    /// </summary>
    private (FlagApiClient Client, IReadOnlyList<Try> Tries, IServiceProvider Provider) Registered(Action<FlagApiClientOptions> configure)
    {
        var tries = new List<Try>();
        var services = new ServiceCollection();
        services.AddFlagApiClient(configure).AddHttpMessageHandler(() => new TryRecorder(tries));
        var provider = services.BuildServiceProvider();
        started.Add(provider);
        return (provider.GetRequiredService<FlagApiClient>(), tries, provider);
    }

    /// <param name="At">When the try was sent; <paramref name="Answered"/> when its answer (or failure) came.</param>
    private sealed record Try(DateTime At, string Method, HttpStatusCode? Status, TimeSpan? RetryAfter, DateTime Answered);

    private sealed class TryRecorder(List<Try> tries) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var at = DateTime.UtcNow;
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                lock (tries)
                {
                    tries.Add(new Try(at, request.Method.Method, response.StatusCode, response.Headers.RetryAfter?.Delta, DateTime.UtcNow));
                }

                return response;
            }
            catch (HttpRequestException)
            {
                lock (tries)
                {
                    tries.Add(new Try(at, request.Method.Method, null, null, DateTime.UtcNow));
                }

                throw;
            }
        }
    }
}
