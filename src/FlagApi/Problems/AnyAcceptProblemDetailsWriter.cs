using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace FlagApi.Problems;

/// <summary>
/// Writes problem details when the framework's writer declines because the <c>Accept</c> header names no JSON type
/// (<c>Accept: text/html</c>, or bytes that are no media type at all). Registered after it, so it is only the fallback.
/// Errors of this API are problem+json whatever was asked for (RFC 9110 lets a server ignore Accept); without this,
/// the key check's 401 became a 500 with an empty body and a status page became plain text.
/// </summary>
internal sealed class AnyAcceptProblemDetailsWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        problem.Status ??= response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(response.WriteAsJsonAsync(problem, problem.GetType(), jsonOptions.Value.SerializerOptions, "application/problem+json"));
    }
}
