namespace FlagApi.Reports;

/// <summary>The <c>Reports</c> section.</summary>
public sealed class ReportsOptions
{
    public const string Section = "Reports";

    /// <summary>
    /// The secret reporters and their networks are hashed with. Empty: one is generated on first start and kept in
    /// <c>reports-hash.key</c> in the data folder, which only SQLite allows; on PostgreSQL, where several instances may
    /// share the database, the start refuses without one.
    /// </summary>
    public string HashKey { get; set; } = string.Empty;

    /// <summary>How often the report signal reads reports written or decided by other processes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
