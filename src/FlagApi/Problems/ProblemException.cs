namespace FlagApi.Problems;

/// <summary>A refusal the client can act on; <see cref="ProblemExceptionHandler"/> turns it into problem details.</summary>
public sealed class ProblemException(int status, string code, string title, string detail, IDictionary<string, string[]>? errors = null)
    : Exception(detail)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string Detail { get; } = detail;

    public IDictionary<string, string[]>? Errors { get; } = errors;
}
