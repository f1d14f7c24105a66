using System.Globalization;
using FlagApi.Appeals;
using FlagApi.Entries;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlagApi.Data;

/// <summary>A reviewer's decision on one appeal, as the writer applies it.</summary>
/// <param name="ExpectedRevision">The revision the reviewer saw (from <c>If-Match</c>); null for a bulk decision, whose reviewer chose by filter.</param>
public sealed record AppealDecision(
    long AppealId,
    long? ExpectedRevision,
    bool Approve,
    string Reason,
    Verification? Verification,
    string? Note,
    string Actor);

public enum AppealDecisionStatus
{
    Decided,
    NotFound,

    /// <summary>The appeal changed since the reviewer saw it (another reviewer decided, or the appellant wrote).</summary>
    Stale,

    /// <summary>The appeal is no longer open: withdrawn, or decided before.</summary>
    NotOpen,
}

/// <param name="Status">What happened.</param>
/// <param name="AppealStatus">The appeal's status after (or, when refused, as it stands).</param>
/// <param name="ListVersion">The list version that cleared the entry; null when the list did not change.</param>
public sealed record AppealDecisionResult(AppealDecisionStatus Status, AppealStatus? AppealStatus, long? ListVersion);

/// <summary>
/// Applies a decision in one transaction (docs/product.md: every decision is one transaction). An approval
/// clears the entry under the list version lock, like a list upload: the entry, its history, the change
/// log row that makes synced apps drop it, and the new list version commit together or not at all.
/// The lock is taken for rejections too, so that every decision on an appeal is serialized and the
/// revision check below sees the last committed state, even on a database whose rows are not locked.
/// </summary>
public sealed class AppealDecisionWriter(FlagDbContext db, DatabaseProviderInfo providerInfo, TimeProvider time)
{
    public const string ClearedAction = "cleared";
    public const string AppealApprovedAction = "appeal_approved";
    public const string AppealRejectedAction = "appeal_rejected";

    public async Task<AppealDecisionResult> DecideAsync(AppealDecision decision, CancellationToken cancellationToken = default)
    {
        if (decision.Approve && decision.Verification is null)
        {
            throw new ArgumentException("An approval records how the appellant was verified.", nameof(decision));
        }

        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var version = await ListVersionRow.LockAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), providerInfo.Dialect, cancellationToken);

        var appeal = await db.Appeals.SingleOrDefaultAsync(a => a.Id == decision.AppealId, cancellationToken);
        if (appeal is null)
        {
            return new AppealDecisionResult(AppealDecisionStatus.NotFound, null, null);
        }

        if (decision.ExpectedRevision is { } expected && expected != appeal.Revision)
        {
            return new AppealDecisionResult(AppealDecisionStatus.Stale, appeal.Status, null);
        }

        if (!AppealStates.CanDecide(appeal.Status))
        {
            return new AppealDecisionResult(AppealDecisionStatus.NotOpen, appeal.Status, null);
        }

        var entry = await db.Entries.SingleAsync(e => e.Id == appeal.EntryId, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var from = appeal.Status;
        var to = decision.Approve ? AppealStatus.Approved : AppealStatus.Rejected;
        appeal.Status = to;
        appeal.AssignedTo ??= decision.Actor;
        appeal.DecidedAt = now;
        appeal.DecidedBy = decision.Actor;
        appeal.DecisionReason = decision.Reason;
        appeal.Verification = decision.Approve ? decision.Verification : null;
        appeal.VerificationNote = decision.Approve ? decision.Note : null;
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

        var before = EntryState.Of(entry);
        long? clearedAt = null;
        if (decision.Approve && entry.Status != EntryStatus.Cleared)
        {
            clearedAt = ++version;
            entry.Status = EntryStatus.Cleared;
            entry.Version = version;
            db.ChangeLog.Add(new ChangeLogRow
            {
                Version = version,
                EntryId = entry.Id,
                Op = ChangeOps.Remove,
                Kind = entry.Kind,
                Value = entry.Value,
                Category = entry.Category,
                Risk = entry.Risk,
                Status = EntryStatus.Cleared,
                At = now,
            });
            await ListVersionRow.SetAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), version, cancellationToken);
        }

        // An entry another appeal already cleared stays as it is; its history still shows this appeal.
        db.EntryHistory.Add(new EntryHistory
        {
            EntryId = entry.Id,
            Version = version,
            At = now,
            Actor = decision.Actor,
            Action = !decision.Approve ? AppealRejectedAction : clearedAt is null ? AppealApprovedAction : ClearedAction,
            // The review console says this in the reader's language by its form (review.js SERVER_TEXTS): keep the two alike.
            Reason = $"Appeal {appeal.TrackingCode} {(decision.Approve ? "approved" : "rejected")}: {decision.Reason}",
            Before = before.ToJson(),
            After = EntryState.Of(entry).ToJson(),
        });

        // Never the appellant's name or contact: the audit log is read more widely than the appeal.
        db.Record(now, decision.Actor, decision.Approve ? "appeal.approved" : "appeal.rejected", "appeal",
            appeal.Id.ToString(CultureInfo.InvariantCulture),
            new
            {
                appeal.TrackingCode,
                entryId = entry.Id,
                verification = appeal.Verification is { } v ? WireNames.Of(v) : null,
                entryCleared = clearedAt is not null,
                listVersion = clearedAt,
            });

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new AppealDecisionResult(AppealDecisionStatus.Stale, null, null);
        }

        await transaction.CommitAsync(cancellationToken);
        return new AppealDecisionResult(AppealDecisionStatus.Decided, to, clearedAt);
    }
}
