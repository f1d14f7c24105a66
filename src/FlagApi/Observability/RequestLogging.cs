using System.Collections;
using System.Diagnostics;
using System.Net;
using FlagApi.Keys;
using FlagApi.Problems;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace FlagApi.Observability;

/// <summary>The connection's own peer, kept before trusted proxies' forwarded headers replace the address.</summary>
/// <param name="Peer">The address of the connection's other end, before <c>X-Forwarded-For</c> replaced it.</param>
public sealed record RequestOrigin(IPAddress? Peer);

/// <summary>Endpoint metadata: the endpoint changes nothing, whatever its method (a lookup sent as a POST).</summary>
public sealed class OnlyReads
{
    public static readonly OnlyReads Instance = new();

    private OnlyReads()
    {
    }
}

/// <summary>
/// The <c>RequestLog</c> section: which answered requests get a line. Writes and refusals always do; a read (a GET or
/// HEAD, or a lookup sent as a POST) that succeeded gets one only when it was slow or drawn in the sample, because at
/// tens of thousands of lookups a second a line each costs a third of the service's speed and says nothing that the
/// request counters do not.
/// </summary>
public sealed class RequestLogOptions
{
    public const string Section = "RequestLog";

    /// <summary>A read that took at least this long is logged.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan SlowThreshold { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The share of the other successful reads that is logged, from 0 (none) to 1 (every one).</summary>
    [Range(0.0, 1.0)]
    public double SampleRate { get; set; } = 0.001;
}

/// <summary>
/// The first middleware: opens the scope that puts the request id and endpoint name on every line logged for the
/// request, and writes one line when it is answered, if <see cref="RequestLogOptions"/> says so. The line names the
/// route template, never the path or query, which carry the identifiers looked up (<c>/v1/lookup/phone?value=…</c>) and
/// appeal tracking codes, and says why it was written (<c>LoggedAs</c>: write, refusal, slow or sample).
/// </summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, RequestLog log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var scope = new RequestLog.RequestScope(context);
        using (log.Logger.BeginScope(scope))
        {
            try
            {
                await next(context);
            }
            finally
            {
                scope.Complete();
                log.Finish(context, scope, started);
            }
        }
    }
}

/// <summary>
/// Which answered requests get a line, and the line: shared by <see cref="RequestLoggingMiddleware"/> and the direct
/// lookup path, which answers in front of that middleware and opens the request's scope only for a line it writes.
/// </summary>
internal sealed class RequestLog(ILoggerFactory loggers, IOptions<RequestLogOptions> options)
{
    public const string Category = "FlagApi.Requests";

    private readonly long slowTicks = (long)(options.Value.SlowThreshold.TotalSeconds * Stopwatch.Frequency);
    private readonly double sampleRate = options.Value.SampleRate;

    public ILogger Logger { get; } = loggers.CreateLogger(Category);

    /// <summary>Writes the line of a request answered since <paramref name="started"/> in <paramref name="scope"/>, if it gets one.</summary>
    public void Finish(HttpContext context, RequestScope scope, long started)
    {
        var elapsed = Stopwatch.GetTimestamp() - started;
        if (Logger.IsEnabled(LogLevel.Information) && LoggedAs(context, scope.Endpoint, elapsed) is { } reason)
        {
            Log(context, scope.Route ?? "(no route)", elapsed * 1000.0 / Stopwatch.Frequency, reason);
        }
    }

    /// <summary>
    /// The same for a request answered outside <see cref="RequestLoggingMiddleware"/>: its scope, with the same request id
    /// and endpoint, is opened around the line when there is one, so a lookup that gets none costs no scope.
    /// </summary>
    public void Finish(HttpContext context, long started)
    {
        var elapsed = Stopwatch.GetTimestamp() - started;
        if (Logger.IsEnabled(LogLevel.Information) && LoggedAs(context, context.GetEndpoint(), elapsed) is { } reason)
        {
            var scope = new RequestScope(context);
            using (Logger.BeginScope(scope))
            {
                Log(context, scope.Route ?? "(no route)", elapsed * 1000.0 / Stopwatch.Frequency, reason);
            }

            scope.Complete();
        }
    }

    /// <summary>Why this request gets a line, or null when it gets none.</summary>
    private string? LoggedAs(HttpContext context, Endpoint? endpoint, long elapsed)
    {
        if (context.Response.StatusCode >= StatusCodes.Status400BadRequest)
        {
            return "refusal";
        }

        if (!IsRead(context.Request.Method, endpoint))
        {
            return "write";
        }

        if (elapsed >= slowTicks)
        {
            return "slow";
        }

        return sampleRate > 0 && (sampleRate >= 1 || Random.Shared.NextDouble() < sampleRate) ? "sample" : null;
    }

    /// <summary>A GET or HEAD, or a POST to an endpoint that only reads (a batch lookup, a hash-prefix lookup).</summary>
    private static bool IsRead(string method, Endpoint? endpoint) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || endpoint?.Metadata.GetMetadata<OnlyReads>() is not null;

    private void Log(HttpContext context, string route, double elapsedMs, string reason)
    {
        var request = context.Request;
        var status = context.Response.StatusCode;
        if (context.User.KeyId() is { } keyId)
        {
            Logger.LogInformation(
                "{Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms to key {KeyId} ({Role}), logged as {LoggedAs}",
                request.Method, route, status, elapsedMs, keyId, context.User.Role(), reason);
        }
        else
        {
            Logger.LogInformation(
                "{Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms to an anonymous caller, logged as {LoggedAs}",
                request.Method, route, status, elapsedMs, reason);
        }
    }

    /// <summary>
    /// Read when a line is written, because the endpoint is only known after routing, which runs later in
    /// the pipeline; fixed when the request ends, so work that outlives the request never reads a recycled context.
    /// </summary>
    internal sealed class RequestScope(HttpContext context) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        // The request's trace (ASP.NET Core starts one per request): its id is only turned into text when a line needs it.
        private readonly Activity? activity = Activity.Current;
        private HttpContext? live = context;
        private Endpoint? ended;
        private string? requestId;

        public int Count => 2;

        public string? Route => (Endpoint as RouteEndpoint)?.RoutePattern.RawText;

        public Endpoint? Endpoint => live is { } c ? c.GetEndpoint() ?? c.Features.Get<IExceptionHandlerFeature>()?.Endpoint : ended;

        private string RequestId => requestId ??= activity is { } a ? a.TraceId.ToHexString() : live?.TraceIdentifier ?? "";

        private string? EndpointName =>
            Endpoint is { } e ? e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? Route : null;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("RequestId", RequestId),
            1 => new("Endpoint", EndpointName),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public void Complete()
        {
            if (activity is null)
            {
                _ = RequestId;
            }

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

        public override string ToString() => $"RequestId:{RequestId} Endpoint:{EndpointName}";
    }
}
