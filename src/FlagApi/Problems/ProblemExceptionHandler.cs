using System.Globalization;
using System.Text.Json;
using FlagApi.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlagApi.Problems;

/// <summary>
/// Maps the project's own refusals and the framework's bad-request exceptions to problem details
/// with a stable <c>code</c>, and an unreachable database to a 503 the client retries. Anything else is a 500
/// whose body says nothing about the internals.
/// </summary>
internal sealed class ProblemExceptionHandler(
    IProblemDetailsService problems, IOptions<DatabaseOptions> database, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    // An outage fails every write at once: one warning per interval says so, not a stack trace per request.
    private static readonly TimeSpan OutageLogInterval = TimeSpan.FromSeconds(30);
    private long lastOutageLog = long.MinValue;
    private long unloggedOutageFailures;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Describe(exception);
        if (problem.Extensions.TryGetValue("code", out var code) && ProblemCodes.DatabaseUnavailable.Equals(code))
        {
            httpContext.Response.Headers.RetryAfter = database.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            DatabaseFailures.ReleaseConnectionsAfter(exception);
            LogOutage(httpContext, exception);
        }
        else if (problem.Status >= 500 && exception is not ProblemException { Status: StatusCodes.Status503ServiceUnavailable })
        {
            // A 503 the service answers on purpose (the list still loading) is a state, not a failure; the request log has it.
            // The route template, not the path: paths carry tracking codes, and queries the identifiers looked up.
            var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
            logger.LogError(exception, "Unhandled exception for {Method} {Route}",
                httpContext.Request.Method, (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)");
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails Describe(Exception exception)
    {
        switch (exception)
        {
            case ProblemException p:
                var described = Create(p.Status, p.Code, p.Title, p.Detail, p.Errors);
                foreach (var (key, value) in p.Extensions ?? new Dictionary<string, object?>())
                {
                    described.Extensions[key] = value;
                }

                return described;

            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge:
                return Create(bad.StatusCode, ProblemCodes.BodyTooLarge, "The request body is too large", "The request body is larger than this endpoint accepts.");

            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status415UnsupportedMediaType:
                return Create(bad.StatusCode, ProblemCodes.UnsupportedMediaType, "Unsupported content type",
                    "Send the body as JSON with 'Content-Type: application/json'.");

            case BadHttpRequestException { InnerException: JsonException json }:
                return Create(StatusCodes.Status400BadRequest, ProblemCodes.InvalidJson, "The request body is not valid JSON", DescribeJson(json));

            case BadHttpRequestException bad when bad.InnerException is ProblemException inner:
                return Describe(inner);

            case BadHttpRequestException bad when bad.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal)
                || bad.Message.StartsWith("Required parameter \"", StringComparison.Ordinal) && bad.Message.Contains("was not provided from body", StringComparison.Ordinal):
                return Create(StatusCodes.Status400BadRequest, ProblemCodes.MissingBody, "The request body is missing", "This endpoint needs a JSON body.");

            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status400BadRequest:
                // The framework's binding messages name the parameter and the offending text, never internals.
                return Create(StatusCodes.Status400BadRequest, ProblemCodes.InvalidParameter, "A parameter is not valid", bad.Message);

            case BadHttpRequestException bad:
                return Create(bad.StatusCode, ProblemCodes.ForStatus(bad.StatusCode), "The request is not valid", bad.Message);

            case var failure when DatabaseFailures.IsUnavailable(failure):
                return Create(StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable, "The database is unavailable",
                    "The service cannot reach its database just now, so this request was not completed. " +
                    "Lookups still answer; send this request again after the number of seconds in the Retry-After header.");

            default:
                return Create(StatusCodes.Status500InternalServerError, ProblemCodes.InternalError, "An unexpected error occurred",
                    "The server could not complete the request. It has been logged; quote the traceId when reporting it.");
        }
    }

    private void LogOutage(HttpContext httpContext, Exception exception)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastOutageLog);
        if (last != long.MinValue && now - last < (long)OutageLogInterval.TotalMilliseconds
            || Interlocked.CompareExchange(ref lastOutageLog, now, last) != last)
        {
            Interlocked.Increment(ref unloggedOutageFailures);
            return;
        }

        // The route template, not the path: a path can carry an identifier someone looked up.
        // The handler runs with the endpoint cleared; the feature keeps the one that failed.
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no endpoint)";
        logger.LogWarning(
            "Database unavailable; answering 503 database_unavailable ({Method} {Route}, {Failures} more since the last warning): {Reason}",
            httpContext.Request.Method, route, Interlocked.Exchange(ref unloggedOutageFailures, 0), DatabaseFailures.Describe(exception));
    }

    private static string DescribeJson(JsonException json)
    {
        var where = json.Path is { Length: > 0 } path ? $" at {path}" : string.Empty;
        var line = json.LineNumber is { } l ? $" (line {l + 1}, byte {json.BytePositionInLine + 1})" : string.Empty;
        return $"The body could not be read as the expected JSON{where}{line}: check the syntax and that each field has the right type.";
    }

    private static ProblemDetails Create(int status, string code, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        if (errors is not null)
        {
            problem.Extensions["errors"] = errors;
        }

        return problem;
    }
}
