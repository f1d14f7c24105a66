using Microsoft.AspNetCore.Cors;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace FlagApi.Security;

public sealed class CrossOriginOptions
{
    public const string Section = "Cors";

    /// <summary>
    /// The web origins (<c>https://partner.example</c>) whose pages may call the lookups from the browser. Empty: none.
    /// A wildcard is refused: any site could then make its visitors' browsers look identifiers up for it, spreading a
    /// scrape over their addresses and past the per-address anonymous budget.
    /// </summary>
    public List<string> LookupOrigins { get; set; } = [];
}

/// <summary>
/// Cross-origin access to the lookups (<c>/v1/lookup</c>, <c>/v1/hashes</c>) for the configured origins, and to nothing
/// else: the feed needs an app key, which must not live in a web page, and every other endpoint is for the API's own
/// clients or the portal, which is same-origin.
/// </summary>
public static class CrossOrigin
{
    public const string LookupPolicy = "lookups";

    /// <summary>Chromium caps a preflight's lifetime at two hours; ten minutes lets a changed origin list take effect soon.</summary>
    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromMinutes(10);

    public static IHostApplicationBuilder AddCrossOrigin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CrossOriginOptions>()
            .BindConfiguration(CrossOriginOptions.Section)
            .Validate(o => o.LookupOrigins.All(origin => TryNormalize(origin, out _)),
                "Cors:LookupOrigins must hold web origins only: an absolute http(s) address with no path, query or user (https://partner.example); '*' is not allowed.")
            .ValidateOnStart();
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<CrossOriginOptions>>((cors, origins) =>
            cors.AddPolicy(LookupPolicy, policy => policy
                .WithOrigins([.. origins.Value.LookupOrigins.Select(o => TryNormalize(o, out var normalized) ? normalized : o)])
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders(Keys.ApiKeyAuthenticationHandler.Header, HeaderNames.ContentType)
                .WithExposedHeaders(HeaderNames.ETag, HeaderNames.RetryAfter, RateLimiting.RateLimitMiddleware.HeaderLimit, RateLimiting.RateLimitMiddleware.HeaderPolicy)
                .SetPreflightMaxAge(PreflightMaxAge)));
        return builder;
    }

    /// <summary>After routing, so the endpoint's policy is known; before authentication, so a preflight needs no key.</summary>
    public static IApplicationBuilder UseCrossOrigin(this IApplicationBuilder app)
    {
        // An answer to a lookup differs by Origin whether or not this request sent one: a cache must not hand a
        // same-origin answer (no Access-Control-Allow-Origin) to a partner's page, or the reverse. Registered before the
        // CORS middleware, so this runs after it has added its own Vary (start-of-response callbacks run last first).
        app.Use(static (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<IEnableCorsAttribute>() is { PolicyName: LookupPolicy })
            {
                context.Response.OnStarting(static state =>
                {
                    VaryByOrigin(((HttpContext)state).Response.Headers);
                    return Task.CompletedTask;
                }, context);
            }

            return next(context);
        });
        app.UseCors();
        return app;
    }

    /// <summary>Says that the answer differs by <c>Origin</c>, unless it says so already.</summary>
    internal static void VaryByOrigin(IHeaderDictionary headers)
    {
        if (!VariesByOrigin(headers.Vary))
        {
            headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        }
    }

    private static bool VariesByOrigin(StringValues vary)
    {
        foreach (var value in vary)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The lookups' cross-origin policy, on their endpoint groups.</summary>
    public static TBuilder AllowLookupOrigins<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireCors(LookupPolicy);

    /// <summary>
    /// An origin as a browser sends it (<c>scheme://host[:port]</c>, lowercase, no default port), or false for anything
    /// else: a path, query, fragment or user, another scheme, <c>*</c>, or <c>null</c> (sandboxed pages and files).
    /// </summary>
    public static bool TryNormalize(string? value, out string origin)
    {
        origin = "";
        if (string.IsNullOrWhiteSpace(value)
            || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.UserInfo.Length > 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return false;
        }

        origin = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
        return true;
    }
}
