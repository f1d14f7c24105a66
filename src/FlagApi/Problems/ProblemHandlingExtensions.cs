using System.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;

namespace FlagApi.Problems;

public static class ProblemHandlingExtensions
{
    public static IHostApplicationBuilder AddProblemHandling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        RequestSizeLimits.Configure(builder.Services);
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", ProblemCodes.ForStatus(status));
            problem.Detail ??= ProblemCodes.DefaultDetail(status);
            problem.Extensions["traceId"] = TraceId(context.HttpContext);
            problem.Instance ??= context.HttpContext.Request.Path;
        });
        builder.Services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemDetailsWriter>();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();

        // Binding failures throw, so the exception handler can give them a stable code instead of an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
            o.SerializerOptions.MaxDepth = 32;

            // Numbers are JSON numbers both ways. The web default also reads "12" as 12, and the OpenAPI document then
            // declares every id and count as integer-or-string, which generated clients turn into untyped values.
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        return builder;
    }

    /// <summary>
    /// The id a problem carries as <c>traceId</c> and the request's log lines as <c>RequestId</c>: the 32 hex digits of
    /// the request's W3C trace id (the caller's, when it sent a <c>traceparent</c>), or ASP.NET's own request id without one.
    /// </summary>
    public static string TraceId(HttpContext context) => Activity.Current is { } request ? request.TraceId.ToHexString() : context.TraceIdentifier;

    public static IApplicationBuilder UseProblemHandling(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestSizeLimitMiddleware>();

        // Explicit routing so the body limit can read the endpoint's own limit from its metadata.
        app.UseRouting();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<JsonCharsetMiddleware>();
        app.UseMiddleware<QueryTextMiddleware>();
        return app;
    }
}
