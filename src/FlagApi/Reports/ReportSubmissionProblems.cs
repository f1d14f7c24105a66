namespace FlagApi.Reports;

/// <summary>The stable <c>code</c>s of refused report submissions.</summary>
public static class ReportSubmissionProblems
{
    public const string MissingDescription = "missing_description";
    public const string DescriptionTooLong = "description_too_long";
    public const string InvalidDescription = "invalid_description";
    public const string InvalidOccurredAt = "invalid_occurred_at";
    public const string InvalidReporterId = "invalid_reporter_id";
    public const string EvidenceTooLong = "evidence_too_long";
}
