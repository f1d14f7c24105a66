using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Identifiers;
using FlagApi.Protection;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Reports;

/// <summary>A reviewer's decision on the reports against one identifier, named by one of them.</summary>
/// <param name="Category">Required to accept.</param>
/// <param name="Risk">Required to accept.</param>
public sealed record ReportDecision(long ReportId, bool Accept, Category? Category, Risk? Risk, string Reason, string Actor);

public enum ReportDecisionStatus
{
    Decided,
    NotFound,

    /// <summary>No report of the identifier is pending: another reviewer decided them.</summary>
    AlreadyDecided,

    /// <summary>The identifier's entry was cleared by an approved appeal; reports never flag it again.</summary>
    EntryCleared,

    /// <summary>The identifier is protected (and not overridden).</summary>
    Protected,
}

/// <param name="ReportIds">The reports decided (or, when refused, those that would have been).</param>
/// <param name="ReportStatus">When already decided: the status the named report has.</param>
public sealed record ReportDecisionResult(
    ReportDecisionStatus Status,
    IdentifierKind Kind,
    string Value,
    IReadOnlyList<long> ReportIds,
    long? EntryId,
    long? ListVersion,
    string? ReportStatus = null,
    ProtectionRefusal? Refusal = null)
{
    public static ReportDecisionResult NotFound(long id) => new(ReportDecisionStatus.NotFound, default, string.Empty, [id], null, null);
}

/// <summary>
/// Applies a decision in one ledger transaction, under the list version lock as a list upload is: the entry, its sources,
/// history and change log row (through the <see cref="EntryLedger"/>), the reports and the new list version commit together
/// or not at all. The lock is taken for rejections too, so that two reviewers deciding the same identifier at once are
/// serialized and the second sees no pending report left.
/// </summary>
public sealed class ReportDecisionWriter(FlagDbContext db, EntryLedger ledger, ProtectionIndex protection)
{
    public async Task<ReportDecisionResult> DecideAsync(ReportDecision decision, CancellationToken cancellationToken = default)
    {
        if (decision.Accept && (decision.Category is null || decision.Risk is null))
        {
            throw new ArgumentException("An acceptance says the entry's category and risk.", nameof(decision));
        }

        // As for lists: another instance's protection of the last seconds must stop an acceptance here too.
        await protection.ReloadAsync(cancellationToken);
        return await ledger.WriteAsync(decision.Actor, async entries =>
        {
            var named = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == decision.ReportId, cancellationToken);
            if (named is null)
            {
                return LedgerOutcome.Refuse(ReportDecisionResult.NotFound(decision.ReportId));
            }

            var reports = await db.Reports
                .Where(r => r.Kind == named.Kind && r.Value == named.Value && r.Status == ReportStatuses.Pending)
                .OrderBy(r => r.Id)
                .ToListAsync(cancellationToken);
            var ids = reports.Select(r => r.Id).ToList();
            if (reports.Count == 0)
            {
                return LedgerOutcome.Refuse(new ReportDecisionResult(
                    ReportDecisionStatus.AlreadyDecided, named.Kind, named.Value, [named.Id], named.EntryId, null, named.Status));
            }

            if (!decision.Accept)
            {
                Decide(reports, ReportStatuses.Rejected, decision, entries.Now, null);
                entries.Audit("report.rejected", "report", named.Id, new { kind = named.Kind.ToWire(), reportIds = ids, reports = ids.Count });
                await db.SaveChangesAsync(cancellationToken);
                await db.NotifyAsync(ReportIndex.Topic, cancellationToken);
                return LedgerOutcome.Commit(new ReportDecisionResult(ReportDecisionStatus.Decided, named.Kind, named.Value, ids, null, null));
            }

            var entry = await entries.FindAsync(named.Kind, named.Value, cancellationToken);

            // docs/product.md: an entry cleared on appeal stays cleared against community reports; only a publisher's list flags it again.
            if (entry is { Status: EntryStatus.Cleared })
            {
                return LedgerOutcome.Refuse(new ReportDecisionResult(ReportDecisionStatus.EntryCleared, named.Kind, named.Value, ids, entry.Id, null));
            }

            if (protection.Check(named.Kind, named.Value) is { } refusal)
            {
                return LedgerOutcome.Refuse(new ReportDecisionResult(
                    ReportDecisionStatus.Protected, named.Kind, named.Value, ids, entry?.Id, null, Refusal: refusal));
            }

            // The review console says this in the reader's language by its form (review.js SERVER_TEXTS): keep the two alike.
            var reason = $"Accepted from {reports.Count} community report{(reports.Count == 1 ? string.Empty : "s")}: {decision.Reason}";
            var accepted = await entries.AcceptReportsAsync(
                entry, named.Kind, named.Value, decision.Category!.Value, decision.Risk!.Value, reason, decision.Reason,
                [.. reports.Select(r => (r.Id, r.Query))], cancellationToken);
            Decide(reports, ReportStatuses.Accepted, decision, entries.Now, accepted.EntryId);

            // Never the identifier itself: the audit log is read more widely than the queue.
            entries.Audit("report.accepted", "report", named.Id, new
            {
                kind = named.Kind.ToWire(),
                entryId = accepted.EntryId,
                action = accepted.Action,
                reportIds = ids,
                reports = ids.Count,
                listVersion = accepted.Version,
            });
            await db.SaveChangesAsync(cancellationToken);
            await db.NotifyAsync(ReportIndex.Topic, cancellationToken);
            return LedgerOutcome.Commit(new ReportDecisionResult(ReportDecisionStatus.Decided, named.Kind, named.Value, ids, accepted.EntryId, accepted.Version));
        }, cancellationToken);
    }

    private static void Decide(List<Report> reports, string status, ReportDecision decision, DateTime now, long? entryId)
    {
        foreach (var report in reports)
        {
            report.Status = status;
            report.DecidedAt = now;
            report.DecidedBy = decision.Actor;
            report.DecisionReason = decision.Reason;
            report.EntryId = entryId;
        }
    }
}
