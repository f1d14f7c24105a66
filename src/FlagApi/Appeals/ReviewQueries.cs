using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Identifiers;
using FlagApi.Problems;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Appeals;

/// <summary>A validated <see cref="AppealQueueRequest"/>.</summary>
public sealed record AppealQueueFilter(
    AppealStatus? Status,
    bool? Overdue,
    IdentifierKind? Kind,
    Category? Category,
    long? ListId,
    string? AssignedTo,
    int Page,
    int PageSize);

/// <summary>
/// Who is looking: a reviewer (or admin) sees everything; a publisher sees, read-only, the appeals against
/// entries its own agency's lists flagged, without who appealed.
/// </summary>
public sealed record ReviewViewer(string? PublisherAgency)
{
    public static readonly ReviewViewer Reviewer = new((string?)null);

    public bool IsReviewer => PublisherAgency is null;
}

/// <summary>Reads appeals for reviewers and for the agencies whose lists they contest.</summary>
public sealed class ReviewQueries(FlagDbContext db, EntryQueries entries, TimeProvider time)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static bool TryReadFilter(AppealQueueRequest request, out AppealQueueFilter filter, out string code, out string detail)
    {
        filter = new AppealQueueFilter(null, null, null, null, null, null, 1, DefaultPageSize);
        code = detail = string.Empty;

        AppealStatus? status = null;
        if (Given(request.Status) is { } statusText)
        {
            if (!WireNames.TryParse<AppealStatus>(statusText, out var parsed))
            {
                (code, detail) = (ProblemCodes.InvalidStatus, $"'{statusText}' is not an appeal status; use one of: {string.Join(", ", WireNames.All<AppealStatus>())}.");
                return false;
            }

            status = parsed;
        }

        bool? overdue = null;
        if (Given(request.Overdue) is { } overdueText)
        {
            if (!bool.TryParse(overdueText, out var parsed))
            {
                (code, detail) = (ProblemCodes.InvalidFilter, $"'overdue' is true or false; '{overdueText}' is not.");
                return false;
            }

            overdue = parsed;
        }

        IdentifierKind? kind = null;
        if (Given(request.Kind) is { } kindText)
        {
            if (!IdentifierKinds.TryParse(kindText, out var parsed))
            {
                (code, detail) = (Problems.ProblemCodes.UnknownKind, IdentifierKinds.UnknownKindDetail(kindText));
                return false;
            }

            kind = parsed;
        }

        Category? category = null;
        if (Given(request.Category) is { } categoryText)
        {
            if (!WireNames.TryParse<Category>(categoryText, out var parsed))
            {
                (code, detail) = (ProblemCodes.InvalidCategory, $"'{categoryText}' is not a category; use one of: {string.Join(", ", WireNames.All<Category>())}.");
                return false;
            }

            category = parsed;
        }

        long? listId = null;
        if (Given(request.ListId) is { } listText)
        {
            if (!long.TryParse(listText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
            {
                (code, detail) = (ProblemCodes.InvalidFilter, $"'listId' is a list id (a positive number); '{listText}' is not.");
                return false;
            }

            listId = parsed;
        }

        if (!Paging.TryRead(request.Page, request.PageSize, DefaultPageSize, MaxPageSize, "appeals", out var page, out var pageSize, out var pagingProblem))
        {
            (code, detail) = (ProblemCodes.InvalidPage, pagingProblem);
            return false;
        }

        filter = new AppealQueueFilter(status, overdue, kind, category, listId, Given(request.AssignedTo), page, pageSize);
        return true;
    }

    /// <summary>The agency that published a list, or null if there is no such list.</summary>
    public Task<string?> ListAgencyAsync(long listId, CancellationToken cancellationToken) =>
        db.Lists.AsNoTracking().Where(l => l.Id == listId).Select(l => l.Agency).SingleOrDefaultAsync(cancellationToken);

    public async Task<AppealQueuePage> QueueAsync(AppealQueueFilter filter, ReviewViewer viewer, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var query = Visible(viewer);
        if (filter.Status is { } status)
        {
            query = query.Where(a => a.Status == status);
        }

        if (filter.Overdue is { } overdue)
        {
            var isOverdue = IsOverdue(now);
            query = query.Where(overdue ? isOverdue : Not(isOverdue));
        }

        if (filter.Kind is { } kind)
        {
            query = query.Where(a => a.Kind == kind);
        }

        if (filter.Category is { } category)
        {
            query = query.Where(a => db.Entries.Any(e => e.Id == a.EntryId && e.Category == category));
        }

        if (filter.ListId is { } listId)
        {
            query = query.Where(a => db.EntrySources.Any(s => s.EntryId == a.EntryId && s.ListId == listId));
        }

        if (filter.AssignedTo is { } assignedTo)
        {
            query = query.Where(a => a.AssignedTo == assignedTo);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query
            .OrderByDescending(a => (a.Status == AppealStatus.Submitted || a.Status == AppealStatus.InReview || a.Status == AppealStatus.NeedsInfo) && a.DueBy < now ? 1 : 0)
            .ThenBy(a => a.DueBy).ThenBy(a => a.Id)
            .Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize)
            .Join(db.Entries, a => a.EntryId, e => e.Id, (a, e) => new
            {
                a.Id, a.TrackingCode, a.Kind, a.Value, a.Status, a.CreatedAt, a.DueBy, a.AssignedTo, a.EntryId, e.Category, a.AppellantName, a.AppellantContact,
            })
            .ToListAsync(cancellationToken);

        var entryIds = rows.Select(r => r.EntryId).Distinct().ToList();
        var lists = (await db.EntrySources.AsNoTracking()
                .Where(s => entryIds.Contains(s.EntryId) && s.ListId != null)
                .Select(s => new { s.EntryId, ListId = s.ListId!.Value })
                .Distinct()
                .ToListAsync(cancellationToken))
            .ToLookup(s => s.EntryId, s => s.ListId);

        var items = rows.Select(r => new AppealQueueItem(
            r.Id, r.TrackingCode, r.Kind.ToWire(), r.Value, r.Status, r.CreatedAt, r.DueBy, Overdue(r.Status, r.DueBy, now), r.AssignedTo, r.Category,
            [.. lists[r.EntryId].Order()],
            viewer.IsReviewer ? new Appellant(r.AppellantName, r.AppellantContact) : null)).ToList();
        return new AppealQueuePage(items, filter.Page, filter.PageSize, total);
    }

    /// <summary>Whether the viewer may see the appeal at all: null if there is no such appeal.</summary>
    public async Task<bool?> IsVisibleAsync(long id, ReviewViewer viewer, CancellationToken cancellationToken)
    {
        if (!await db.Appeals.AnyAsync(a => a.Id == id, cancellationToken))
        {
            return null;
        }

        return viewer.IsReviewer || await Visible(viewer).AnyAsync(a => a.Id == id, cancellationToken);
    }

    public async Task<ReviewAppealDetail?> FindAsync(long id, ReviewViewer viewer, CancellationToken cancellationToken = default)
    {
        var appeal = await db.Appeals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (appeal is null || await entries.FindAsync(appeal.EntryId, cancellationToken) is not { } entry)
        {
            return null;
        }

        var attachments = await db.AppealAttachments.AsNoTracking()
            .Where(x => x.AppealId == id)
            .OrderBy(x => x.Id)
            .Select(x => new AppealAttachmentInfo(x.Id, x.FileName, x.ContentType, x.Size, x.Sha256, x.CreatedAt))
            .ToListAsync(cancellationToken);
        var events = await db.AppealEvents.AsNoTracking()
            .Where(x => x.AppealId == id)
            .OrderBy(x => x.Id)
            .ToListAsync(cancellationToken);

        var now = time.GetUtcNow().UtcDateTime;
        var decision = appeal.DecidedAt is { } decidedAt && appeal.Status is AppealStatus.Approved or AppealStatus.Rejected or AppealStatus.Resolved
            ? new AppealDecisionInfo(
                appeal.Status, decidedAt, appeal.DecidedBy ?? string.Empty, appeal.DecisionReason ?? string.Empty, appeal.Verification, appeal.VerificationNote,
                appeal.WhatWouldChange, appeal.VerifiedOwnerSince, appeal.SourcesKept)
            : null;
        return new ReviewAppealDetail(
            appeal.Id, appeal.TrackingCode, appeal.Kind.ToWire(), appeal.Value, appeal.Query, appeal.Status, appeal.CreatedAt, appeal.DueBy,
            Overdue(appeal.Status, appeal.DueBy, now), appeal.AssignedTo,
            viewer.IsReviewer ? new Appellant(appeal.AppellantName, appeal.AppellantContact) : null,
            appeal.Statement,
            appeal.OwnerSince,
            appeal.Evidence is null ? null : ParseJson(appeal.Evidence),
            attachments,
            decision,
            appeal.Revision,
            [.. events.Select(e => new AppealEventRecord(e.At, e.Actor, e.Action, e.FromStatus, e.ToStatus, e.PublicMessage, viewer.IsReviewer ? e.InternalNote : null))],
            entry);
    }

    public Task<AppealAttachment?> FindAttachmentAsync(long appealId, long attachmentId, CancellationToken cancellationToken) =>
        db.AppealAttachments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == attachmentId && x.AppealId == appealId, cancellationToken);

    /// <summary>The appeals a bulk decision's filter selects, oldest due first; at most <paramref name="limit"/>.</summary>
    public Task<List<long>> SelectAsync(long listId, AppealStatus? status, IdentifierKind? kind, int limit, CancellationToken cancellationToken)
    {
        var query = db.Appeals.AsNoTracking().Where(a => db.EntrySources.Any(s => s.EntryId == a.EntryId && s.ListId == listId));
        if (status is { } given)
        {
            query = query.Where(a => a.Status == given);
        }

        if (kind is { } k)
        {
            query = query.Where(a => a.Kind == k);
        }

        return query.OrderBy(a => a.DueBy).ThenBy(a => a.Id).Select(a => a.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public static bool Overdue(AppealStatus status, DateTime dueBy, DateTime now) => AppealStates.IsOpen(status) && dueBy < now;

    private IQueryable<Appeal> Visible(ReviewViewer viewer)
    {
        var query = db.Appeals.AsNoTracking();
        if (viewer.PublisherAgency is { } agency)
        {
            query = query.Where(a => db.EntrySources.Any(s => s.EntryId == a.EntryId && s.List != null && s.List.Agency == agency));
        }

        return query;
    }

    private static Expression<Func<Appeal, bool>> IsOverdue(DateTime now) =>
        a => (a.Status == AppealStatus.Submitted || a.Status == AppealStatus.InReview || a.Status == AppealStatus.NeedsInfo) && a.DueBy < now;

    private static Expression<Func<Appeal, bool>> Not(Expression<Func<Appeal, bool>> predicate) =>
        Expression.Lambda<Func<Appeal, bool>>(Expression.Not(predicate.Body), predicate.Parameters);

    private static JsonElement ParseJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Evidence is stored as the appellant's JSON; should a row hold plain text, show it as text.
            return JsonSerializer.SerializeToElement(json);
        }
    }

    private static string? Given(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

}
