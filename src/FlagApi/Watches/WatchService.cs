using System.Globalization;
using System.Net.Mail;
using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Notifications;
using FlagApi.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Watches;

/// <summary>
/// Owners' watches: subscribing (a code is mailed), confirming the address with the code, reviewers verifying ownership,
/// and ending. Every mail is written to the outbox in the transaction of the change that causes it.
/// </summary>
public sealed class WatchService(
    FlagDbContext db,
    WatchMails mails,
    IOptions<WatchesOptions> options,
    IOptions<IdentifierOptions> identifierOptions,
    TimeProvider time)
{
    /// <summary>How the audit log names the owner: never their address.</summary>
    public const string OwnerActor = "watch owner";

    public const string SubjectType = "watch";

    /// <summary>RFC 5321: a path is at most 256 octets, so an address at most 254 characters.</summary>
    public const int MaxEmailLength = 254;

    public const int MaxLanguageLength = NoticeLanguages.MaxTagLength;
    public const int MaxCodeLength = 16;
    public const int MaxReasonLength = ReviewService.MaxReasonLength;
    public const int MaxNoteLength = ReviewService.MaxNoteLength;
    public const int MaxPageSize = 500;

    public async Task<WatchReceipt> SubscribeAsync(WatchRequest request, HttpRequest? http, CancellationToken cancellationToken)
    {
        var email = ReadEmail(request.Email);
        if (AppealSubmissionService.ValidateText(request.Statement, AppellantProblems.MissingStatement, "statement of how a reviewer can check that the identifier is yours", AppealSubmissionService.MaxStatementLength, required: true) is { } badStatement)
        {
            throw badStatement;
        }

        if (AppealSubmissionService.ValidateText(request.Language, AppellantProblems.TooLong, "language", MaxLanguageLength, required: false) is { } badLanguage)
        {
            throw badLanguage;
        }

        var (kind, canonical, identifierProblem) = SubmittedIdentifier.Read(
            request.Kind, request.Value, "The identifier to watch ('value') is required.", identifierOptions.Value);
        if (identifierProblem is not null)
        {
            throw identifierProblem;
        }

        var now = SubmittedIdentifier.WholeMicroseconds(time.GetUtcNow().UtcDateTime);
        var emailHash = AppealSecrets.Hash(email.ToLowerInvariant());
        var open = await db.Watches
            .Where(w => w.Kind == kind && w.Value == canonical && w.EmailHash == emailHash && w.Status != WatchStatuses.Ended)
            .ToListAsync(cancellationToken);
        if (open.Any(w => !WatchStatuses.IsReplaceable(w.Status)))
        {
            throw Exists();
        }

        var token = AppealSecrets.NewAccessToken();
        var tokenHash = AppealSecrets.Hash(token);
        var code = WatchSecrets.NewCode();
        var watch = new Watch
        {
            Kind = kind,
            Value = canonical,
            Query = request.Value!.Trim(),
            Email = email,
            EmailHash = emailHash,
            Language = NoticeLanguages.Choose(request.Language, http),
            Status = WatchStatuses.Unconfirmed,
            TokenHash = tokenHash,
            CodeHash = WatchSecrets.CodeHash(tokenHash, code),
            CodeExpiresAt = now + options.Value.CodeLifetime,
            Statement = request.Statement!.Trim(),
            CreatedAt = now,
            Revision = 1,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            // A subscription that was never confirmed, or whose proof was rejected, gives way to the new one (a lost code
            // is recovered by subscribing again): the unique index admits one open watch per identifier and address.
            foreach (var replaced in open)
            {
                End(replaced, now);
            }

            await db.SaveChangesAsync(cancellationToken);
            db.Watches.Add(watch);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || DatabaseFailures.IsUniqueViolation(ex))
        {
            // The same address subscribed the same identifier an instant earlier (the unique index, or the replaced
            // watch's revision). An outage is not this: it answers 503, not 409.
            throw Exists();
        }

        var (subject, body) = mails.Confirm(watch, code, WatchSecrets.EndCode(tokenHash));
        AddMail(watch, WatchMails.ConfirmTemplate, subject, body, now);
        db.Record(now, OwnerActor, "watch.subscribed", SubjectType, Id(watch), new { Kind = kind.ToWire(), Replaced = open.Select(w => w.Id).ToList() });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new WatchReceipt(watch.Id, watch.Status, token, watch.CodeExpiresAt!.Value);
    }

    /// <summary>
    /// The watch the id and token open, or null for an unknown id, a missing token and a wrong one alike.
    /// <paramref name="endCodeToo"/>: the end code a mail carries opens it as well (for ending only).
    /// </summary>
    public async Task<Watch?> FindAsync(long id, string? token, bool endCodeToo, CancellationToken cancellationToken)
    {
        var watch = await db.Watches.SingleOrDefaultAsync(w => w.Id == id, cancellationToken);

        // Compared whether or not the watch exists, so an unknown id costs the same as a wrong token.
        var stored = watch?.TokenHash ?? new string('0', 64);
        var opens = WatchSecrets.IsToken(token, stored) || (endCodeToo && WatchSecrets.IsEndCode(token, stored));
        return watch is not null && opens ? watch : null;
    }

    public async Task ConfirmAsync(Watch watch, string? code, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            throw ProblemException.BadRequest(WatchProblems.MissingCode, "'code' is required: the six digits mailed to the address.");
        }

        if (watch.Status != WatchStatuses.Unconfirmed)
        {
            throw WatchProblems.InvalidTransition(watch.Status, "only an unconfirmed watch takes a code");
        }

        var max = options.Value.MaxCodeAttempts;
        if (watch.CodeAttempts >= max || watch.CodeHash is null)
        {
            throw WatchProblems.Conflict(WatchProblems.TooManyAttempts, "The code is spent",
                $"{max} wrong codes were entered for this watch; subscribe again to be mailed a new code.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (watch.CodeExpiresAt is not { } expires || expires <= now)
        {
            throw WatchProblems.Conflict(WatchProblems.CodeExpired, "The code has expired",
                "The code is good for a limited time (Watches:CodeLifetime) and that time has passed; subscribe again to be mailed a new code.");
        }

        var typed = WatchSecrets.NormalizeCode(code.Length <= MaxCodeLength ? code : null);
        if (typed is null || !WatchSecrets.Same(WatchSecrets.CodeHash(watch.TokenHash, typed), watch.CodeHash))
        {
            watch.CodeAttempts++;
            watch.Revision++;
            db.Record(now, OwnerActor, "watch.wrong_code", SubjectType, Id(watch), new { watch.CodeAttempts });
            await SaveAsync(cancellationToken);
            var left = Math.Max(0, max - watch.CodeAttempts);
            throw new ProblemException(StatusCodes.Status400BadRequest, WatchProblems.WrongCode, ProblemException.BadRequestTitle,
                $"This is not the code mailed for this watch; {left} attempts are left.",
                extensions: new Dictionary<string, object?> { ["attemptsLeft"] = left });
        }

        watch.Status = WatchStatuses.AwaitingProof;
        watch.CodeHash = null;
        watch.CodeExpiresAt = null;
        watch.Revision++;
        db.Record(now, OwnerActor, "watch.confirmed", SubjectType, Id(watch));
        await SaveAsync(cancellationToken);
    }

    /// <summary>The owner ends the watch (with the token, or a mail's end code); ending an ended watch changes nothing.</summary>
    public async Task EndAsync(Watch watch, CancellationToken cancellationToken)
    {
        if (watch.Status == WatchStatuses.Ended)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        End(watch, now);
        db.Record(now, OwnerActor, "watch.ended", SubjectType, Id(watch));
        await SaveAsync(cancellationToken);
    }

    public static WatchView View(Watch watch) => new(
        watch.Id,
        watch.Kind.ToWire(),
        watch.Value,
        watch.Query,
        watch.Email,
        watch.Language,
        watch.Status,
        watch.CreatedAt,
        watch.Status == WatchStatuses.Unconfirmed ? watch.CodeExpiresAt : null,
        watch.Verification,
        watch.VerifiedAt,
        watch.DecisionReason,
        watch.EndedAt);

    public async Task<WatchQueuePage> QueueAsync(WatchQueueRequest request, CancellationToken cancellationToken)
    {
        var status = request.Status?.Trim();
        if (!string.IsNullOrEmpty(status) && !WatchStatuses.All.Contains(status))
        {
            throw ProblemException.BadRequest(ProblemCodes.InvalidStatus, $"'{request.Status}' is not a watch status; use one of: {string.Join(", ", WatchStatuses.All)}.");
        }

        if (!Paging.TryRead(request.Page, request.PageSize, 50, MaxPageSize, "watches", out var page, out var size, out var detail))
        {
            throw ProblemException.BadRequest(ProblemCodes.InvalidPage, detail);
        }

        var query = db.Watches.AsNoTracking();
        if (!string.IsNullOrEmpty(status))
        {
            query = query.Where(w => w.Status == status);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(w => w.Id).Skip((page - 1) * size).Take(size).ToListAsync(cancellationToken);
        return new WatchQueuePage([.. items.Select(ReviewView)], page, size, total);
    }

    /// <summary>A reviewer verified that the owner owns the identifier: the watch becomes active and the owner is told.</summary>
    public async Task<ReviewWatch> VerifyAsync(long id, WatchVerifyRequest request, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Verification))
        {
            throw ProblemException.BadRequest(ReviewProblemCodes.MissingVerification,
                $"Say how the owner was shown to own the identifier: 'verification' is one of {string.Join(", ", WireNames.All<Verification>())}.");
        }

        if (!WireNames.TryParse<Verification>(request.Verification.Trim(), out var verification))
        {
            throw ProblemException.BadRequest(ReviewProblemCodes.InvalidVerification,
                $"'{request.Verification}' is not a verification; use one of: {string.Join(", ", WireNames.All<Verification>())}.");
        }

        if (AppealSubmissionService.ValidateText(request.Note, AppellantProblems.TooLong, "note", MaxNoteLength, required: false) is { } badNote)
        {
            throw badNote;
        }

        var watch = await AwaitingProofAsync(id, "only a watch whose address is confirmed (awaiting_proof) can be verified", cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        watch.Status = WatchStatuses.Active;
        watch.Verification = verification;
        watch.VerifiedBy = actor;
        watch.VerifiedAt = now;
        watch.Revision++;
        var (subject, body) = mails.Active(watch, WatchSecrets.EndCode(watch.TokenHash));
        AddMail(watch, WatchMails.ActiveTemplate, subject, body, now);
        db.Record(now, actor, "watch.verified", SubjectType, Id(watch), new { Verification = WireNames.Of(verification), Note = request.Note?.Trim() });
        await SaveAsync(cancellationToken);
        return ReviewView(watch);
    }

    /// <summary>A reviewer could not verify ownership: the watch is rejected, with a reason the owner is mailed.</summary>
    public async Task<ReviewWatch> RejectAsync(long id, WatchRejectRequest request, string actor, CancellationToken cancellationToken)
    {
        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxReasonLength)
        {
            throw ProblemException.BadRequest(ProblemCodes.MissingReason, $"Say why: 'reason' of 1 to {MaxReasonLength} characters. The owner is mailed it.");
        }

        var watch = await AwaitingProofAsync(id, "only a watch whose address is confirmed (awaiting_proof) can be rejected", cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        watch.Status = WatchStatuses.Rejected;
        watch.DecisionReason = reason;
        watch.Revision++;
        var (subject, body) = mails.Rejected(watch, WatchSecrets.EndCode(watch.TokenHash));
        AddMail(watch, WatchMails.RejectedTemplate, subject, body, now);
        db.Record(now, actor, "watch.rejected", SubjectType, Id(watch), new { Reason = reason });
        await SaveAsync(cancellationToken);
        return ReviewView(watch);
    }

    private async Task<Watch> AwaitingProofAsync(long id, string action, CancellationToken cancellationToken)
    {
        var watch = await db.Watches.SingleOrDefaultAsync(w => w.Id == id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such watch", $"There is no watch with id {id}.");
        return watch.Status == WatchStatuses.AwaitingProof ? watch : throw WatchProblems.InvalidTransition(watch.Status, action);
    }

    private static ReviewWatch ReviewView(Watch w) => new(
        w.Id, w.Kind.ToWire(), w.Value, w.Query, w.Email, w.Language, w.Status, w.Statement, w.CreatedAt, w.Verification, w.VerifiedBy, w.VerifiedAt,
        w.DecisionReason, w.EndedAt);

    private static void End(Watch watch, DateTime now)
    {
        watch.Status = WatchStatuses.Ended;
        watch.EndedAt = now;
        watch.CodeHash = null;
        watch.CodeExpiresAt = null;
        watch.Revision++;
    }

    private void AddMail(Watch watch, string template, string subject, string body, DateTime now) =>
        NotificationOutbox.Add(db, NotificationChannels.Email, watch.Email, watch.Language, template, subject, body, SubjectType, Id(watch), now);

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw WatchProblems.Changed();
        }
    }

    private static string Id(Watch watch) => watch.Id.ToString(CultureInfo.InvariantCulture);

    private static ProblemException Exists() => WatchProblems.Conflict(WatchProblems.WatchExists, "This address already watches this identifier",
        "This address has a watch on this identifier that is confirmed or active. Read it, or end it, with its token; no new one is made.");

    /// <summary>The address as sent, trimmed, if it is one address a mail can be sent to.</summary>
    private static string ReadEmail(string? text)
    {
        var email = text?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            throw ProblemException.BadRequest(WatchProblems.MissingEmail, "'email' is required: the address to mail the code and the notices to.");
        }

        if (email.Length > MaxEmailLength
            || !MailAddress.TryCreate(email, out var address)
            || !string.Equals(address.Address, email, StringComparison.Ordinal)
            || address.DisplayName.Length > 0
            || !address.Host.Contains('.', StringComparison.Ordinal)
            || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw ProblemException.BadRequest(WatchProblems.InvalidEmail, $"'email' must be one e-mail address such as name@example.com, of at most {MaxEmailLength} characters.");
        }

        return email;
    }
}
