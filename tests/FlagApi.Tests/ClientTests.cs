using System.Net;
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

        Assert.Equal("clear", second.Verdict);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(waits));
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

    private async Task<(FlagApiFactory App, Uri Address)> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new FlagApiFactory(DatabaseProvider.Sqlite, await new SqliteTarget().CreateDatabaseAsync(), settings);
        started.Add(app);
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/"));
    }
}
