using FlagApi.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlagApi.Observability;

/// <summary><c>/metrics</c> for Prometheus, written by OpenTelemetry's Prometheus exporter.</summary>
public static class MetricsEndpoints
{
    /// <summary><c>GET /metrics</c> when <c>Metrics:Enabled</c> is true: outside the OpenAPI document, without rate limits.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            return app;
        }

        // The exporter's branch runs the access rule first, so a refused scraper never starts a collection.
        app.MapPrometheusScrapingEndpoint(
                ObservabilityExtensions.MetricsPath, meterProvider: null, configureBranchedPipeline: branch => branch.Use(RefuseOutsideAllowedNetworks), optionsName: null)
            .WithName("Metrics")
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>The answer to a scraper outside <c>Metrics:AllowedNetworks</c>.</summary>
    public static ProblemHttpResult Forbidden() =>
        ApiProblems.Problem(StatusCodes.Status403Forbidden, MetricsProblems.Forbidden, "Metrics are not served to this address",
            "This address is not in Metrics:AllowedNetworks; scrape /metrics from an allowed network.");

    private static Task RefuseOutsideAllowedNetworks(HttpContext context, RequestDelegate next)
    {
        // The connection's own peer: a forwarded-for header is what any client can write.
        var access = context.RequestServices.GetRequiredService<MetricsAccess>();
        // Set only where trusted proxies' forwarded headers may replace the connection's address.
        var peer = context.Features.Get<RequestOrigin>() is { } origin ? origin.Peer : context.Connection.RemoteIpAddress;
        return access.Allows(peer)
            ? next(context)
            : Forbidden().ExecuteAsync(context);
    }
}

public static class MetricsProblems
{
    public const string Forbidden = "metrics_forbidden";
}
