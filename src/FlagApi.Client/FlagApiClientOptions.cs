using FlagApi.Identifiers;

namespace FlagApi.Client;

public sealed class FlagApiClientOptions
{
    /// <summary>The service's address, e.g. <c>https://flagapi.example/</c>; may instead be set on the <see cref="HttpClient"/>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Sent as <c>X-Api-Key</c>; without one the client calls as an anonymous caller, at lower rate limits.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How often a refused (429, 503) or failed request is tried again.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The longest the client waits before a retry; a server asking for longer gets a <see cref="FlagApiException"/> at once.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The identifier rules used when the client canonicalizes and hashes locally (privacy mode, local copy); the server's defaults.</summary>
    public IdentifierOptions Identifiers { get; set; } = new();
}
