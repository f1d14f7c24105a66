using FlagApi.Problems;

namespace FlagApi.Portal;

public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>Serve the web portal at <c>/</c>; an API-only deployment turns it off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The address every page names as the only official portal (impostors copy public appeal pages).
    /// Empty shows the address the page was loaded from; a deployment should set its real one.
    /// </summary>
    public string OfficialAddress { get; set; } = "";
}

/// <summary>The web portal: static pages served from this process, calling the public API from the browser.</summary>
public static class PortalEndpoints
{
    /// <summary>The appeal page; with <c>?kind=…&amp;value=…</c> it opens filled in (a flagged answer's notice links to it).</summary>
    public const string AppealPage = "/appeal";

    /// <summary>The page routes and the file each one serves.</summary>
    public static readonly IReadOnlyDictionary<string, string> Pages = new Dictionary<string, string>
    {
        ["/"] = "index.html",
        ["/report"] = "report.html",
        [AppealPage] = "appeal.html",
        ["/track"] = "track.html",
        ["/review"] = "review.html",
        ["/stats"] = "stats.html",
    };

    public static IHostApplicationBuilder AddPortal(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalOptions>()
            .BindConfiguration(PortalOptions.Section)
            .Validate(o => o.OfficialAddress.Length == 0 || IsWebAddress(o.OfficialAddress), "Portal:OfficialAddress must be empty or an absolute http(s) address.")
            .ValidateOnStart();
        builder.Services.AddSingleton<PortalSite>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPortal(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<PortalOptions>>().Value.Enabled)
        {
            return app;
        }

        var group = app.MapGroup("").ExcludeFromDescription();
        foreach (var (route, file) in Pages)
        {
            group.MapGet(route, (HttpContext context, PortalSite site) => Serve(context, site, file));
        }

        group.MapGet("/portal/{**file}", Serve);
        return app;
    }

    public static IResult Serve(HttpContext context, PortalSite site, string? file)
    {
        if (file is null || !site.TryGet(file, out var asset))
        {
            return ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "Not Found", "There is no such file in the web portal.");
        }

        // nosniff, framing, referrer and CORP are on every response (Security/SecurityHeaders); these are the pages' own.
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = PortalSite.ContentSecurityPolicy;
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

        // Revalidated on every use, so a new release is never mixed with a cached older script.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static bool IsWebAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
