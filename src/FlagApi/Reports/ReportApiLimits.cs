using Microsoft.OpenApi;
using FlagApi.Data;

namespace FlagApi.Reports;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): Reports from the public, and their review.</summary>
internal sealed class ReportApiLimits : ApiDeclaration
{
    /// <summary>The report queue's age filters: hours, more than 0 and at most ten years.</summary>
    private static readonly Limit Hours = new(Type: JsonSchemaType.Number, Minimum: _ => 0, Maximum: _ => 24 * 366 * 10, MinimumExclusive: true);

    public override IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; } = new Dictionary<(Type Record, string Member), Limit>
    {
        [(typeof(ReportRequest), "kind")] = IdentifierKinds,
        [(typeof(ReportRequest), "value")] = IdentifierValue,
        [(typeof(ReportRequest), "category")] = OneOf(WireNames.All<Category>),
        [(typeof(ReportRequest), "description")] = Text(ReportSubmissionService.MaxDescriptionLength),
        [(typeof(ReportRequest), "occurredAt")] = BoundByBody with { Format = "date-time" },
        [(typeof(ReportRequest), "evidence")] = Items(ReportSubmissionService.MaxEvidenceItems),
        [(typeof(ReportRequest), "reporterId")] = Text(ReportSubmissionService.MaxReporterIdLength),
        [(typeof(ReportEvidenceItem), "type")] = EvidenceType,
        [(typeof(ReportEvidenceItem), "text")] = Text(ReportSubmissionService.MaxEvidenceTextLength),
        [(typeof(ReportEvidenceItem), "url")] = Text(_ => ReportSubmissionService.MaxLinkLength, "uri"),
        [(typeof(ReportDecisionRequest), "decision")] = OneOf(() => ["accept", "reject"]),
        [(typeof(ReportDecisionRequest), "category")] = OneOf(WireNames.All<Category>),
        [(typeof(ReportDecisionRequest), "risk")] = OneOf(WireNames.All<Risk>),
        [(typeof(ReportDecisionRequest), "reason")] = Text(ReportReviewEndpoints.MaxReasonLength),
    };

    public override IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; } = new Dictionary<(string Operation, string Parameter), Limit>
    {
        [("GetReportQueue", "status")] = OneOf(() => ReportStatuses.All),
        [("GetReportQueue", "maxAgeHours")] = Hours,
        [("GetReportQueue", "minAgeHours")] = Hours,
        [("GetReportQueue", "pageSize")] = Number(1, ReportReviewQueries.MaxPageSize),
    };
}
