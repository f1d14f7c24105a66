using System.Net;
using FlagApi.Lists;
using FlagApi.Client;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

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
        var (_, address) = await StartAsync(new Dictionary<string, string?>
        {
            ["RateLimiting:Tiers:anonymous:Lookup:PermitLimit"] = "1",
            ["RateLimiting:Tiers:anonymous:Lookup:Window"] = "00:00:01",
        });
        using var http = new HttpClient { BaseAddress = address };
        var waits = new List<TimeSpan>();
        var client = new FlagApiClient(http, new FlagApiClientOptions(), async (wait, token) =>
        {
            waits.Add(wait);
            await Task.Delay(wait, token);
        });

        await client.LookupAsync("phone", "110", TestContext.Current.CancellationToken);
        var second = await client.LookupAsync("phone", "110", TestContext.Current.CancellationToken);

        // Each pause is the Retry-After the service gave; a busy machine may need more than one.
        Assert.Equal("clear", second.Verdict);
        Assert.NotEmpty(waits);
        Assert.All(waits, wait => Assert.Equal(TimeSpan.FromSeconds(1), wait));
    }

    [Fact]
    public async Task AClientThatMayNotWaitThatLongGetsTheRateLimitAtOnce()
    {
        var (_, address) = await StartAsync(new Dictionary<string, string?>
        {
            ["RateLimiting:Tiers:anonymous:Lookup:PermitLimit"] = "1",
            ["RateLimiting:Tiers:anonymous:Lookup:Window"] = "01:00:00",
        });
        using var http = new HttpClient { BaseAddress = address };
        var waits = new List<TimeSpan>();
        var client = new FlagApiClient(http, new FlagApiClientOptions { MaxRetryDelay = TimeSpan.FromSeconds(5) }, (wait, _) =>
        {
            waits.Add(wait);
            return Task.CompletedTask;
        });

        await client.LookupAsync("phone", "110", TestContext.Current.CancellationToken);
        var refused = await Assert.ThrowsAsync<FlagApiException>(() => client.LookupAsync("phone", "110", TestContext.Current.CancellationToken));

        Assert.Equal(("rate_limited", HttpStatusCode.TooManyRequests), (refused.Code, refused.Status));
        Assert.True(refused.RetryAfter > TimeSpan.FromSeconds(5));
        Assert.Empty(waits);
    }

    [Fact]
    public async Task AServiceThatCannotBeReachedIsRetriedThenReported()
    {
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }; // the discard port: nothing listens
        var waits = new List<TimeSpan>();
        var client = new FlagApiClient(http, new FlagApiClientOptions { MaxRetries = 2 }, (wait, _) =>
        {
            waits.Add(wait);
            return Task.CompletedTask;
        });

        var failed = await Assert.ThrowsAsync<FlagApiException>(() => client.LookupAsync("phone", "110", TestContext.Current.CancellationToken));

        Assert.Equal("unreachable", failed.Code);
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], waits);
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
        using var http = new HttpClient(new Recorder(seen)) { BaseAddress = address };
        var client = new FlagApiClient(http);

        var url = await client.LookupPrivatelyAsync("url", "http://a.evil.example/1/2.html?x=1", TestContext.Current.CancellationToken);
        var phone = await client.LookupPrivatelyAsync("phone", "13900139000", TestContext.Current.CancellationToken);

        Assert.True(url.Flagged);
        Assert.Equal("evil.example/1/", Assert.Single(url.Matches).Expression);
        Assert.False(phone.Flagged);
        Assert.All(seen, body => Assert.DoesNotContain("evil", body, StringComparison.Ordinal));
        Assert.All(seen, body => Assert.DoesNotContain("139", body, StringComparison.Ordinal));
    }

    private async Task<(FlagApiFactory App, Uri Address)> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new FlagApiFactory(DatabaseProvider.Sqlite, await new SqliteTarget().CreateDatabaseAsync(), settings);
        started.Add(app);
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/"));
    }

    /// <summary>Keeps what the client sends, to show what the service is told.</summary>
    private sealed class Recorder(List<string> seen) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request.RequestUri!.PathAndQuery + " " + (request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken)));
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
