using Microsoft.AspNetCore.Http.HttpResults;
using FlagApi.Data;

namespace FlagApi.Appeals;

/// <summary>The stable <c>code</c>s of the appellant's refusals, and the problems that carry them.</summary>
public static class AppellantProblems
{
    public const string MissingAppellant = "missing_appellant";
    public const string MissingName = "missing_name";
    public const string MissingContact = "missing_contact";
    public const string MissingStatement = "missing_statement";
    public const string MissingMessage = "missing_message";
    public const string TooLong = "field_too_long";
    public const string InvalidEvidence = "invalid_evidence";
    public const string InvalidLink = "invalid_link";
    public const string TooManyEvidence = "too_many_evidence";
    public const string TooManyAttachments = "too_many_attachments";
    public const string InvalidAttachment = "invalid_attachment";
    public const string AttachmentTypeNotAllowed = "attachment_type_not_allowed";
    public const string AttachmentTooLarge = "attachment_too_large";
    public const string NotFlagged = "not_flagged";
    public const string AppealCooldown = "appeal_cooldown";
    public const string AppealNotFound = "appeal_not_found";
    public const string InvalidTransition = "invalid_transition";
    public const string AppealChanged = "appeal_changed";

    /// <summary>
    /// One answer for an unknown code, a missing token and a wrong one, so nobody can tell which codes exist. The instance is
    /// fixed for the same reason: the path would otherwise tell two of those answers apart.
    /// </summary>
    public static ProblemHttpResult NotFound() => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "No such appeal",
        detail: "No appeal matches this tracking code and access token. Check both: the token is the one shown once when the appeal was filed.",
        instance: "/v1/appeals",
        extensions: new Dictionary<string, object?> { ["code"] = AppealNotFound });

    public static ProblemHttpResult Conflict(string code, string title, string detail, IDictionary<string, object?>? more = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        foreach (var (key, value) in more ?? new Dictionary<string, object?>())
        {
            extensions[key] = value;
        }

        return TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: title, extensions: extensions);
    }

    public static ProblemHttpResult InvalidTransitionFrom(AppealStatus status, string action) => Conflict(
        InvalidTransition,
        "Not possible in the appeal's current state",
        $"The appeal is {Data.WireNames.Of(status).Replace('_', ' ')}; {action} only while it is open (submitted, in review or needing information).");

    public static ProblemHttpResult Changed() => Conflict(
        AppealChanged,
        "The appeal changed meanwhile",
        "A reviewer changed the appeal while this request was being handled; read it again and retry.");
}
