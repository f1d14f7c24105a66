using System.Globalization;
using System.Security.Claims;
using FlagApi.Data;
using FlagApi.Keys;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace FlagApi.Appeals;

/// <summary>
/// The reviewers' side of appeals, under <c>/v1/review/appeals</c>, by numeric id. The appellant's routes are under
/// <c>/v1/appeals</c>, by tracking code (<see cref="AppellantEndpoints"/>).
/// </summary>
public static class ReviewEndpoints
{
    public static IHostApplicationBuilder AddAppealReview(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<AppealApiLimits>();
        // The same binding the appellant side registers; binding twice to one section is harmless.
        builder.Services.AddScoped<AppealDecisionWriter>();
        builder.Services.AddScoped<ReviewQueries>();
        builder.Services.AddScoped<ReviewService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAppealReview(this IEndpointRouteBuilder app)
    {
        MapReviewRoutes(app, Root, deprecated: false);

        // The first shape, under the appellant's /v1/appeals: there a numeric id sat at the path position of the
        // appellant's tracking code, which no generated client can type. Still answered, the same way, for callers
        // written against it, with Deprecation, Sunset and the successor's Link; no longer in the OpenAPI document.
        MapReviewRoutes(app, AppellantEndpoints.Root, deprecated: true);
        return app;
    }

    /// <summary>Where reviewers work on appeals.</summary>
    public const string Root = "/v1/review/appeals";

    /// <summary>The deprecated routes' last day (RFC 8594 Sunset), as docs/deprecations.md announces it.</summary>
    public static readonly DateTimeOffset DeprecatedRoutesSunset = new(2027, 6, 30, 0, 0, 0, TimeSpan.Zero);

    /// <summary>When the old routes were deprecated (RFC 9745 Deprecation).</summary>
    public static readonly DateTimeOffset DeprecatedRoutesSince = new(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);

    private static void MapReviewRoutes(IEndpointRouteBuilder app, string root, bool deprecated)
    {
        // Reading admits publishers too (the agency's read-only view of appeals against its own lists);
        // the handlers narrow what a publisher sees. Every change needs a reviewer.
        // Reads spend the lookup budget: a reviewer working through the queue must not use up the budget that
        // deciding is counted against.
        var read = app.MapGroup(root)
            .WithTags("Appeals (reviewers)")
            .RequireAuthorization(Policies.ReviewerOrPublisher)
            .WithRateLimitBudget(RateLimitBudget.Lookup)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        var write = app.MapGroup(root)
            .WithTags("Appeals (reviewers)")
            .RequireAuthorization(Policies.Reviewer)
            .WithRateLimitBudget(RateLimitBudget.Appeal)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        if (deprecated)
        {
            var replaced = new DeprecatedRoute(DeprecatedRoutesSince, DeprecatedRoutesSunset, root, Root);
            foreach (var group in new[] { read, write })
            {
                group.ExcludeFromDescription().WithMetadata(replaced);
            }
        }

        // Endpoint names are unique: only the documented routes have them (they are the OpenAPI operation ids).
        string? Name(string name) => deprecated ? null : name;

        read.MapGet("/", GetQueue)
            .Named(Name("GetAppealQueue"))
            .WithSummary("The appeal queue: overdue first, then by due time")
            .WithDescription("""
                Filters, all optional and combined: `status` (submitted, in_review, needs_info, approved, rejected, withdrawn); `overdue`
                (true: open and past `dueBy`; false: the others); `kind`; `category` (the appealed entry's); `listId` (appeals against
                entries that list flagged); `assignedTo` (the reviewer, as assign recorded it). Overdue open appeals come first, then
                all by `dueBy`; `page` (from 1) of `pageSize` (1 to 500, default 50), with the `total` that match. Reviewers see who
                appealed and how to reach them; a publisher key sees only appeals against its own agency's lists, without the
                appellant. Bad values are 400 problems: invalid_status, invalid_filter, unknown_kind, invalid_category, invalid_page;
                a publisher asking for another agency's list gets 403 not_your_list.
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        read.MapGet("/{id:long}", GetAppeal)
            .Named(Name("GetReviewAppeal"))
            .WithSummary("One appeal as reviewers see it, with its ETag")
            .WithDescription("""
                With a reviewer or admin key (or a publisher key, for appeals against its own agency's lists): the statement and
                evidence, attachment metadata, every event with internal notes, the decision, and the entry with every source and
                its history. The `ETag` header is the appeal's revision, to send as `If-Match` with a decision. A publisher sees
                neither the appellant nor internal notes, and other agencies' appeals are 403 not_your_appeal.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

        write.MapGet("/{id:long}/attachments/{attachmentId:long}", GetAttachment)
            .Named(Name("GetAppealAttachment"))
            .WithSummary("An attachment's bytes, as a download")
            .WithDescription("With the content type it was stored with, `X-Content-Type-Options: nosniff` and `Content-Disposition: attachment`: the file is the appellant's and is never rendered in this origin. Reviewers only.")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);

        write.MapPost("/{id:long}/assign", Assign)
            .Named(Name("AssignAppeal"))
            .WithSummary("Take an appeal (or hand it to a reviewer): submitted becomes in_review")
            .WithDescription("`reviewer` defaults to the calling key. An `If-Match` header, if sent, must hold the current ETag (412 stale_appeal). A closed appeal, or one waiting for the appellant, is 409 invalid_transition.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        write.MapPost("/{id:long}/request-info", RequestInfo)
            .Named(Name("RequestAppealInfo"))
            .WithSummary("Ask the appellant for more: the appeal waits in needs_info")
            .WithDescription("`message` is public: the appellant sees it. Allowed while the appeal is submitted or in review (409 invalid_transition otherwise).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        write.MapPost("/{id:long}/decision", Decide)
            .Named(Name("DecideAppeal"))
            .WithSummary("Approve or reject an appeal, with a reason")
            .WithDescription("""
                Requires `If-Match` with the ETag of the appeal as the reviewer saw it (428 precondition_required without it; 412
                stale_appeal when the appeal changed since, e.g. another reviewer decided it: never a silent overwrite). `reason` is
                required and public; `verification` (carrier_real_name, callback, in_person_id, platform_confirmation, other) is
                required to approve (400 missing_verification); `note` is internal. An approval clears the entry in one transaction:
                lookups answer `cleared`, and the change log carries a `remove` so synced apps drop it. A rejection leaves the entry as
                it is. A withdrawn or decided appeal is 409 invalid_transition.
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);

        write.MapPost("/decisions", DecideMany)
            .Named(Name("DecideAppealsInBulk"))
            .WithSummary("Approve or reject many appeals at once, each with its own recorded decision")
            .WithDescription("""
                Choose the appeals by `appealIds`, or by `filter` {`listId`, `status`?, `kind`?}: every appeal against an entry that list
                flagged (the sweep case). Regions are not modelled; a sweep is found by the list that carried it. At most
                `Appeals:MaxBulkDecision` appeals (400 too_many_appeals). Each appeal is decided in its own transaction with its own
                event and entry history; one that is not open is skipped, and the answer says so per appeal.
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static RouteHandlerBuilder Named(this RouteHandlerBuilder route, string? name) => name is null ? route : route.WithName(name);

    public static async Task<Results<Ok<AppealQueuePage>, ProblemHttpResult>> GetQueue(
        [AsParameters] AppealQueueRequest request, ClaimsPrincipal user, ReviewQueries queries, CancellationToken cancellationToken)
    {
        if (!ReviewQueries.TryReadFilter(request, out var filter, out var code, out var detail))
        {
            return ApiProblems.BadRequest(code, detail);
        }

        var viewer = ViewerOf(user);
        if (viewer.PublisherAgency is { } agency && filter.ListId is { } listId
            && await queries.ListAgencyAsync(listId, cancellationToken) is { } owner && !string.Equals(owner, agency, StringComparison.Ordinal))
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, ProblemCodes.NotYourList, "This list belongs to another agency",
                $"List {listId} was published by another agency; a publisher key sees the appeals against its own agency's lists only.");
        }

        return TypedResults.Ok(await queries.QueueAsync(filter, viewer, cancellationToken));
    }

    public static async Task<Results<Ok<ReviewAppealDetail>, ProblemHttpResult>> GetAppeal(
        long id, ClaimsPrincipal user, HttpResponse response, ReviewQueries queries, CancellationToken cancellationToken)
    {
        var viewer = ViewerOf(user);
        switch (await queries.IsVisibleAsync(id, viewer, cancellationToken))
        {
            case null:
                return NotFound(id);
            case false:
                return ApiProblems.Problem(StatusCodes.Status403Forbidden, ReviewProblemCodes.NotYourAppeal, "This appeal is not against your agency's lists",
                    $"Appeal {id} contests an entry that no list of your agency flagged; a publisher key sees the appeals against its own agency's lists only.");
        }

        if (await queries.FindAsync(id, viewer, cancellationToken) is not { } appeal)
        {
            return NotFound(id);
        }

        response.Headers.ETag = AppealSecrets.ETag(appeal.Revision);
        return TypedResults.Ok(appeal);
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetAttachment(
        long id, long attachmentId, HttpResponse response, ReviewQueries queries, CancellationToken cancellationToken)
    {
        if (await queries.FindAttachmentAsync(id, attachmentId, cancellationToken) is not { } attachment)
        {
            return ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such attachment",
                $"Appeal {id} has no attachment with id {attachmentId}.");
        }

        // The bytes are the appellant's: a browser must not render them in our origin (nosniff is on every response).
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(attachment.FileName);
        response.Headers.ContentDisposition = disposition.ToString();
        return TypedResults.File(attachment.Content, attachment.ContentType);
    }

    public static async Task<Results<Ok<ReviewAppealDetail>, ProblemHttpResult>> Assign(
        long id, [FromBody] AssignRequest? request, HttpRequest http, ClaimsPrincipal user, ReviewService service, ReviewQueries queries,
        CancellationToken cancellationToken)
    {
        await service.AssignAsync(id, OptionalRevision(http, id), request?.Reviewer, user.Actor(), cancellationToken);
        return await CurrentAsync(id, http.HttpContext.Response, queries, cancellationToken);
    }

    public static async Task<Results<Ok<ReviewAppealDetail>, ProblemHttpResult>> RequestInfo(
        long id, RequestInfoRequest request, HttpRequest http, ClaimsPrincipal user, ReviewService service, ReviewQueries queries,
        CancellationToken cancellationToken)
    {
        await service.RequestInfoAsync(id, OptionalRevision(http, id), request.Message, user.Actor(), cancellationToken);
        return await CurrentAsync(id, http.HttpContext.Response, queries, cancellationToken);
    }

    public static async Task<Results<Ok<ReviewAppealDetail>, ProblemHttpResult>> Decide(
        long id, DecisionRequest request, HttpRequest http, ClaimsPrincipal user, ReviewService service, ReviewQueries queries,
        CancellationToken cancellationToken)
    {
        if (OptionalRevision(http, id) is not { } revision)
        {
            return ApiProblems.Problem(StatusCodes.Status428PreconditionRequired, ReviewProblemCodes.PreconditionRequired, "If-Match is required",
                $"A decision must say which version of the appeal it decides on: send the ETag of GET /v1/review/appeals/{id} as If-Match.");
        }

        await service.DecideAsync(id, revision, request, user.Actor(), cancellationToken);
        return await CurrentAsync(id, http.HttpContext.Response, queries, cancellationToken);
    }

    public static async Task<Ok<BulkDecisionResponse>> DecideMany(
        BulkDecisionRequest request, ClaimsPrincipal user, ReviewService service, CancellationToken cancellationToken) =>
        TypedResults.Ok(await service.DecideManyAsync(request, user.Actor(), cancellationToken));

    private static async Task<Results<Ok<ReviewAppealDetail>, ProblemHttpResult>> CurrentAsync(
        long id, HttpResponse response, ReviewQueries queries, CancellationToken cancellationToken)
    {
        if (await queries.FindAsync(id, ReviewViewer.Reviewer, cancellationToken) is not { } appeal)
        {
            return NotFound(id);
        }

        response.Headers.ETag = AppealSecrets.ETag(appeal.Revision);
        return TypedResults.Ok(appeal);
    }

    private static ReviewViewer ViewerOf(ClaimsPrincipal user) =>
        user.Role() == Roles.Publisher
            ? new ReviewViewer(user.Agency() ?? throw new InvalidOperationException("A publisher key has an agency."))
            : ReviewViewer.Reviewer;

    /// <summary>
    /// The revision an <c>If-Match</c> names; null without one. A value that names no revision of this
    /// appeal (another resource's tag, <c>*</c>, a weak tag) cannot match the current one: it is stale.
    /// </summary>
    private static long? OptionalRevision(HttpRequest request, long id)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var tag = header.Trim();
        if (tag.Length > 2 && tag[0] == '"' && tag[^1] == '"'
            && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            return revision;
        }

        throw ReviewService.Stale(id);
    }

    private static ProblemHttpResult NotFound(long id) =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such appeal", $"There is no appeal with id {id}.");
}
