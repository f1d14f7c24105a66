using FlagApi.Data;
using FlagApi.Problems;

namespace FlagApi.Appeals;

/// <summary>The stable <c>code</c>s of the appellant's refusals, and the problems (to throw) that carry them.</summary>
public static class AppellantProblems
{
    public const string MissingAppellant = "missing_appellant";
    public const string MissingName = "missing_name";
    public const string MissingContact = "missing_contact";
    public const string MissingStatement = "missing_statement";
    public const string TooLong = "field_too_long";
    public const string TooManyAttachments = "too_many_attachments";
    public const string InvalidAttachment = "invalid_attachment";
    public const string AttachmentTypeNotAllowed = "attachment_type_not_allowed";
    public const string AttachmentTooLarge = "attachment_too_large";
    public const string NotFlagged = "not_flagged";
    public const string AppealCooldown = "appeal_cooldown";
    public const string AppealNotFound = "appeal_not_found";
    public const string AppealChanged = "appeal_changed";
    public const string InvalidOwnerSince = "invalid_owner_since";
    public const string FlagNotOlderThanOwnership = "flag_not_older_than_ownership";
    public const string InvalidLanguage = "invalid_language";

    public static ProblemException Conflict(string code, string title, string detail, IReadOnlyDictionary<string, object?>? more = null) =>
        new(StatusCodes.Status409Conflict, code, title, detail, extensions: more);

    public static ProblemException InvalidTransitionFrom(AppealStatus status, string action) => Conflict(
        ReviewProblemCodes.InvalidTransition,
        "Not possible in the appeal's current state",
        $"The appeal is {Data.WireNames.Of(status).Replace('_', ' ')}; {action} only while it is open (submitted, in review or needing information).");

    public static ProblemException Changed() => Conflict(
        AppealChanged,
        "The appeal changed meanwhile",
        "A reviewer changed the appeal while this request was being handled; read it again and retry.");
}
