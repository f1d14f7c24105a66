using System.Security.Claims;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Keys;
using FlagApi.Lookup;
using FlagApi.Problems;
using FlagApi.Protection;
using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlagApi.Reports;

/// <summary>The reviewers' side of community reports: the queue, grouped by identifier, and decisions on it.</summary>
public static class ReportReviewEndpoints
{
    public const int MaxReasonLength = 2000;

    public static IHostApplicationBuilder AddReportReview(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<ReportApiLimits>();
        builder.Services.AddOptions<ReportReviewOptions>()
            .BindConfiguration(ReportReviewOptions.Section)
            .Validate(o => o.BurstWindow > TimeSpan.Zero && o.BurstWindow <= TimeSpan.FromDays(7), "ReportReview:BurstWindow must be between 00:00:01 and 7.00:00:00.")
            .Validate(o => o.BurstNetworks >= 2, "ReportReview:BurstNetworks must be at least 2.")
            .Validate(o => o.Descriptions is >= 0 and <= 50, "ReportReview:Descriptions must be between 0 and 50.")
            .ValidateOnStart();
        builder.Services.AddScoped<ReportReviewQueries>();
        builder.Services.AddScoped<ReportDecisionWriter>();
        return builder;
    }

    public static IEndpointRouteBuilder MapReportReview(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/reports")
            .WithTags("Reports (reviewers)")
            .RequireAuthorization(Policies.Reviewer)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/", GetQueue)
            .WithRateLimitBudget(RateLimitBudget.Lookup)
            .WithName("GetReportQueue")
            .WithSummary("The review queue: reports grouped by identifier, most distinct reporters first")
            .WithDescription("""
                One item per identifier (kind and canonical value) with its reports of one `status` (pending by default; accepted or
                rejected for history): distinct reporters, all reports with repeats (`times`), first and last report, the category
                most reporters chose, every report id, the latest descriptions, and burst figures: distinct networks (IPv4 /24, IPv6
                /48) overall and within `ReportReview:BurstWindow` (default one hour); `burst` is true when that reaches
                `ReportReview:BurstNetworks` (default 5), many addresses reporting one identifier at once. `entry` is the identifier's
                entry if there is one (a cleared entry cannot be flagged by reports), `protection` says why a protected identifier
                or a public suffix cannot be flagged. Filters: `kind`; `category` (identifiers some reporter put in it); `maxAgeHours` (last report
                within); `minAgeHours` (first report at least that old). Ordered by distinct reporters, then the latest report;
                `page` (from 1) of `pageSize` (1 to 200, default 50) with the `total` of identifiers. Bad values are 400 problems:
                invalid_status, unknown_kind, invalid_category, invalid_filter, invalid_page.
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapPost("/{id:long}/decision", Decide)
            .WithRateLimitBudget(RateLimitBudget.Write)
            .WithName("DecideReports")
            .WithSummary("Accept (flag, with category and risk) or reject the reports against one identifier, with a reason")
            .WithDescription("""
                Decides every pending report of the identifier report `id` names, in one transaction. `accept` needs `category` and
                `risk`: it creates the entry (or flags again, or updates, an existing one), adds every report as a source of it
                (`report`, "community report #id"), records the entry's history and a change log row for synced apps, and marks the
                reports accepted. `reject` marks them rejected: they stop counting in the lookup signal. `reason` is always required.
                Refusals: an entry cleared by an approved appeal is 409 entry_cleared (only a publisher list can flag it again); a
                protected identifier or a public suffix (com.cn, github.io) is 409 protected_identifier; reports decided already are
                409 already_decided; no such report is 404 not_found.
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    public static async Task<Results<Ok<ReportQueuePage>, ProblemHttpResult>> GetQueue(
        [AsParameters] ReportQueueRequest request, ReportReviewQueries queries, CancellationToken cancellationToken)
    {
        if (!ReportReviewQueries.TryReadFilter(request, out var filter, out var code, out var detail))
        {
            return ApiProblems.BadRequest(code, detail);
        }

        return TypedResults.Ok(await queries.QueueAsync(filter, cancellationToken));
    }

    public static async Task<Results<Ok<ReportDecisionResponse>, ProblemHttpResult>> Decide(
        long id, ReportDecisionRequest request, ClaimsPrincipal user, ReportDecisionWriter writer, ReportIndex reportSignal, CancellationToken cancellationToken)
    {
        if (!TryReadDecision(id, request, user.Actor(), out var decision, out var problem))
        {
            return problem;
        }

        // Once checked, the decision completes even if the client goes away: a retry then sees it decided.
        var result = await writer.DecideAsync(decision, CancellationToken.None);
        switch (result.Status)
        {
            case ReportDecisionStatus.NotFound:
                return ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such report", $"There is no report with id {id}.");
            case ReportDecisionStatus.AlreadyDecided:
                return ApiProblems.Problem(StatusCodes.Status409Conflict, ReportReviewProblemCodes.AlreadyDecided, "These reports were decided already",
                    $"Report {id} is {result.ReportStatus}, and no report against the same identifier is pending; there is nothing left to decide.");
            case ReportDecisionStatus.EntryCleared:
                return ApiProblems.Problem(StatusCodes.Status409Conflict, ReportReviewProblemCodes.EntryCleared, "A cleared entry is protected from community reports",
                    $"Entry {result.EntryId} ({result.Kind.ToWire()}) was cleared by an approved appeal. A cleared entry is protected from community reports: "
                    + "accepting them cannot flag it again; only a publisher list can. Reject the reports, or refer them to a publishing agency.");
            case ReportDecisionStatus.Protected:
                return ApiProblems.Problem(StatusCodes.Status409Conflict, ProtectionProblemCodes.ProtectedIdentifier, "This identifier is protected",
                    $"The reports cannot be accepted: {result.Refusal!.Detail}");
        }

        // Rejected reports stop counting in lookups at once, not at the next poll.
        await reportSignal.RefreshAfterWriteAsync();

        return TypedResults.Ok(new ReportDecisionResponse(
            decision.Accept ? ReportStatuses.Accepted : ReportStatuses.Rejected,
            result.Kind.ToWire(), result.Value, result.ReportIds, result.EntryId, result.ListVersion));
    }

    private static bool TryReadDecision(long id, ReportDecisionRequest request, string actor, out ReportDecision decision, out ProblemHttpResult problem)
    {
        decision = null!;
        problem = null!;
        var accept = (request.Decision?.Trim().ToLowerInvariant()) switch
        {
            "accept" => true,
            "reject" => false,
            _ => (bool?)null,
        };
        if (accept is null)
        {
            problem = ApiProblems.BadRequest(ProblemCodes.InvalidDecision, $"'decision' is accept or reject; '{request.Decision}' is not.");
            return false;
        }

        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            problem = ApiProblems.BadRequest(ProblemCodes.MissingReason, "Say why: 'reason' is required, and it is recorded with every report and in the entry's history.");
            return false;
        }

        if (reason.Length > MaxReasonLength)
        {
            problem = ApiProblems.BadRequest(ProblemCodes.InvalidParameter, $"'reason' is at most {MaxReasonLength} characters.");
            return false;
        }

        Category? category = null;
        Risk? risk = null;
        if (accept.Value)
        {
            if (string.IsNullOrWhiteSpace(request.Category))
            {
                problem = ApiProblems.BadRequest(ReportReviewProblemCodes.MissingCategory, $"Accepting flags the identifier: 'category' is required, one of: {string.Join(", ", WireNames.All<Category>())}.");
                return false;
            }

            if (!WireNames.TryParse<Category>(request.Category.Trim(), out var parsedCategory))
            {
                problem = ApiProblems.BadRequest(ProblemCodes.InvalidCategory, $"'{request.Category}' is not a category; use one of: {string.Join(", ", WireNames.All<Category>())}.");
                return false;
            }

            if (string.IsNullOrWhiteSpace(request.Risk))
            {
                problem = ApiProblems.BadRequest(ReportReviewProblemCodes.MissingRisk, $"Accepting flags the identifier: 'risk' is required, one of: {string.Join(", ", WireNames.All<Risk>())}.");
                return false;
            }

            if (!WireNames.TryParse<Risk>(request.Risk.Trim(), out var parsedRisk))
            {
                problem = ApiProblems.BadRequest(ReportReviewProblemCodes.InvalidRisk, $"'{request.Risk}' is not a risk; use one of: {string.Join(", ", WireNames.All<Risk>())}.");
                return false;
            }

            (category, risk) = (parsedCategory, parsedRisk);
        }

        decision = new ReportDecision(id, accept.Value, category, risk, reason, actor);
        return true;
    }
}
