namespace FlagApi.Watches;

/// <summary>
/// A watch's states, as stored and answered: <c>unconfirmed</c> (the code is mailed) → <c>awaiting_proof</c> (the address is
/// confirmed; a reviewer checks ownership) → <c>active</c> (notified when flagged) or <c>rejected</c>; <c>ended</c> by the owner
/// at any time, or by a new subscription of the same address that replaces an unconfirmed or rejected one.
/// </summary>
public static class WatchStatuses
{
    public const string Unconfirmed = "unconfirmed";
    public const string AwaitingProof = "awaiting_proof";
    public const string Active = "active";
    public const string Rejected = "rejected";
    public const string Ended = "ended";

    public static readonly IReadOnlyList<string> All = [Unconfirmed, AwaitingProof, Active, Rejected, Ended];

    /// <summary>A new subscription of the same identifier and address replaces these rather than being refused.</summary>
    public static bool IsReplaceable(string status) => status is Unconfirmed or Rejected;
}
