using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace FlagApi.Client;

/// <summary>Registers <see cref="FlagApiClient"/> as a typed client of <see cref="IHttpClientFactory"/>, with retries.</summary>
public static class FlagApiClientServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the factory makes for <see cref="FlagApiClient"/>.</summary>
    public const string HttpClientName = "FlagApi";

    /// <summary>
    /// Registers <see cref="FlagApiClient"/> with the options <paramref name="configure"/> sets, behind the standard
    /// resilience handler (Microsoft.Extensions.Http.Resilience): a 429 or 503 is retried after its <c>Retry-After</c>,
    /// up to <see cref="FlagApiClientOptions.MaxRetries"/> times and for waits up to
    /// <see cref="FlagApiClientOptions.MaxRetryDelay"/>; network failures and 5xx after a growing pause. Only requests
    /// that change nothing are retried: GETs, and the POSTs that only read (batch and hash-prefix lookups).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the address, the key and the client's patience.</param>
    /// <returns>The client's builder, for handlers of the caller's own (added after the resilience handler, so inside its retries).</returns>
    public static IHttpClientBuilder AddFlagApiClient(this IServiceCollection services, Action<FlagApiClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Register(services, services.AddOptions<FlagApiClientOptions>().Configure(configure));
    }

    /// <summary>
    /// Registers <see cref="FlagApiClient"/> with options bound from a configuration section (e.g.
    /// <c>builder.Configuration.GetSection("FlagApi")</c>, keys <c>BaseAddress</c>, <c>ApiKey</c>, <c>MaxRetries</c>,
    /// <c>MaxRetryDelay</c>, <c>AttemptTimeout</c>, <c>Timeout</c>, <c>Identifiers:DefaultPhoneRegion</c>), with the
    /// retries described at <see cref="AddFlagApiClient(IServiceCollection, Action{FlagApiClientOptions})"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <returns>The client's builder, for handlers of the caller's own.</returns>
    public static IHttpClientBuilder AddFlagApiClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Register(services, services.AddOptions<FlagApiClientOptions>().Bind(configuration));
    }

    private static IHttpClientBuilder Register(IServiceCollection services, OptionsBuilder<FlagApiClientOptions> options)
    {
        options
            .Validate(o => o.BaseAddress is null || o.BaseAddress.IsAbsoluteUri, "FlagApi BaseAddress must be an absolute address, e.g. https://flagapi.example/.")
            .Validate(o => o.MaxRetries is >= 0 and <= 10, "FlagApi MaxRetries must be from 0 to 10.")
            .Validate(o => o.MaxRetryDelay >= TimeSpan.Zero, "FlagApi MaxRetryDelay must not be negative.")
            .Validate(o => o.AttemptTimeout >= TimeSpan.FromSeconds(1) && o.AttemptTimeout <= o.Timeout, "FlagApi AttemptTimeout must be at least a second and at most Timeout.")
            .Validate(o => o.Timeout <= TimeSpan.FromHours(1), "FlagApi Timeout must be at most an hour.");

        var builder = services
            .AddHttpClient(HttpClientName, (provider, http) =>
            {
                // The resilience handler owns the deadlines (FlagApiClientOptions.Timeout); a second, shorter one here would cut its retries short.
                http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
                http.BaseAddress = provider.GetRequiredService<IOptions<FlagApiClientOptions>>().Value.BaseAddress;
            })
            // Connections are renewed by the pool, not by rotating handlers, so a FlagApiClient kept for the app's life (a LocalCopy's) still follows DNS.
            .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(2))
            .SetHandlerLifetime(System.Threading.Timeout.InfiniteTimeSpan)
            .AddTypedClient((http, provider) => new FlagApiClient(http, provider.GetRequiredService<IOptions<FlagApiClientOptions>>().Value));
        builder.AddStandardResilienceHandler()
            .Configure((resilience, provider) => FlagApiResilience.Apply(resilience, provider.GetRequiredService<IOptions<FlagApiClientOptions>>().Value));
        return builder;
    }
}
