using System.Collections;
using System.Diagnostics;
using System.Net;
using FlagApi.Keys;
using FlagApi.Problems;
using Microsoft.AspNetCore.Diagnostics;

namespace FlagApi.Observability;

/// <summary>What the first middleware saw of a request, before any other middleware changed it.</summary>
/// <param name="Peer">The address of the connection's other end, before <c>X-Forwarded-For</c> replaced it.</param>
public sealed record RequestOrigin(IPAddress? Peer);

/// <summary>
/// The first middleware: opens the scope that puts the request id and endpoint name on every line
/// logged for the request, and writes one line when it is answered. The line names the route template,
/// never the path or query, which carry the identifiers looked up (<c>/v1/lookup/phone?value=…</c>)
/// and appeal tracking codes.
/// </summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, ILoggerFactory loggers)
{
    public const string Category = "FlagApi.Requests";

    private readonly ILogger logger = loggers.CreateLogger(Category);

    public async Task InvokeAsync(HttpContext context)
    {
        context.Features.Set(new RequestOrigin(context.Connection.RemoteIpAddress));
        var started = Stopwatch.GetTimestamp();
        var scope = new RequestScope(context);
        using (logger.BeginScope(scope))
        {
            try
            {
                await next(context);
            }
            finally
            {
                scope.Complete();
                if (logger.IsEnabled(LogLevel.Information))
                {
                    Log(context, scope.Route ?? "(no route)", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }
    }

    private void Log(HttpContext context, string route, double elapsedMs)
    {
        var request = context.Request;
        var status = context.Response.StatusCode;
        if (context.User.KeyId() is { } keyId)
        {
            logger.LogInformation(
                "{Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms to key {KeyId} ({Role})",
                request.Method, route, status, elapsedMs, keyId, context.User.Role());
        }
        else
        {
            logger.LogInformation(
                "{Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms to an anonymous caller",
                request.Method, route, status, elapsedMs);
        }
    }

    /// <summary>The id the problem details of this request carry as <c>traceId</c>, so a client quoting it finds the lines.</summary>
    public static string RequestId(HttpContext context) => ProblemHandlingExtensions.TraceId(context);

    /// <summary>
    /// Read when a line is written, because the endpoint is only known after routing, which runs later in
    /// the pipeline; fixed when the request ends, so work that outlives the request never reads a recycled context.
    /// </summary>
    private sealed class RequestScope(HttpContext context) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly string requestId = RequestId(context);
        private HttpContext? live = context;
        private Endpoint? ended;

        public int Count => 2;

        public string? Route => (Endpoint as RouteEndpoint)?.RoutePattern.RawText;

        private Endpoint? Endpoint => live is { } c ? c.GetEndpoint() ?? c.Features.Get<IExceptionHandlerFeature>()?.Endpoint : ended;

        private string? EndpointName =>
            Endpoint is { } e ? e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? Route : null;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("RequestId", requestId),
            1 => new("Endpoint", EndpointName),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public void Complete()
        {
            ended = Endpoint;
            live = null;
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{requestId} Endpoint:{EndpointName}";
    }
}
