using FlagApi.Data;
using FlagApi.Notifications;

namespace FlagApi.Appeals;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): Appeals: filing and following one (appellants), and their review.</summary>
internal sealed class AppealApiLimits : ApiDeclaration
{
    /// <summary>
    /// Made by <see cref="AppealSecrets.NewAccessToken"/> (grouped, typed in any case with spaces and dashes) or an old
    /// <c>at_</c> token; any other text, or a longer one, is no token (404 appeal_not_found).
    /// </summary>
    private static readonly Limit AccessToken = new(
        _ => AppealSecrets.MaxTokenInputLength,
        Pattern: $"^(at_[A-Za-z0-9_-]+|[{AppealSecrets.TokenInputCharacters}]+)$");

    public override IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; } = new Dictionary<(Type Record, string Member), Limit>
    {
        [(typeof(AppealRequest), "kind")] = IdentifierKinds,
        [(typeof(AppealRequest), "value")] = IdentifierValue,
        [(typeof(AppealRequest), "statement")] = Text(AppealSubmissionService.MaxStatementLength),
        [(typeof(AppealRequest), "evidence")] = Items(AppealSubmissionService.MaxEvidenceItems),
        [(typeof(AppealRequest), "attachments")] = Items<AppealsOptions>(o => o.MaxAttachments),
        [(typeof(AppealRequest), "ownerSince")] = Date,
        [(typeof(AppealRequest), "language")] = Text(NoticeLanguages.MaxTagLength),
        [(typeof(AppellantDetails), "name")] = Text(AppealSubmissionService.MaxNameLength),
        [(typeof(AppellantDetails), "contact")] = Text(AppealSubmissionService.MaxContactLength),
        [(typeof(EvidenceItem), "type")] = EvidenceType,
        [(typeof(EvidenceItem), "text")] = Text(AppealSubmissionService.MaxEvidenceTextLength),
        [(typeof(EvidenceItem), "url")] = Text(_ => AppealSubmissionService.MaxLinkLength, "uri"),
        [(typeof(AttachmentUpload), "fileName")] = Text(AppealSubmissionService.MaxFileNameLength),

        // Base64 of at most Appeals:MaxAttachmentBytes bytes: four characters for every three bytes.
        [(typeof(AttachmentUpload), "contentBase64")] = Text(
            services => (Option<AppealsOptions>(services, o => o.MaxAttachmentBytes) + 2) / 3 * 4, "byte"),
        [(typeof(AppealMessageRequest), "message")] = Text(AppealSubmissionService.MaxMessageLength),
        [(typeof(AppealMessageRequest), "attachments")] = Items<AppealsOptions>(o => o.MaxAttachments),
        [(typeof(AppealWithdrawRequest), "reason")] = Text(AppealSubmissionService.MaxReasonLength),

        [(typeof(AssignRequest), "reviewer")] = Text(ReviewService.MaxReviewerLength),
        [(typeof(RequestInfoRequest), "message")] = Text(ReviewService.MaxReasonLength),
        [(typeof(DecisionRequest), "decision")] = OneOf(() => ["approve", "reject"]),
        [(typeof(DecisionRequest), "reason")] = Text(ReviewService.MaxReasonLength),
        [(typeof(DecisionRequest), "verification")] = OneOf(WireNames.All<Verification>),
        [(typeof(DecisionRequest), "note")] = Text(ReviewService.MaxNoteLength),
        [(typeof(DecisionRequest), "ownerSince")] = Date,
        [(typeof(DecisionRequest), "whatWouldChange")] = Text(RejectionGuidance.MaxLength),
        [(typeof(BulkDecisionRequest), "appealIds")] = Items<AppealsOptions>(o => o.MaxBulkDecision),
        [(typeof(BulkDecisionRequest), "decision")] = OneOf(() => ["approve", "reject"]),
        [(typeof(BulkDecisionRequest), "reason")] = Text(ReviewService.MaxReasonLength),
        [(typeof(BulkDecisionRequest), "verification")] = OneOf(WireNames.All<Verification>),
        [(typeof(BulkDecisionRequest), "note")] = Text(ReviewService.MaxNoteLength),
        [(typeof(BulkDecisionFilter), "status")] = OneOf(WireNames.All<AppealStatus>),
        [(typeof(BulkDecisionFilter), "kind")] = IdentifierKinds,
    };

    public override IReadOnlyDictionary<string, Limit> ParametersByName { get; } = new Dictionary<string, Limit>
    {
        [AppellantEndpoints.TokenHeader] = AccessToken,
        ["trackingCode"] = BoundByRequestLine,
    };

    public override IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; } = new Dictionary<(string Operation, string Parameter), Limit>
    {
        [("GetAppealQueue", "status")] = OneOf(WireNames.All<AppealStatus>),
        [("GetAppealQueue", "overdue")] = Boolean,
        [("GetAppealQueue", "listId")] = Number(1, long.MaxValue),
        [("GetAppealQueue", "assignedTo")] = BoundByRequestLine,
        [("GetAppealQueue", "pageSize")] = Number(1, ReviewQueries.MaxPageSize),
    };

    /// <summary>A publisher sees only the appeals against its own agency's lists.</summary>
    public override IReadOnlyDictionary<string, string> OwnerRefusals { get; } = new Dictionary<string, string>
    {
        ["GetReviewAppeal"] = ReviewProblemCodes.NotYourAppeal,
    };
}
