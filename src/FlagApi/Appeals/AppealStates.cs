namespace FlagApi.Appeals;

/// <summary>docs/product.md: <c>submitted → in_review → needs_info ⇄ in_review → approved | rejected</c>, and <c>withdrawn</c> from any open state.</summary>
public enum AppealStatus
{
    Submitted,
    InReview,
    NeedsInfo,
    Approved,
    Rejected,
    Withdrawn,
}

/// <summary>How a reviewer verified that the appellant owns the identifier (required to approve).</summary>
public enum Verification
{
    CarrierRealName,
    Callback,
    InPersonId,
    PlatformConfirmation,
    Other,
}

/// <summary>The appeal state machine: one place that says which moves are allowed.</summary>
public static class AppealStates
{
    public static bool IsOpen(AppealStatus status) => status is AppealStatus.Submitted or AppealStatus.InReview or AppealStatus.NeedsInfo;

    /// <summary>A reviewer takes an open appeal (assign, or starts deciding): submitted becomes in review.</summary>
    public static bool CanReview(AppealStatus status) => status is AppealStatus.Submitted or AppealStatus.InReview;

    /// <summary>Asking for information is allowed while the appeal is being reviewed (or still waiting for review).</summary>
    public static bool CanRequestInfo(AppealStatus status) => status is AppealStatus.Submitted or AppealStatus.InReview;

    /// <summary>The appellant's answer moves <c>needs_info</c> back to <c>in_review</c>; they may also add to an appeal under review.</summary>
    public static bool CanMessage(AppealStatus status) => IsOpen(status);

    public static bool CanDecide(AppealStatus status) => status is AppealStatus.Submitted or AppealStatus.InReview or AppealStatus.NeedsInfo;

    public static bool CanWithdraw(AppealStatus status) => IsOpen(status);
}
