namespace FlagApi.Problems;

/// <summary>
/// A refusal the client can act on; <see cref="ProblemExceptionHandler"/> turns it into problem details. Services throw it
/// (or hand one back to an endpoint that decides); only endpoints and this folder's infrastructure produce HTTP results.
/// </summary>
public sealed class ProblemException(
    int status, string code, string title, string detail, IDictionary<string, string[]>? errors = null, IReadOnlyDictionary<string, object?>? extensions = null)
    : Exception(detail)
{
    /// <summary>The title every 400 of the project carries.</summary>
    public const string BadRequestTitle = "The request is not valid";

    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string Detail { get; } = detail;

    public IDictionary<string, string[]>? Errors { get; } = errors;

    /// <summary>Members the problem carries after <c>code</c> (and <c>errors</c>): what the client needs to act, such as when to try again.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; } = extensions;

    /// <summary>A 400 with the project's title.</summary>
    public static ProblemException BadRequest(string code, string detail) => new(StatusCodes.Status400BadRequest, code, BadRequestTitle, detail);
}
