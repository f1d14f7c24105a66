using System.Globalization;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Appeals;

/// <summary>What reviewers do to appeals: take them, ask for more, decide them one by one or in bulk.</summary>
public sealed class ReviewService(
    FlagDbContext db,
    ReviewQueries queries,
    AppealDecisionWriter writer,
    TimeProvider time,
    IOptions<AppealsOptions> options)
{
    public const int MaxReasonLength = 2000;
    public const int MaxNoteLength = 4000;
    public const int MaxReviewerLength = 200;

    /// <summary>A reviewer takes the appeal: submitted becomes in review; an appeal in review changes hands.</summary>
    public Task AssignAsync(long id, long? expectedRevision, string? reviewer, string actor, CancellationToken cancellationToken)
    {
        var assignee = string.IsNullOrWhiteSpace(reviewer) ? actor : reviewer.Trim();
        if (assignee.Length > MaxReviewerLength)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, ProblemCodes.InvalidParameter, "The request is not valid",
                $"'reviewer' is at most {MaxReviewerLength} characters.");
        }

        return ChangeAsync(id, expectedRevision, actor, AppealStates.CanReview, "assign", (appeal, now) =>
        {
            var from = appeal.Status;
            appeal.Status = AppealStatus.InReview;
            appeal.AssignedTo = assignee;
            return new AppealEvent
            {
                AppealId = appeal.Id, At = now, Actor = actor, Action = "assigned", FromStatus = from, ToStatus = AppealStatus.InReview,
                // The review console says this in the reader's language by its form (review.js SERVER_TEXTS): keep the two alike.
                InternalNote = $"Assigned to {assignee}",
            };
        }, cancellationToken);
    }

    /// <summary>Asks the appellant for more: the appeal waits in <c>needs_info</c> until they answer.</summary>
    public Task RequestInfoAsync(long id, long? expectedRevision, string? message, string actor, CancellationToken cancellationToken)
    {
        var text = message?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxReasonLength)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, ReviewProblemCodes.MissingMessage, "The request is not valid",
                $"Say what the appellant should send: 'message' of 1 to {MaxReasonLength} characters. The appellant sees it.");
        }

        return ChangeAsync(id, expectedRevision, actor, AppealStates.CanRequestInfo, "ask for information on", (appeal, now) =>
        {
            var from = appeal.Status;
            appeal.Status = AppealStatus.NeedsInfo;
            appeal.AssignedTo ??= actor;
            return new AppealEvent
            {
                AppealId = appeal.Id, At = now, Actor = actor, Action = "info_requested", FromStatus = from, ToStatus = AppealStatus.NeedsInfo,
                PublicMessage = text,
            };
        }, cancellationToken);
    }

    /// <summary>Checks a decision's body; the problem names the first thing that is wrong.</summary>
    public static (bool Approve, string Reason, Verification? Verification, string? Note) ReadDecision(
        string? decision, string? reason, string? verification, string? note)
    {
        var approve = decision?.Trim() switch
        {
            "approve" => true,
            "reject" => false,
            _ => throw new ProblemException(StatusCodes.Status400BadRequest, ProblemCodes.InvalidDecision, "The request is not valid",
                $"'decision' is approve or reject; '{decision}' is not."),
        };

        var why = reason?.Trim();
        if (string.IsNullOrEmpty(why) || why.Length > MaxReasonLength)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, ProblemCodes.MissingReason, "The request is not valid",
                $"Say why: 'reason' of 1 to {MaxReasonLength} characters. The appellant sees it.");
        }

        Verification? verified = null;
        if (!string.IsNullOrWhiteSpace(verification))
        {
            if (!WireNames.TryParse<Verification>(verification.Trim(), out var parsed))
            {
                throw new ProblemException(StatusCodes.Status400BadRequest, ReviewProblemCodes.InvalidVerification, "The request is not valid",
                    $"'{verification}' is not a verification; use one of: {string.Join(", ", WireNames.All<Verification>())}.");
            }

            verified = parsed;
        }

        if (approve && verified is null)
        {
            // Scammers appeal too: an approval says how the appellant was shown to own the identifier.
            throw new ProblemException(StatusCodes.Status400BadRequest, ReviewProblemCodes.MissingVerification, "An approval needs a verification",
                $"Say how the appellant was verified as the legitimate owner: 'verification' is one of {string.Join(", ", WireNames.All<Verification>())}.");
        }

        var internalNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (internalNote is { Length: > MaxNoteLength })
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, ProblemCodes.InvalidParameter, "The request is not valid",
                $"'note' is at most {MaxNoteLength} characters.");
        }

        return (approve, why, verified, internalNote);
    }

    public async Task DecideAsync(long id, long expectedRevision, DecisionRequest request, string actor, CancellationToken cancellationToken)
    {
        var (approve, reason, verification, note) = ReadDecision(request.Decision, request.Reason, request.Verification, request.Note);
        var ownerSince = NewOwnerDates.Read(request.OwnerSince, time.GetUtcNow().UtcDateTime, "ownerSince");
        if (ownerSince is not null && !approve)
        {
            throw ProblemException.BadRequest(AppellantProblems.InvalidOwnerSince,
                "'ownerSince' approves as a verified new owner; a rejection has none.");
        }

        var whatWouldChange = string.IsNullOrWhiteSpace(request.WhatWouldChange) ? null : request.WhatWouldChange.Trim();
        if (whatWouldChange is not null && (approve || whatWouldChange.Length > RejectionGuidance.MaxLength))
        {
            throw ProblemException.BadRequest(ProblemCodes.InvalidParameter, approve
                ? "'whatWouldChange' tells a rejected appellant what would change the decision; an approval has none."
                : $"'whatWouldChange' is at most {RejectionGuidance.MaxLength} characters.");
        }

        // Once checked, the decision completes even if the client goes away: a retry then sees it decided.
        var result = await writer.DecideAsync(
            new AppealDecision(id, expectedRevision, approve, reason, verification, note, actor, ownerSince, whatWouldChange), CancellationToken.None);
        switch (result.Status)
        {
            case AppealDecisionStatus.NotFound:
                throw NotFound(id);
            case AppealDecisionStatus.Stale:
                throw Stale(id);
            case AppealDecisionStatus.NotOpen:
                throw InvalidTransition(id, result.AppealStatus, "decide");
            case AppealDecisionStatus.NothingOlder:
                throw NewOwnerDates.NotOlder(ownerSince!.Value);
        }
    }

    /// <summary>
    /// Each appeal is decided in its own transaction, as a single decision would be: every appeal gets its
    /// own recorded decision, one that cannot be decided (withdrawn meanwhile, decided by someone else) is
    /// skipped without undoing the others, and the list version lock is never held for a whole sweep, which
    /// would stall list uploads for as long as a thousand approvals take.
    /// </summary>
    public async Task<BulkDecisionResponse> DecideManyAsync(BulkDecisionRequest request, string actor, CancellationToken cancellationToken)
    {
        var (approve, reason, verification, note) = ReadDecision(request.Decision, request.Reason, request.Verification, request.Note);
        var max = options.Value.MaxBulkDecision;
        List<long> ids;
        if (request.AppealIds is { Count: > 0 } given)
        {
            if (request.Filter is not null)
            {
                throw new ProblemException(StatusCodes.Status400BadRequest, ReviewProblemCodes.MissingSelection, "The request is not valid",
                    "Choose the appeals either by 'appealIds' or by 'filter', not both.");
            }

            ids = [.. given.Distinct()];
        }
        else if (request.Filter is { ListId: { } listId } filter)
        {
            AppealStatus? status = null;
            if (!string.IsNullOrWhiteSpace(filter.Status))
            {
                status = WireNames.TryParse<AppealStatus>(filter.Status.Trim(), out var parsed) ? parsed
                    : throw new ProblemException(StatusCodes.Status400BadRequest, ProblemCodes.InvalidStatus, "The request is not valid",
                        $"'{filter.Status}' is not an appeal status; use one of: {string.Join(", ", WireNames.All<AppealStatus>())}.");
            }

            IdentifierKind? kind = null;
            if (!string.IsNullOrWhiteSpace(filter.Kind))
            {
                kind = IdentifierKinds.TryParse(filter.Kind.Trim(), out var parsed) ? parsed
                    : throw new ProblemException(StatusCodes.Status400BadRequest, ProblemCodes.UnknownKind, "The request is not valid",
                        $"'{filter.Kind}' is not an identifier kind.");
            }

            if (await queries.ListAgencyAsync(listId, cancellationToken) is null)
            {
                throw new ProblemException(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such list", $"There is no list with id {listId}.");
            }

            ids = await queries.SelectAsync(listId, status, kind, max + 1, cancellationToken);
        }
        else
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, ReviewProblemCodes.MissingSelection, "The request is not valid",
                "Choose the appeals: 'appealIds' (a non-empty array) or 'filter' with a 'listId'.");
        }

        if (ids.Count > max)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, ReviewProblemCodes.TooManyAppeals, "Too many appeals for one decision",
                $"One bulk decision covers at most {max} appeals; narrow the filter (status, kind) or send the ids in parts.");
        }

        var codes = await db.Appeals.AsNoTracking().Where(a => ids.Contains(a.Id)).Select(a => new { a.Id, a.TrackingCode })
            .ToDictionaryAsync(a => a.Id, a => a.TrackingCode, cancellationToken);
        var results = new List<BulkDecisionOutcome>(ids.Count);
        foreach (var id in ids)
        {
            var result = await writer.DecideAsync(new AppealDecision(id, null, approve, reason, verification, note, actor), CancellationToken.None);
            codes.TryGetValue(id, out var code);
            results.Add(result.Status switch
            {
                AppealDecisionStatus.Decided => new BulkDecisionOutcome(id, code, "decided", result.AppealStatus, null),
                AppealDecisionStatus.NotFound => new BulkDecisionOutcome(id, null, "skipped", null, "no such appeal"),
                AppealDecisionStatus.NotOpen => new BulkDecisionOutcome(id, code, "skipped", result.AppealStatus,
                    $"not open: it is {WireNames.Of(result.AppealStatus!.Value)}"),
                AppealDecisionStatus.NothingOlder => new BulkDecisionOutcome(id, code, "skipped", result.AppealStatus, "no source is older than the new owner's date"),
                _ => new BulkDecisionOutcome(id, code, "skipped", result.AppealStatus, "it changed while the decision was written; decide it again"),
            });
        }

        var decided = results.Count(r => r.Outcome == "decided");
        return new BulkDecisionResponse(approve ? "approve" : "reject", decided, results.Count - decided, results);
    }

    public static ProblemException NotFound(long id) =>
        new(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such appeal", $"There is no appeal with id {id}.");

    public static ProblemException Stale(long id) =>
        new(StatusCodes.Status412PreconditionFailed, ReviewProblemCodes.StaleAppeal, "The appeal changed since you read it",
            $"Appeal {id} is no longer at the revision in If-Match: someone else changed or decided it. Read it again (GET /v1/appeals/{id}) and decide on what it is now.");

    private static ProblemException InvalidTransition(long id, AppealStatus? status, string what) =>
        new(StatusCodes.Status409Conflict, ReviewProblemCodes.InvalidTransition, "Not possible in the appeal's state",
            $"Cannot {what} appeal {id}: it is {(status is { } s ? WireNames.Of(s) : "gone")}.");

    /// <summary>One change to an open appeal, guarded by its revision (the concurrency token) so that two reviewers cannot both win.</summary>
    private async Task ChangeAsync(
        long id, long? expectedRevision, string actor, Func<AppealStatus, bool> allowed, string what, Func<Appeal, DateTime, AppealEvent> change,
        CancellationToken cancellationToken)
    {
        var appeal = await db.Appeals.SingleOrDefaultAsync(a => a.Id == id, cancellationToken) ?? throw NotFound(id);
        if (expectedRevision is { } expected && expected != appeal.Revision)
        {
            throw Stale(id);
        }

        if (!allowed(appeal.Status))
        {
            throw InvalidTransition(id, appeal.Status, what);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var appealEvent = change(appeal, now);
        appeal.Revision++;
        db.AppealEvents.Add(appealEvent);
        db.Record(now, actor, "appeal." + appealEvent.Action, "appeal", id.ToString(CultureInfo.InvariantCulture),
            new { appeal.TrackingCode, from = appealEvent.FromStatus is { } f ? WireNames.Of(f) : null, to = WireNames.Of(appealEvent.ToStatus) });
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw Stale(id);
        }
    }
}
