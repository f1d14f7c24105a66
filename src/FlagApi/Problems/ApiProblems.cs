using Microsoft.AspNetCore.Http.HttpResults;

namespace FlagApi.Problems;

/// <summary>Problem results with the project's <c>code</c> extension, for handlers that return rather than throw.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult BadRequest(string code, string detail) =>
        Problem(StatusCodes.Status400BadRequest, code, ProblemException.BadRequestTitle, detail);

    public static ProblemHttpResult Problem(int status, string code, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }
}
