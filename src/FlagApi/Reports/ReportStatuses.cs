namespace FlagApi.Reports;

/// <summary>A community report's status: waiting for a reviewer, or decided.</summary>
public static class ReportStatuses
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";

    public static readonly IReadOnlyList<string> All = [Pending, Accepted, Rejected];
}
