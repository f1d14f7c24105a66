using FlagApi.Identifiers;

namespace FlagApi.Client;

/// <summary>
/// Where the service is, how the client identifies itself, and how patient it is. Bound from configuration by
/// <see cref="FlagApiClientServiceCollectionExtensions.AddFlagApiClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>
/// (keys as the property names: <c>BaseAddress</c>, <c>ApiKey</c>, <c>MaxRetries</c>, …).
/// </summary>
public sealed class FlagApiClientOptions
{
    /// <summary>The service's address, e.g. <c>https://flagapi.example/</c>; may instead be set on the <see cref="HttpClient"/>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Sent as <c>X-Api-Key</c>; without one the client calls as an anonymous caller, at lower rate limits.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How often a request refused for load (429, 503), failed on the network or timed out is tried again (0 to 10).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The longest <c>Retry-After</c> the client waits for; a service asking for longer gets a <see cref="FlagApiException"/> at once.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one try may take until the answer's headers arrive; a long poll of the feed gets its wait on top.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one call may take with all its tries and waits; a long poll of the feed gets its wait on top.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>The identifier rules used when the client canonicalizes and hashes locally (privacy mode, local copy); the server's defaults.</summary>
    public IdentifierOptions Identifiers { get; set; } = new();
}
