using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace FlagApi.Problems;

/// <summary>
/// Maps the project's own refusals and the framework's bad-request exceptions to problem details
/// with a stable <c>code</c>. Anything else is a 500 whose body says nothing about the internals.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Describe(exception);
        if (problem.Status >= 500)
        {
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
                return Create(p.Status, p.Code, p.Title, p.Detail, p.Errors);

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

            default:
                return Create(StatusCodes.Status500InternalServerError, ProblemCodes.InternalError, "An unexpected error occurred",
                    "The server could not complete the request. It has been logged; quote the traceId when reporting it.");
        }
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
