using FlagApi.Data;

namespace FlagApi.Appeals;

/// <summary>The appeal state machine: one place that says which moves are allowed.</summary>
public static class AppealStates
{
    public static bool IsOpen(AppealStatus status) => AppealStatuses.IsOpen(status);

    /// <summary>A reviewer takes an open appeal (assign, or starts deciding): submitted becomes in review.</summary>
    public static bool CanReview(AppealStatus status) => status is AppealStatus.Submitted or AppealStatus.InReview;

    /// <summary>Asking for information is allowed while the appeal is being reviewed (or still waiting for review).</summary>
    public static bool CanRequestInfo(AppealStatus status) => status is AppealStatus.Submitted or AppealStatus.InReview;

    /// <summary>The appellant's answer moves <c>needs_info</c> back to <c>in_review</c>; they may also add to an appeal under review.</summary>
    public static bool CanMessage(AppealStatus status) => IsOpen(status);

    public static bool CanDecide(AppealStatus status) => status is AppealStatus.Submitted or AppealStatus.InReview or AppealStatus.NeedsInfo;

    public static bool CanWithdraw(AppealStatus status) => IsOpen(status);

    /// <summary>An open appeal whose entry stopped being flagged another way is closed as <c>resolved</c> (<see cref="OpenAppealResolver"/>).</summary>
    public static bool CanResolve(AppealStatus status) => IsOpen(status);
}
