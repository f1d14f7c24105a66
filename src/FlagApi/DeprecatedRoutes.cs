using System.Globalization;

namespace FlagApi;

/// <summary>
/// Endpoint metadata: a route kept for existing callers after it was replaced. Every answer on it, refusals included,
/// says since when it is deprecated (RFC 9745 <c>Deprecation</c>), its last day (RFC 8594 <c>Sunset</c>) and the same
/// request on its successor (RFC 8288 <c>Link</c>, <c>rel="successor-version"</c>). docs/deprecations.md lists them.
/// </summary>
public sealed record DeprecatedRoute(DateTimeOffset Since, DateTimeOffset Sunset, string OldPrefix, string NewPrefix)
{
    internal void Announce(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["Deprecation"] = "@" + Since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        headers["Sunset"] = Sunset.ToString("R", CultureInfo.InvariantCulture);
        var path = context.Request.Path.Value ?? string.Empty;
        if (path.StartsWith(OldPrefix, StringComparison.OrdinalIgnoreCase))
        {
            headers.Link = $"<{NewPrefix}{path[OldPrefix.Length..]}>; rel=\"successor-version\"";
        }
    }
}

public static class DeprecatedRoutes
{
    /// <summary>After routing, before authentication and the rate limiter, so their refusals carry the headers too.</summary>
    public static IApplicationBuilder UseDeprecatedRoutes(this IApplicationBuilder app)
    {
        app.Use((context, next) =>
        {
            context.GetEndpoint()?.Metadata.GetMetadata<DeprecatedRoute>()?.Announce(context);
            return next(context);
        });
        return app;
    }
}
