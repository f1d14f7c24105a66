using System.Security.Cryptography;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Identifiers;
using FlagApi.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Appeals;

/// <summary>What the appellant can do: file an appeal, read it with its token, answer a request, withdraw.</summary>
public sealed class AppealSubmissionService(
    FlagDbContext db,
    EntryLedger ledger,
    IOptions<AppealsOptions> options,
    IOptions<IdentifierOptions> identifierOptions,
    TimeProvider time)
{
    /// <summary>How history and events name the appellant: never their name or contact, which stay in the appeal row.</summary>
    public const string AppellantActor = "appellant";

    public const int MaxNameLength = 200;
    public const int MaxContactLength = 200;
    public const int MaxStatementLength = 5000;
    public const int MaxMessageLength = 5000;
    public const int MaxReasonLength = 1000;
    public const int MaxEvidenceItems = 20;
    public const int MaxEvidenceTextLength = 2000;
    public const int MaxLinkLength = 2048;
    public const int MaxFileNameLength = 200;

    private static readonly JsonSerializerOptions EvidenceJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Files an appeal, or answers with the appellant's open appeal on the same identifier; a refusal is thrown as a
    /// <see cref="ProblemException"/>.
    /// </summary>
    /// <param name="language"><c>zh</c> or <c>en</c>: the language of the appellant's messages (AppealNotices).</param>
    public async Task<AppealFiled> SubmitAsync(AppealRequest request, string language, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid)
        {
            throw invalid;
        }

        var (attachments, attachmentProblem) = ReadAttachments(request.Attachments);
        if (attachmentProblem is not null)
        {
            throw attachmentProblem;
        }

        var (kind, canonical, identifierProblem) = SubmittedIdentifier.Read(
            request.Kind, request.Value, "The identifier to appeal ('value') is required.", identifierOptions.Value);
        if (identifierProblem is not null)
        {
            throw identifierProblem;
        }

        // The dueBy answered now is the one every later read shows.
        var now = SubmittedIdentifier.WholeMicroseconds(time.GetUtcNow().UtcDateTime);
        var ownerSince = NewOwnerDates.Read(request.OwnerSince, now, "ownerSince");
        var entry = await FindFlaggedEntryAsync(kind, canonical, now, cancellationToken);
        if (entry is null)
        {
            throw AppellantProblems.Conflict(
                AppellantProblems.NotFlagged,
                "The identifier is not flagged",
                $"This {kind.ToWire()} is not currently flagged, so there is nothing to appeal. A lookup shows what is flagged.");
        }

        if (ownerSince is { } since && !await HasSourceBeforeAsync(entry.Id, since, cancellationToken))
        {
            throw NewOwnerDates.NotOlder(since);
        }

        var appellant = request.Appellant!;
        var contactHash = AppealSecrets.ContactHash(appellant.Contact!);
        var earlier = await db.Appeals.AsNoTracking()
            .Where(a => a.Kind == entry.Kind && a.Value == entry.Value && a.ContactHash == contactHash)
            .Select(a => new { a.Id, a.TrackingCode, a.Status, a.DueBy, a.DecidedAt })
            .ToListAsync(cancellationToken);

        if (earlier.FirstOrDefault(a => AppealStates.IsOpen(a.Status)) is { } open)
        {
            return AlreadyOpen(open.Id, open.TrackingCode, open.Status, open.DueBy);
        }

        var lastRejection = earlier.Where(a => a.Status == AppealStatus.Rejected && a.DecidedAt is not null).Max(a => a.DecidedAt);
        if (lastRejection is { } rejectedAt && rejectedAt + options.Value.RejectionCooldown > now)
        {
            var again = rejectedAt + options.Value.RejectionCooldown;
            throw AppellantProblems.Conflict(
                AppellantProblems.AppealCooldown,
                "An appeal on this identifier was rejected recently",
                $"Your appeal on this identifier was rejected; you may appeal it again from {again:yyyy-MM-dd'T'HH:mm:ss'Z'}.",
                new Dictionary<string, object?> { ["appealAgainAt"] = again });
        }

        var token = AppealSecrets.NewAccessToken();
        var appeal = new Appeal
        {
            TrackingCode = await NewUniqueTrackingCodeAsync(cancellationToken),
            TokenHash = AppealSecrets.Hash(token),
            EntryId = entry.Id,
            Kind = entry.Kind,
            Value = entry.Value,
            Query = request.Value!,
            AppellantName = appellant.Name!.Trim(),
            AppellantContact = appellant.Contact!.Trim(),
            ContactHash = contactHash,
            Statement = request.Statement!.Trim(),
            Evidence = request.Evidence is { Count: > 0 } evidence
                ? JsonSerializer.Serialize(evidence.Select(e => ToView(e!)).ToList(), EvidenceJson)
                : null,
            Status = AppealStatus.Submitted,
            CreatedAt = now,
            DueBy = now + options.Value.ServiceLevel,
            Revision = 1,
            OwnerSince = ownerSince,
            Language = language,
        };

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            db.Appeals.Add(appeal);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
            {
                // The same appellant's identical appeal won a race by an instant (unique index on open appeals).
                await transaction.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                if (await FindOpenAsync(entry.Kind, entry.Value, contactHash, cancellationToken) is { } raced)
                {
                    return AlreadyOpen(raced.Id, raced.TrackingCode, raced.Status, raced.DueBy);
                }

                throw;
            }

            db.AppealEvents.Add(new AppealEvent
            {
                AppealId = appeal.Id,
                At = now,
                Actor = AppellantActor,
                Action = "submitted",
                FromStatus = null,
                ToStatus = AppealStatus.Submitted,
            });
            AddAttachments(appeal.Id, attachments, now);

            // The entry does not change, but its history shows every appeal against it (issue 4, item 5).
            // The review console says this in the reader's language by its form (review.js SERVER_TEXTS): keep the two alike.
            await ledger.NoteAsync(entry.Id, EntryActions.AppealSubmitted, $"Appeal {appeal.TrackingCode} submitted", AppellantActor, now, cancellationToken);
            db.Record(now, AppellantActor, "appeal.submitted", "appeal", appeal.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), new
            {
                appeal.TrackingCode,
                EntryId = entry.Id,
                Kind = entry.Kind.ToWire(),
                Evidence = request.Evidence?.Count ?? 0,
                Attachments = attachments.Count,
            });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return new AppealFiled(new AppealReceipt(appeal.Id, appeal.TrackingCode, appeal.Status, appeal.DueBy, AccessToken: token), AlreadyOpen: false);
    }

    /// <summary>Files read by <see cref="ReadAttachments"/>, stored with the moment of the filing or message that brought them.</summary>
    private void AddAttachments(long appealId, IReadOnlyList<ReadAttachment> attachments, DateTime at)
    {
        foreach (var attachment in attachments)
        {
            db.AppealAttachments.Add(new AppealAttachment
            {
                AppealId = appealId,
                FileName = attachment.FileName,
                ContentType = attachment.ContentType,
                Size = attachment.Content.Length,
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(attachment.Content)),
                Content = attachment.Content,
                CreatedAt = at,
            });
        }
    }

    private static AppealFiled AlreadyOpen(long id, string trackingCode, AppealStatus status, DateTime dueBy) =>
        new(new AppealReceipt(
            id,
            trackingCode,
            status,
            dueBy,
            Detail: "You already have an open appeal on this identifier. Follow it with its tracking code and the access token you were given when you filed it; no new token is issued."), AlreadyOpen: true);

    private Task<Appeal?> FindOpenAsync(IdentifierKind kind, string value, string contactHash, CancellationToken cancellationToken) =>
        db.Appeals.AsNoTracking()
            .Where(a => a.Kind == kind && a.Value == value && a.ContactHash == contactHash
                && (a.Status == AppealStatus.Submitted || a.Status == AppealStatus.InReview || a.Status == AppealStatus.NeedsInfo))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The appeal the code and token open, or null for an unknown code, a missing token or a wrong one alike.</summary>
    public async Task<Appeal?> FindAsync(string trackingCode, string? token, CancellationToken cancellationToken)
    {
        // Hashed whatever the code, so an unknown code costs the same as a known one with a wrong token. A grouped token is
        // hashed as it was issued, however it was typed; an old at_ token exactly as it was issued.
        var readable = token is { Length: <= AppealSecrets.MaxTokenInputLength } ? AppealSecrets.NormalizeAccessToken(token) : string.Empty;
        var presented = Convert.FromHexString(AppealSecrets.Hash(readable));
        var code = AppealSecrets.NormalizeTrackingCode(trackingCode);
        var appeal = code is null ? null : await db.Appeals.SingleOrDefaultAsync(a => a.TrackingCode == code, cancellationToken);
        var stored = appeal is null ? new byte[presented.Length] : Convert.FromHexString(appeal.TokenHash);
        var matches = CryptographicOperations.FixedTimeEquals(presented, stored);
        return appeal is not null && matches && !string.IsNullOrEmpty(readable) ? appeal : null;
    }

    public async Task<AppellantAppealView> ViewAsync(Appeal appeal, CancellationToken cancellationToken)
    {
        var events = await db.AppealEvents.AsNoTracking()
            .Where(e => e.AppealId == appeal.Id)
            .OrderBy(e => e.Id)
            .ToListAsync(cancellationToken);
        var stored = await db.AppealAttachments.AsNoTracking()
            .Where(a => a.AppealId == appeal.Id)
            .OrderBy(a => a.Id)
            .Select(a => new { a.CreatedAt, Summary = new AttachmentSummary(a.FileName, a.ContentType, a.Size) })
            .ToListAsync(cancellationToken);
        var attachments = stored.Select(a => a.Summary).ToList();

        // A message's files are written in its transaction with its moment (AddMessageAsync), which is how they are found.
        var history = events
            .Select(e => new PublicAppealEvent(e.At, ByWhom(e.Actor), e.Action, e.FromStatus, e.ToStatus, e.PublicMessage,
                e.Action == "message" && e.Actor == AppellantActor && stored.Where(a => a.CreatedAt == e.At).Select(a => a.Summary).ToList() is { Count: > 0 } files
                    ? files
                    : null))
            .ToList();

        // A request for information is any step by a reviewer into needs_info, whatever the reviewer's endpoint calls it.
        var requests = events
            .Select((e, i) => (Event: e, Index: i))
            .Where(x => x.Event.ToStatus == AppealStatus.NeedsInfo && x.Event.Actor != AppellantActor)
            .Select(x => new InformationRequest(
                x.Event.At,
                x.Event.PublicMessage,
                events.Skip(x.Index + 1).Any(e => e.Actor == AppellantActor && e.Action == "message")))
            .ToList();

        // After a rejection the same contact may appeal the identifier again once the cool-down is over (SubmitAsync):
        // the appellant is told when, rather than offered a new appeal that would be refused until then.
        // A rejection also says what would change it (issue 23, item 5); an approval as a new owner, whether newer sources
        // still flag the identifier.
        var rejected = appeal.Status == AppealStatus.Rejected;
        var decision = appeal.Status is AppealStatus.Approved or AppealStatus.Rejected or AppealStatus.Resolved && appeal.DecidedAt is { } decidedAt
            ? new AppealDecisionView(
                appeal.Status,
                decidedAt,
                appeal.DecisionReason,
                rejected ? decidedAt + options.Value.RejectionCooldown : null,
                rejected ? RejectionGuidance.For(appeal.WhatWouldChange, appeal.Kind, appeal.Language) : null,
                appeal.Status == AppealStatus.Approved ? appeal.VerifiedOwnerSince : null,
                appeal.Status == AppealStatus.Approved && appeal.VerifiedOwnerSince is not null ? appeal.SourcesKept > 0 : null)
            : null;

        var evidence = appeal.Evidence is null
            ? []
            : JsonSerializer.Deserialize<List<EvidenceItemView>>(appeal.Evidence, EvidenceJson) ?? [];

        return new AppellantAppealView(
            appeal.TrackingCode,
            appeal.Status,
            appeal.Kind.ToWire(),
            appeal.Value,
            appeal.Query,
            appeal.Statement,
            evidence,
            attachments,
            appeal.CreatedAt,
            appeal.DueBy,
            history,
            requests,
            decision,
            appeal.OwnerSince);
    }

    /// <summary>
    /// The appellant's message, with files (a reviewer asking for a photo gets one) under the same rules as at filing: an
    /// answer to a request for information moves the appeal back to review. Text or at least one file is needed.
    /// </summary>
    public async Task AddMessageAsync(Appeal appeal, AppealMessageRequest request, CancellationToken cancellationToken)
    {
        if (ValidateText(request.Message, ReviewProblemCodes.MissingMessage, "message", MaxMessageLength, required: request.Attachments is not { Count: > 0 }) is { } invalid)
        {
            throw invalid;
        }

        var (attachments, attachmentProblem) = ReadAttachments(request.Attachments);
        if (attachmentProblem is not null)
        {
            throw attachmentProblem;
        }

        if (!AppealStates.CanMessage(appeal.Status))
        {
            throw AppellantProblems.InvalidTransitionFrom(appeal.Status, "messages can be sent");
        }

        var next = appeal.Status == AppealStatus.NeedsInfo ? AppealStatus.InReview : appeal.Status;
        await ChangeAsync(appeal, next, "message", request.Message, "appeal.message", cancellationToken, attachments);
    }

    public async Task WithdrawAsync(Appeal appeal, string? reason, CancellationToken cancellationToken)
    {
        if (!AppealStates.CanWithdraw(appeal.Status))
        {
            throw AppellantProblems.InvalidTransitionFrom(appeal.Status, "it can be withdrawn");
        }

        await ChangeAsync(appeal, AppealStatus.Withdrawn, "withdrawn", reason, "appeal.withdrawn", cancellationToken);
    }

    /// <summary>The problem with a text field, for the caller to throw, or null when it is fine.</summary>
    public static ProblemException? ValidateText(string? text, string missingCode, string what, int maxLength, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return required ? ProblemException.BadRequest(missingCode, $"The {what} is required.") : null;
        }

        return text.Trim().Length > maxLength
            ? ProblemException.BadRequest(AppellantProblems.TooLong, $"The {what} is {text.Trim().Length} characters long; at most {maxLength} are accepted.")
            : null;
    }

    private async Task ChangeAsync(
        Appeal appeal,
        AppealStatus next,
        string action,
        string? publicMessage,
        string auditAction,
        CancellationToken cancellationToken,
        IReadOnlyList<ReadAttachment>? attachments = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var from = appeal.Status;
        var message = string.IsNullOrWhiteSpace(publicMessage) ? null : publicMessage.Trim();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        appeal.Status = next;
        appeal.Revision++;
        db.AppealEvents.Add(new AppealEvent
        {
            AppealId = appeal.Id,
            At = now,
            Actor = AppellantActor,
            Action = action,
            FromStatus = from,
            ToStatus = next,
            PublicMessage = message,
        });
        AddAttachments(appeal.Id, attachments ?? [], now);
        db.Record(now, AppellantActor, auditAction, "appeal", appeal.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), new
        {
            appeal.TrackingCode,
            From = WireNames.Of(from),
            To = WireNames.Of(next),
            Attachments = attachments?.Count ?? 0,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The revision moved under us: a reviewer acted at the same moment. Nothing was written.
            throw AppellantProblems.Changed();
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The entry the appeal is against: the same probes a lookup makes (a URL also meets the domain entries above it), read
    /// from the database rather than the in-memory index so an appeal filed right after a list is published finds its entry.
    /// When several entries flag the identifier, the most specific one is appealed (probes come most specific first): that is
    /// the entry the appellant named; a broader entry over it is a different flag that needs its own appeal.
    /// </summary>
    private async Task<Entry?> FindFlaggedEntryAsync(IdentifierKind kind, string canonical, DateTime now, CancellationToken cancellationToken)
    {
        var probes = Matching.Probes(kind, canonical);
        var keys = probes.Select(p => p.Key).Distinct(StringComparer.Ordinal).ToList();
        var candidates = await db.Entries.AsNoTracking()
            .Where(e => keys.Contains(e.Value) && e.Status == EntryStatus.Active)
            .ToListAsync(cancellationToken);
        foreach (var probe in probes)
        {
            var entry = candidates.FirstOrDefault(e => e.Kind == probe.EntryKind && e.Value == probe.Key);
            if (entry is not null && (entry.ExpiresAt is null || entry.ExpiresAt > now))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Whether a source that flags the entry now is dated before <paramref name="ownerSince"/> (by <see cref="EntrySourceDates"/>).</summary>
    private async Task<bool> HasSourceBeforeAsync(long entryId, DateOnly ownerSince, CancellationToken cancellationToken)
    {
        var sources = await db.EntrySources.AsNoTracking()
            .Where(s => s.EntryId == entryId && s.RemovedAt == null)
            .Select(s => new { s.AddedAt, PublishedOn = s.List == null ? null : s.List.PublishedOn })
            .ToListAsync(cancellationToken);
        return sources.Any(s => EntrySourceDates.Of(s.PublishedOn, s.AddedAt) < ownerSince);
    }

    private async Task<string> NewUniqueTrackingCodeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var code = AppealSecrets.NewTrackingCode();
            if (!await db.Appeals.AnyAsync(a => a.TrackingCode == code, cancellationToken))
            {
                return code;
            }
        }
    }

    private static string ByWhom(string actor) => actor == AppellantActor ? "you" : "reviewer";

    private static EvidenceItemView ToView(EvidenceItem item) =>
        item.Type == "text" ? new EvidenceItemView("text", item.Text!.Trim(), null) : new EvidenceItemView("link", null, item.Url!.Trim());

    private static ProblemException? Validate(AppealRequest request)
    {
        if (request.Appellant is not { } appellant)
        {
            return ProblemException.BadRequest(AppellantProblems.MissingAppellant, "'appellant' with the appellant's name and contact is required.");
        }

        var problem = ValidateText(appellant.Name, AppellantProblems.MissingName, "appellant's name", MaxNameLength, required: true)
            ?? ValidateText(appellant.Contact, AppellantProblems.MissingContact, "appellant's contact (a phone number or e-mail address)", MaxContactLength, required: true)
            ?? ValidateText(request.Statement, AppellantProblems.MissingStatement, "statement of why the flag is wrong", MaxStatementLength, required: true);
        if (problem is not null)
        {
            return problem;
        }

        var evidence = request.Evidence ?? [];
        if (evidence.Count > MaxEvidenceItems)
        {
            return ProblemException.BadRequest(ProblemCodes.TooManyEvidence, $"{evidence.Count} evidence items were sent; at most {MaxEvidenceItems} are accepted.");
        }

        for (var i = 0; i < evidence.Count; i++)
        {
            var item = evidence[i];
            switch (item?.Type)
            {
                case "text" when !string.IsNullOrWhiteSpace(item.Text):
                    if (item.Text.Trim().Length > MaxEvidenceTextLength)
                    {
                        return ProblemException.BadRequest(AppellantProblems.TooLong, $"evidence[{i}].text is longer than the {MaxEvidenceTextLength} characters accepted.");
                    }

                    break;

                case "link" when !string.IsNullOrWhiteSpace(item.Url):
                    var url = item.Url.Trim();
                    if (url.Length > MaxLinkLength
                        || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
                        || uri.Scheme is not ("http" or "https")
                        || string.IsNullOrEmpty(uri.Host))
                    {
                        return ProblemException.BadRequest(ProblemCodes.InvalidLink, $"evidence[{i}].url must be an absolute http or https address of at most {MaxLinkLength} characters.");
                    }

                    break;

                default:
                    return ProblemException.BadRequest(
                        ProblemCodes.InvalidEvidence,
                        $"evidence[{i}] must be a string, {{\"type\":\"text\",\"text\":\"…\"}} or {{\"type\":\"link\",\"url\":\"https://…\"}}.");
            }
        }

        return null;
    }

    private (IReadOnlyList<ReadAttachment> Attachments, ProblemException? Problem) ReadAttachments(IReadOnlyList<AttachmentUpload?>? uploads)
    {
        var limits = options.Value;
        if (uploads is not { Count: > 0 })
        {
            return ([], null);
        }

        if (uploads.Count > limits.MaxAttachments)
        {
            return ([], ProblemException.BadRequest(AppellantProblems.TooManyAttachments, $"{uploads.Count} attachments were sent; at most {limits.MaxAttachments} are accepted."));
        }

        var read = new List<ReadAttachment>(uploads.Count);
        for (var i = 0; i < uploads.Count; i++)
        {
            var upload = uploads[i];
            var name = upload?.FileName is { } fileName ? Path.GetFileName(fileName.Replace('\\', '/').Trim()) : null;
            if (string.IsNullOrEmpty(name) || name.Length > MaxFileNameLength || string.IsNullOrEmpty(upload!.ContentBase64))
            {
                return ([], ProblemException.BadRequest(AppellantProblems.InvalidAttachment,
                    $"attachments[{i}] needs a 'fileName' (at most {MaxFileNameLength} characters) and its content in 'contentBase64'."));
            }

            // Decoded size is at most 3/4 of the text: refuse an oversized file before decoding it.
            if ((long)upload.ContentBase64.Length / 4 * 3 > limits.MaxAttachmentBytes + 2)
            {
                return ([], TooLarge(i, limits.MaxAttachmentBytes));
            }

            byte[] content;
            try
            {
                content = Convert.FromBase64String(upload.ContentBase64);
            }
            catch (FormatException)
            {
                return ([], ProblemException.BadRequest(AppellantProblems.InvalidAttachment, $"attachments[{i}].contentBase64 is not valid base64."));
            }

            if (content.Length > limits.MaxAttachmentBytes)
            {
                return ([], TooLarge(i, limits.MaxAttachmentBytes));
            }

            if (AttachmentTypes.Detect(content) is not { } contentType)
            {
                return ([], ProblemException.BadRequest(AppellantProblems.AttachmentTypeNotAllowed,
                    $"attachments[{i}] ('{name}') is not a PNG, JPEG or PDF file by its content; only those are accepted, whatever the file name says."));
            }

            read.Add(new ReadAttachment(name, contentType, content));
        }

        return (read, null);
    }

    private static ProblemException TooLarge(int index, int max) => new(
        StatusCodes.Status413PayloadTooLarge,
        AppellantProblems.AttachmentTooLarge,
        "An attachment is too large",
        $"attachments[{index}] is larger than the {max} bytes accepted per attachment.");

    private sealed record ReadAttachment(string FileName, string ContentType, byte[] Content);
}

/// <summary>What filing an appeal came to: a new appeal, or the appellant's open one on the same identifier.</summary>
public sealed record AppealFiled(AppealReceipt Receipt, bool AlreadyOpen);

/// <summary>Attachment types by their leading bytes, because a name or a declared type says nothing about what a file is.</summary>
public static class AttachmentTypes
{
    private const string PngType = "image/png";
    private const string JpegType = "image/jpeg";
    private const string PdfType = "application/pdf";

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] Pdf = "%PDF-"u8.ToArray();

    /// <summary>Every type an attachment can have, as it is stored and served back.</summary>
    public static readonly string[] All = [PngType, JpegType, PdfType];

    public static string? Detect(ReadOnlySpan<byte> content) =>
        content.StartsWith(Png) ? PngType
        : content.StartsWith(Jpeg) ? JpegType
        : content.StartsWith(Pdf) ? PdfType
        : null;
}
