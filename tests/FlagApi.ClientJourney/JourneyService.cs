using System.Collections.Concurrent;
using FlagApi.ClientJourney.Generated;
using FlagApi.ClientJourney.Generated.Models;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Resilience;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace FlagApi.ClientJourney;

/// <summary>The journeys share one service: starting one takes seconds, and each journey works on identifiers of its own.</summary>
[CollectionDefinition(nameof(JourneyService))]
public sealed class Journeys : ICollectionFixture<JourneyService>;

/// <summary>
/// The built service in a process of its own over a fresh SQLite database, with an admin, a publisher and a reviewer
/// key; the journeys reach it only through the client Kiota generated from openapi/v1.json.
/// </summary>
public sealed class JourneyService : IAsyncLifetime
{
    private readonly ConcurrentBag<HttpClientRequestAdapter> adapters = [];
    private ServiceHost host = null!;

    /// <summary>The agency the publisher key is bound to.</summary>
    public static string Agency => ServiceHost.Agency;

    public string AdminKey => host.AdminKey;

    public string PublisherKey => host.PublisherKey;

    public string ReviewerKey => host.ReviewerKey;

    public FlagApiClient Anonymous { get; private set; } = null!;

    public FlagApiClient Admin { get; private set; } = null!;

    public FlagApiClient Publisher { get; private set; } = null!;

    public FlagApiClient Reviewer { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        // Figures computed on every call, so a journey sees its own report and list in the stats at once.
        host = await ServiceHost.StartAsync(new SqliteServiceDatabase(), new Dictionary<string, string> { ["Stats__CacheDuration"] = "00:00:00" });
        Anonymous = Client(null);
        Admin = Client(AdminKey);
        Publisher = Client(PublisherKey);
        Reviewer = Client(ReviewerKey);
    }

    /// <summary>A client that sends <paramref name="key"/> in <c>X-Api-Key</c>, or no key at all.</summary>
    public FlagApiClient Client(string? key)
    {
        IAuthenticationProvider authentication = key is null ? new AnonymousAuthenticationProvider() : new ApiKeyHeader(key);
        var adapter = new HttpClientRequestAdapter(authentication) { BaseUrl = host.Process.Address.ToString().TrimEnd('/') };
        adapters.Add(adapter);
        return new FlagApiClient(adapter);
    }

    /// <summary>Issues a key of <paramref name="role"/> with the admin key and answers a client that sends it.</summary>
    public async Task<FlagApiClient> ClientWithNewKeyAsync(Role role, string? agency = null)
    {
        var created = await Admin.V1.Keys.PostAsync(new CreateKeyRequest { Name = $"journey {role}", Role = role, Agency = agency });
        return Client(created!.Key);
    }

    /// <summary>Publishes a list of <paramref name="rows"/> under <paramref name="reference"/> with the publisher key.</summary>
    /// <param name="headers">Given the answer's headers, when the journey reads them.</param>
    public async Task<ListUploadResult> PublishAsync(string reference, ListUploadRow[] rows, HeadersInspectionHandlerOption? headers = null)
    {
        var list = new ListUploadRequest { Reference = reference, Title = $"Journey list {reference}", PublishedOn = new Date(2026, 1, 5), Entries = [.. rows] };
        return (await Publisher.V1.Batches.PostAsync(list, c => c.Options.Add(headers ?? new HeadersInspectionHandlerOption())))!;
    }

    /// <summary>A request option that keeps the answer's headers, which the generated methods do not return.</summary>
    public static HeadersInspectionHandlerOption ResponseHeaders() => new() { InspectResponseHeaders = true };

    public static ListUploadRow Row(IdentifierKind kind, string value, Category category = Category.Other) =>
        new() { Kind = kind, Value = value, Category = category, Risk = Risk.High };

    /// <summary>The service's output, for an assertion message.</summary>
    public string Describe() => host.Describe();

    public async ValueTask DisposeAsync()
    {
        foreach (var adapter in adapters)
        {
            adapter.Dispose();
        }

        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>
    /// <c>X-Api-Key</c> on every request. Kiota's own ApiKeyAuthenticationProvider refuses any scheme but https, and the
    /// service under test listens on plain http on loopback.
    /// </summary>
    private sealed class ApiKeyHeader(string key) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.Add("X-Api-Key", key);
            return Task.CompletedTask;
        }
    }
}
