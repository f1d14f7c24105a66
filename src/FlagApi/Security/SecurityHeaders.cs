using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Primitives;

namespace FlagApi.Security;

/// <summary>
/// The headers every response carries, problem responses of every status included. A page that needs more than a JSON
/// API (the portal sets its own, stricter policy; Swagger UI needs to run its scripts) keeps or gets its own policy.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>A JSON document is never a page: it may load nothing and be framed by nothing.</summary>
    public const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// Swagger UI: its own scripts, styles and images from this origin, the document fetched from it. Its stylesheet sets
    /// inline styles and its schema icons are data: SVGs; nothing else, and never a third-party validator badge.
    /// </summary>
    public const string SwaggerContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// One year, sent only on requests this process received over HTTPS: behind a TLS-terminating proxy (the usual
    /// deployment) the request is plain HTTP here, and the proxy must send its own.
    /// </summary>
    public const string StrictTransportSecurity = "max-age=31536000";

    public const string SwaggerPath = "/swagger";

    public static IHostApplicationBuilder AddSecurityHeaders(this IHostApplicationBuilder builder)
    {
        // The Server header only tells a scanner which exploits to try first.
        builder.Services.Configure<KestrelServerOptions>(o => o.AddServerHeader = false);
        return builder;
    }

    /// <summary>
    /// Early in the pipeline, and applied when the response starts: the exception handler and the status-code pages
    /// rewrite responses after the endpoint ran (clearing its headers), and these must be on what they write too.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state => Apply((HttpContext)state), context);
            return next(context);
        });
        return app;
    }

    /// <summary>Puts the headers on <paramref name="context"/>'s response; the direct lookup path calls it as it writes its answer.</summary>
    internal static Task Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";

        // Refuses no-cors embedding (<script>, <img>) by other sites; a CORS fetch of a lookup is not subject to it.
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (StringValues.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(SwaggerPath, StringComparison.OrdinalIgnoreCase)
                ? SwaggerContentSecurityPolicy
                : ApiContentSecurityPolicy;
        }

        // Keys, appeal tokens, appellants' contacts and reviewers' views must not stay in a browser's or a proxy's cache.
        // Endpoints whose answers are public and meant to be cached (hashes, the feed snapshot, portal files) say so themselves.
        if (StringValues.IsNullOrEmpty(headers.CacheControl))
        {
            headers.CacheControl = "no-store";
        }

        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = StrictTransportSecurity;
        }

        return Task.CompletedTask;
    }
}
