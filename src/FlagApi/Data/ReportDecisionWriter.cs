using FlagApi.Reports;
using System.Globalization;
using FlagApi.Entries;
using FlagApi.Identifiers;
using FlagApi.Protection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlagApi.Data;

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
/// Applies a decision in one transaction under the list version lock, as a list upload does: the entry, its sources,
/// history and change log row, the reports and the new list version commit together or not at all. The lock is taken
/// for rejections too, so that two reviewers deciding the same identifier at once are serialized and the second sees
/// no pending report left.
/// </summary>
public sealed class ReportDecisionWriter(FlagDbContext db, DatabaseProviderInfo providerInfo, ProtectionIndex protection, TimeProvider time)
{
    public const string SourceType = "report";

    public async Task<ReportDecisionResult> DecideAsync(ReportDecision decision, CancellationToken cancellationToken = default)
    {
        if (decision.Accept && (decision.Category is null || decision.Risk is null))
        {
            throw new ArgumentException("An acceptance says the entry's category and risk.", nameof(decision));
        }

        // As for lists: another instance's protection of the last seconds must stop an acceptance here too.
        await protection.ReloadAsync(cancellationToken);
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var version = await ListVersionRow.LockAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), providerInfo.Dialect, cancellationToken);

        var named = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == decision.ReportId, cancellationToken);
        if (named is null)
        {
            return ReportDecisionResult.NotFound(decision.ReportId);
        }

        var reports = await db.Reports
            .Where(r => r.Kind == named.Kind && r.Value == named.Value && r.Status == ReportStatuses.Pending)
            .OrderBy(r => r.Id)
            .ToListAsync(cancellationToken);
        var ids = reports.Select(r => r.Id).ToList();
        if (reports.Count == 0)
        {
            return new ReportDecisionResult(ReportDecisionStatus.AlreadyDecided, named.Kind, named.Value, [named.Id], named.EntryId, null, named.Status);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (!decision.Accept)
        {
            Decide(reports, ReportStatuses.Rejected, decision, now, null);
            db.Record(now, decision.Actor, "report.rejected", "report", named.Id.ToString(CultureInfo.InvariantCulture),
                new { kind = named.Kind.ToWire(), reportIds = ids, reports = ids.Count });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new ReportDecisionResult(ReportDecisionStatus.Decided, named.Kind, named.Value, ids, null, null);
        }

        var entry = await db.Entries.SingleOrDefaultAsync(e => e.Kind == named.Kind && e.Value == named.Value, cancellationToken);

        // docs/product.md: an entry cleared on appeal stays cleared against community reports; only a publisher's list flags it again.
        if (entry is { Status: EntryStatus.Cleared })
        {
            return new ReportDecisionResult(ReportDecisionStatus.EntryCleared, named.Kind, named.Value, ids, entry.Id, null);
        }

        if (protection.Check(named.Kind, named.Value) is { } refusal)
        {
            return new ReportDecisionResult(ReportDecisionStatus.Protected, named.Kind, named.Value, ids, entry?.Id, null, Refusal: refusal);
        }

        version++;
        var category = decision.Category!.Value;
        var risk = decision.Risk!.Value;
        // The review console says this in the reader's language by its form (review.js SERVER_TEXTS): keep the two alike.
        var reason = $"Accepted from {reports.Count} community report{(reports.Count == 1 ? string.Empty : "s")}: {decision.Reason}";
        string action, op;
        EntryState? before = null;
        if (entry is null)
        {
            entry = new Entry
            {
                Kind = named.Kind,
                Value = named.Value,
                Display = reports[^1].Query,
                Category = category,
                Risk = risk,
                Status = EntryStatus.Active,
                FirstSeen = now,
                LastSeen = now,
                Version = version,
            };
            db.Entries.Add(entry);
            (action, op) = ("flagged", ChangeOps.Add);
        }
        else
        {
            before = EntryState.Of(entry);
            var reactivated = entry.Status != EntryStatus.Active;

            // The rule a list naming the entry again follows (ListWriter.Merge): the risk never drops because one source rated
            // it lower, and no expiry wins; reports carry none.
            entry.Risk = reactivated || risk > entry.Risk ? risk : entry.Risk;
            entry.Category = category;
            entry.ExpiresAt = null;
            entry.Status = EntryStatus.Active;
            entry.LastSeen = now;
            entry.Version = version;
            var changed = before.Category != entry.Category || before.Risk != entry.Risk || before.ExpiresAt != entry.ExpiresAt;
            (action, op) = reactivated ? ("reflagged", ChangeOps.Add) : changed ? ("updated", ChangeOps.Update) : ("source_added", ChangeOps.Update);
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var report in reports)
        {
            db.EntrySources.Add(new EntrySource
            {
                EntryId = entry.Id,
                SourceType = SourceType,
                Label = string.Create(CultureInfo.InvariantCulture, $"community report #{report.Id}"),
                Note = decision.Reason,
                Display = report.Query,
                Category = category,
                Risk = risk,
                AddedAt = now,
            });
        }

        db.EntryHistory.Add(new EntryHistory
        {
            EntryId = entry.Id,
            Version = version,
            At = now,
            Actor = decision.Actor,
            Action = action,
            Reason = reason,
            Before = before?.ToJson(),
            After = EntryState.Of(entry).ToJson(),
        });
        db.ChangeLog.Add(new ChangeLogRow
        {
            Version = version,
            EntryId = entry.Id,
            Op = op,
            Kind = entry.Kind,
            Value = entry.Value,
            Category = entry.Category,
            Risk = entry.Risk,
            Status = entry.Status,
            At = now,
        });
        Decide(reports, ReportStatuses.Accepted, decision, now, entry.Id);

        // Never the identifier itself: the audit log is read more widely than the queue.
        db.Record(now, decision.Actor, "report.accepted", "report", named.Id.ToString(CultureInfo.InvariantCulture),
            new { kind = named.Kind.ToWire(), entryId = entry.Id, action, reportIds = ids, reports = ids.Count, listVersion = version });
        await db.SaveChangesAsync(cancellationToken);
        await ListVersionRow.SetAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), version, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ReportDecisionResult(ReportDecisionStatus.Decided, named.Kind, named.Value, ids, entry.Id, version);
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
