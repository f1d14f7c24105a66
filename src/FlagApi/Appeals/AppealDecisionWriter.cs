using FlagApi.Data;
using FlagApi.Entries;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Appeals;

/// <summary>A reviewer's decision on one appeal, as the writer applies it.</summary>
/// <param name="ExpectedRevision">The revision the reviewer saw (from <c>If-Match</c>); null for a bulk decision, whose reviewer chose by filter.</param>
/// <param name="OwnerSince">An approval as a verified new owner since this date: only the entry's sources older than it are removed.</param>
/// <param name="WhatWouldChange">A rejection's word to the appellant on what would change the decision; null for the default of the kind.</param>
public sealed record AppealDecision(
    long AppealId,
    long? ExpectedRevision,
    bool Approve,
    string Reason,
    Verification? Verification,
    string? Note,
    string Actor,
    DateOnly? OwnerSince = null,
    string? WhatWouldChange = null);

public enum AppealDecisionStatus
{
    Decided,
    NotFound,

    /// <summary>The appeal changed since the reviewer saw it (another reviewer decided, or the appellant wrote).</summary>
    Stale,

    /// <summary>The appeal is no longer open: withdrawn, or decided before.</summary>
    NotOpen,

    /// <summary>An approval as a new owner since a date, when no active source of the entry is older than that date.</summary>
    NothingOlder,
}

/// <param name="Status">What happened.</param>
/// <param name="AppealStatus">The appeal's status after (or, when refused, as it stands).</param>
/// <param name="ListVersion">The list version that cleared the entry; null when the list did not change.</param>
/// <param name="NewOwner">What an approval as a new owner removed and left; null for any other decision.</param>
public sealed record AppealDecisionResult(AppealDecisionStatus Status, AppealStatus? AppealStatus, long? ListVersion, OwnerSinceApplied? NewOwner = null);

/// <summary>
/// Applies a decision in one ledger transaction (docs/product.md: every decision is one transaction). An approval clears
/// the entry through the <see cref="EntryLedger"/>, under the list version lock like a list upload: the entry, its history,
/// the change log row that makes synced apps drop it, the new list version and the appeal commit together or not at all.
/// A rejection takes the lock too, so that every decision on an appeal is serialized and the revision check below sees the
/// last committed state, even on a database whose rows are not locked.
/// </summary>
public sealed class AppealDecisionWriter(FlagDbContext db, EntryLedger ledger)
{
    public async Task<AppealDecisionResult> DecideAsync(AppealDecision decision, CancellationToken cancellationToken = default)
    {
        if (decision.Approve && decision.Verification is null)
        {
            throw new ArgumentException("An approval records how the appellant was verified.", nameof(decision));
        }

        return await ledger.WriteAsync(decision.Actor, async entries =>
        {
            var appeal = await db.Appeals.SingleOrDefaultAsync(a => a.Id == decision.AppealId, cancellationToken);
            if (appeal is null)
            {
                return LedgerOutcome.Refuse(new AppealDecisionResult(AppealDecisionStatus.NotFound, null, null));
            }

            if (decision.ExpectedRevision is { } expected && expected != appeal.Revision)
            {
                return LedgerOutcome.Refuse(new AppealDecisionResult(AppealDecisionStatus.Stale, appeal.Status, null));
            }

            if (!AppealStates.CanDecide(appeal.Status))
            {
                return LedgerOutcome.Refuse(new AppealDecisionResult(AppealDecisionStatus.NotOpen, appeal.Status, null));
            }

            var now = entries.Now;
            var from = appeal.Status;
            var to = decision.Approve ? AppealStatus.Approved : AppealStatus.Rejected;
            appeal.Status = to;
            appeal.AssignedTo ??= decision.Actor;
            appeal.DecidedAt = now;
            appeal.DecidedBy = decision.Actor;
            appeal.DecisionReason = decision.Reason;
            appeal.Verification = decision.Approve ? decision.Verification : null;
            appeal.VerificationNote = decision.Approve ? decision.Note : null;
            appeal.WhatWouldChange = decision.Approve ? null : decision.WhatWouldChange;
            appeal.VerifiedOwnerSince = decision.Approve ? decision.OwnerSince : null;
            appeal.Revision++;
            db.AppealEvents.Add(new AppealEvent
            {
                AppealId = appeal.Id,
                At = now,
                Actor = decision.Actor,
                Action = WireNames.Of(to),
                FromStatus = from,
                ToStatus = to,
                PublicMessage = decision.Reason,
                InternalNote = decision.Note,
            });

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                return LedgerOutcome.Refuse(new AppealDecisionResult(AppealDecisionStatus.Stale, null, null));
            }

            // The review console says this in the reader's language by its form (review.js SERVER_TEXTS): keep the two alike.
            var reason = $"Appeal {appeal.TrackingCode} {(decision.Approve ? "approved" : "rejected")}: {decision.Reason}";
            long? clearedAt = null;
            OwnerSinceApplied? newOwner = null;
            if (decision.Approve && decision.OwnerSince is { } since)
            {
                var verified = $"Appeal {appeal.TrackingCode} approved: new owner since {since:yyyy-MM-dd}, verified by {WireNames.Of(decision.Verification!.Value)}; "
                    + $"sources older than that date removed: {decision.Reason}";
                newOwner = await entries.EndSourcesBeforeAsync(appeal.EntryId, since, verified, cancellationToken);
                if (newOwner.SourcesRemoved == 0)
                {
                    return LedgerOutcome.Refuse(new AppealDecisionResult(AppealDecisionStatus.NothingOlder, from, null));
                }

                clearedAt = newOwner.ClearedAt;
                appeal.SourcesKept = newOwner.SourcesKept;
                await db.SaveChangesAsync(cancellationToken);
            }
            else if (decision.Approve)
            {
                clearedAt = await entries.ClearByAppealAsync(appeal.EntryId, reason, cancellationToken);
            }
            else
            {
                await entries.RecordAppealRejectedAsync(appeal.EntryId, reason, cancellationToken);
            }

            // Never the appellant's name or contact: the audit log is read more widely than the appeal.
            entries.Audit(decision.Approve ? "appeal.approved" : "appeal.rejected", "appeal", appeal.Id, new
            {
                appeal.TrackingCode,
                entryId = appeal.EntryId,
                verification = appeal.Verification is { } v ? WireNames.Of(v) : null,
                entryCleared = clearedAt is not null,
                listVersion = clearedAt,
                ownerSince = decision.OwnerSince,
                sourcesRemoved = newOwner?.SourcesRemoved,
                sourcesKept = newOwner?.SourcesKept,
            });
            return LedgerOutcome.Commit(new AppealDecisionResult(AppealDecisionStatus.Decided, to, clearedAt, newOwner));
        }, cancellationToken);
    }
}
