using FlagApi.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlagApi.Observability;

/// <summary><c>/metrics</c> for Prometheus.</summary>
public static class MetricsEndpoints
{
    /// <summary><c>GET /metrics</c> when <c>Metrics:Enabled</c> is true: outside the OpenAPI document, without rate limits.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            return app;
        }

        // Now rather than at the first scrape: counters count from the start.
        app.ServiceProvider.GetRequiredService<MetricsCollector>();
        app.MapGet(ObservabilityExtensions.MetricsPath, Scrape)
            .WithName("Metrics")
            .ExcludeFromDescription();
        return app;
    }

    public static Results<ContentHttpResult, ProblemHttpResult> Scrape(HttpContext context, MetricsCollector collector, MetricsAccess access)
    {
        // The connection's own peer: a forwarded-for header is what any client can write.
        if (context.Features.Get<RequestOrigin>() is not { } origin || !access.Allows(origin.Peer))
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, MetricsProblems.Forbidden, "Metrics are not served to this address",
                "This address is not in Metrics:AllowedNetworks; scrape /metrics from an allowed network.");
        }

        return TypedResults.Text(collector.Render(), PrometheusText.ContentType);
    }
}

public static class MetricsProblems
{
    public const string Forbidden = "metrics_forbidden";
}
