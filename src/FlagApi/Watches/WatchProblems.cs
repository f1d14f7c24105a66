using FlagApi.Problems;

namespace FlagApi.Watches;

/// <summary>The stable <c>code</c>s of the watch routes' refusals, and the problems (to throw) that carry them.</summary>
public static class WatchProblems
{
    public const string MissingEmail = "missing_email";
    public const string InvalidEmail = "invalid_email";
    public const string MissingCode = "missing_code";
    public const string WrongCode = "wrong_code";
    public const string CodeExpired = "code_expired";
    public const string TooManyAttempts = "too_many_attempts";
    public const string WatchExists = "watch_exists";
    public const string WatchNotFound = "watch_not_found";
    public const string WatchChanged = "watch_changed";

    public static ProblemException Conflict(string code, string title, string detail) =>
        new(StatusCodes.Status409Conflict, code, title, detail);

    public static ProblemException NotFound() => new(
        StatusCodes.Status404NotFound,
        WatchNotFound,
        "No such watch",
        "No watch matches this id and token. Check both: the token is the one shown once when you subscribed.");

    public static ProblemException Changed() => Conflict(
        WatchChanged, "The watch changed meanwhile", "The watch changed while this request was being handled; read it again and retry.");

    public static ProblemException InvalidTransition(string status, string action) => Conflict(
        Appeals.ReviewProblemCodes.InvalidTransition,
        "Not possible in the watch's current state",
        $"The watch is {status.Replace('_', ' ')}; {action}.");
}
