using FlagApi.Observability;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FlagApi.RateLimiting;

public static class RateLimitingExtensions
{
    /// <summary><c>ConnectionStrings:Redis</c>: where the budgets are counted for every instance; empty, each counts its own.</summary>
    public const string RedisConnectionName = "Redis";

    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new CallerRateLimiter(
            services.GetRequiredService<IOptions<RateLimitingOptions>>(), services.GetService<SharedRateLimiter>()));

        // Without a Redis connection string the limits are each instance's own, as they always were.
        if (builder.Configuration.GetConnectionString(RedisConnectionName) is { } redis && !string.IsNullOrWhiteSpace(redis))
        {
            builder.Services.AddSingleton(services => new SharedRateLimiter(
                redis,
                services.GetRequiredService<IOptions<RateLimitingOptions>>(),
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<FlagApiMetrics>(),
                services.GetRequiredService<ILogger<SharedRateLimiter>>()));
        }

        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<RateLimitingOptions>>((forwarded, rateLimiting) =>
        {
            // Only the configured proxies: the defaults trust loopback, which would believe any local process.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();

            // Walk back through X-Forwarded-For while the hop is a trusted proxy, so chains of them work.
            forwarded.ForwardLimit = null;
            foreach (var proxy in rateLimiting.Value.TrustedProxies)
            {
                if (TrustedProxy.TryParse(proxy, out var address, out var network))
                {
                    if (address is not null)
                    {
                        forwarded.KnownProxies.Add(address);
                    }
                    else
                    {
                        forwarded.KnownIPNetworks.Add(network!.Value);
                    }
                }
            }
        });
        return builder;
    }

    /// <summary>
    /// After routing (the budget is endpoint metadata) and authentication (keyed callers have their own
    /// partition), before any handler reads the body: a refused request does no work.
    /// </summary>
    /// <summary>
    /// The client behind a trusted proxy (<c>RateLimiting:TrustedProxies</c>): its address, which anonymous budgets are
    /// counted by, and the scheme it used. Early in the pipeline, so everything after it, the direct lookup path included,
    /// sees the client rather than the proxy.
    /// </summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value;

        // With no known proxies the forwarded-headers middleware believes every peer: only add it with some.
        if (options.TrustedProxies.Count > 0)
        {
            // The connection's own peer, kept for what must never believe a forwarded header (who may read /metrics).
            app.Use(static (context, next) =>
            {
                context.Features.Set(new Observability.RequestOrigin(context.Connection.RemoteIpAddress));
                return next(context);
            });
            app.UseForwardedHeaders();
        }

        return app;
    }

    public static IApplicationBuilder UseRateLimits(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value.Enabled)
        {
            app.UseMiddleware<RateLimitMiddleware>();
        }

        return app;
    }
}
