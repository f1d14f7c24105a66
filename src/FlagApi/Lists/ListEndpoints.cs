using System.Globalization;
using System.Security.Claims;
using System.Text;
using FlagApi.Data;
using FlagApi.Keys;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FlagApi.Lists;

public static class ListEndpoints
{
    public const int MaxPageSize = 500;
    public const int MaxReferenceLength = 100;
    public const int MaxTitleLength = 300;
    public const int MaxReasonLength = 2000;

    public static IEndpointRouteBuilder MapLists(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/batches").WithTags("Lists").WithRateLimitBudget(RateLimitBudget.Lookup);

        group.MapPost("/", Publish)
            .WithName("PublishList")
            .WithSummary("Publish a numbered list (JSON or CSV)")
            .WithDescription(
                "All rows or none: a list with a bad row publishes nothing and every bad row is reported by line (422); with ?mode=partial the good rows " +
                "are published and the rejected ones returned. The list is identified by the key's agency and 'reference': re-sending the same list " +
                "returns the first answer (200) instead of publishing twice; different content under a published reference is a 409. " +
                "JSON: {\"reference\",\"title\",\"publishedOn\",\"entries\":[{kind,value,category,risk,note,expiresAt}]}. " +
                "CSV (text/csv): header kind,value,category,risk,note,expires_at; reference, title and publishedOn as query parameters. " +
                "noticeReason (at most 1,000 characters) and noticeContact (at most 300), in the JSON body or as query parameters, are the reason and the " +
                "contact every flagged lookup's notice gives for the list's entries; without a reason the notice gives the category's. They are set by the " +
                "first upload: re-sending the list does not change them.")
            .RequireAuthorization(Policies.Publisher)
            .WithRateLimitBudget(RateLimitBudget.Write)
            .Accepts<ListUploadRequest>("application/json", "text/csv")
            .WithMetadata(new RequestBodyLimit(RequestBodyLimit.List))
            .Produces<ListUploadResult>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/", ListLists)
            .WithName("ListLists")
            .WithSummary("The public record of every published list, newest first")
            .WithDescription("Every list with its agency, reference, title, publication date, entry count and, for a retracted list, when and why. Filter by agency; paged with page and pageSize (at most 500).")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/{id:long}", GetList)
            .WithName("GetList")
            .WithSummary("One list and a page of its entries (all of them as CSV with Accept: text/csv)")
            .WithDescription("Each entry as the list gave it (spelling, category, risk, note) with the entry's status now. With Accept: text/csv the whole list in the import format, so it can be checked or re-imported.")
            .Produces<ListDetail>(StatusCodes.Status200OK, "application/json", "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id:long}/retract", Retract)
            .WithName("RetractList")
            .WithSummary("Retract a list published by mistake")
            .WithDescription(
                "By its publisher (a key of the same agency) or an admin, with a reason. Entries flagged only by this list leave the active list " +
                "(a removal in the feed); entries with other sources keep them. The retraction is public record.")
            .RequireAuthorization(Policies.PublisherOrAdmin)
            .WithRateLimitBudget(RateLimitBudget.Write)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    public static async Task<Results<Created<ListUploadResult>, Ok<ListUploadResult>, ProblemHttpResult>> Publish(
        HttpRequest request,
        ClaimsPrincipal user,
        ListImporter importer,
        IOptions<ListsOptions> options,
        [FromQuery] string? mode,
        [FromQuery] string? reference,
        [FromQuery] string? title,
        [FromQuery] string? publishedOn,
        [FromQuery] string? noticeReason,
        [FromQuery] string? noticeContact)
    {
        var listMode = mode?.Trim().ToLowerInvariant() switch
        {
            null or "" or "all" => ListMode.All,
            "partial" => ListMode.Partial,
            _ => throw Invalid(ListProblemCodes.InvalidMode, $"mode must be 'all' (the default: a bad row publishes nothing) or 'partial', not '{mode}'."),
        };
        var format = FormatOf(request.ContentType);
        var content = await ListFile.ReadAsync(request.Body, format, options.Value.MaxRows, request.HttpContext.RequestAborted);
        if (content.FileError is { } fileError)
        {
            return fileError.Code == ListProblemCodes.TooManyRows
                ? ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, ListProblemCodes.TooManyRows, "The list has too many rows", fileError.Detail)
                : ApiProblems.Problem(StatusCodes.Status400BadRequest, fileError.Code, "The list cannot be read", fileError.Detail);
        }

        var submission = new ListSubmission(
            user.Agency() ?? throw new InvalidOperationException("A publisher key has an agency."),
            Metadata(content, "reference", reference, MaxReferenceLength, ListProblemCodes.InvalidReference),
            Metadata(content, "title", title, MaxTitleLength, ListProblemCodes.InvalidTitle),
            "api",
            user.Actor(),
            ParseDate(Metadata(content, "publishedOn", publishedOn, 10, ListProblemCodes.InvalidPublishedOn)),
            listMode,
            Metadata(content, "noticeReason", noticeReason, ListImporter.MaxNoticeReasonLength, ListProblemCodes.InvalidNoticeReason),
            Metadata(content, "noticeContact", noticeContact, ListImporter.MaxNoticeContactLength, ListProblemCodes.InvalidNoticeContact));

        // Once the body is in, the publish completes even if the client goes away: its retry then gets this answer.
        var outcome = await importer.ImportAsync(content, submission, CancellationToken.None);
        if (outcome.Result is not { } result)
        {
            return RowsRefused(outcome.Validation, listMode);
        }

        switch (result.Status)
        {
            case PublishStatus.ReferenceConflict:
                return ApiProblems.Problem(StatusCodes.Status409Conflict, ListProblemCodes.ReferenceConflict, "The reference is taken",
                    $"List '{outcome.Reference}' of {submission.Agency} was already published (id {result.ListId}) with different content. " +
                    "Publish the new content under a new reference, or retract the old list first.");
            case PublishStatus.AlreadyPublished:
                request.HttpContext.Response.Headers["Idempotent-Replay"] = "true";
                return TypedResults.Ok(outcome.Recorded);
            default:
                return TypedResults.Created($"/v1/batches/{result.ListId}", outcome.Recorded);
        }
    }

    public static async Task<Ok<ListPage>> ListLists(
        ListQueries lists, FlagDbContext db, ReadReplica replica, [FromQuery] string? agency, [FromQuery] string? page, [FromQuery] string? pageSize,
        CancellationToken cancellationToken)
    {
        var (p, size) = Paging(page, pageSize);
        return TypedResults.Ok(await replica.ReadAsync(
            ReadReplica.Reads.Lists, 0, db, on => lists.On(on).ListAsync(agency, p, size, cancellationToken), cancellationToken));
    }

    public static async Task<Results<Ok<ListDetail>, EmptyHttpResult, ProblemHttpResult>> GetList(
        long id, HttpContext context, ListQueries lists, FlagDbContext db, ReadReplica replica, [FromQuery] string? page, [FromQuery] string? pageSize,
        CancellationToken cancellationToken)
    {
        if (WantsCsv(context.Request))
        {
            // The whole list streams from the primary: a replica failing half-way could not hand the rest over.
            if (await lists.FindAsync(id, cancellationToken) is not { } whole)
            {
                return ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such list", $"There is no list with id {id}.");
            }

            await WriteCsvAsync(context.Response, whole, lists.AllEntriesAsync(id, cancellationToken), cancellationToken);
            return TypedResults.Empty;
        }

        var (p, size) = Paging(page, pageSize);
        return await replica.ReadAsync(ReadReplica.Reads.Lists, 0, db, on => lists.On(on).DetailAsync(id, p, size, cancellationToken), cancellationToken) is { } detail
            ? TypedResults.Ok(new ListDetail(detail.List, detail.Entries))
            : ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such list", $"There is no list with id {id}.");
    }

    public static async Task<Results<Ok<RetractResponse>, ProblemHttpResult>> Retract(
        long id, RetractRequest request, ClaimsPrincipal user, ListQueries lists, ListWriter writer, CancellationToken cancellationToken)
    {
        if (await lists.FindAsync(id, cancellationToken) is not { } list)
        {
            return ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such list", $"There is no list with id {id}.");
        }

        if (user.Role() == Roles.Publisher && !string.Equals(user.Agency(), list.Agency, StringComparison.Ordinal))
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, ProblemCodes.NotYourList, "This list belongs to another agency",
                $"List {id} was published by {list.Agency}; only its publisher or an admin can retract it.");
        }

        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxReasonLength)
        {
            return ApiProblems.BadRequest(ProblemCodes.MissingReason, $"Say why the list is retracted: 'reason' of 1 to {MaxReasonLength} characters. It is public record.");
        }

        var result = await writer.RetractAsync(id, user.Actor(), reason, CancellationToken.None);
        switch (result.Status)
        {
            case RetractStatus.NotFound:
                return ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such list", $"There is no list with id {id}.");
            case RetractStatus.AlreadyRetracted:
                return ApiProblems.Problem(StatusCodes.Status409Conflict, ListProblemCodes.AlreadyRetracted, "The list is already retracted",
                    $"List {id} was retracted before; see GET /v1/batches/{id} for when and why.");
            default:
                var retracted = await lists.FindAsync(id, cancellationToken);
                return TypedResults.Ok(new RetractResponse(retracted!, result.Removed, result.KeptByOtherSources));
        }
    }

    private static ListFileFormat FormatOf(string? contentType)
    {
        if (MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            if (media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
            {
                return ListFileFormat.Csv;
            }

            if (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
            {
                return ListFileFormat.Json;
            }
        }

        throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "Unsupported content type",
            "Send the list as JSON ('Content-Type: application/json') or as CSV ('Content-Type: text/csv').");
    }

    /// <summary>A list's reference, title, date or notice text: from the JSON body or the query string, and the two may not disagree.</summary>
    private static string? Metadata(ListFileContent content, string name, string? fromQuery, int maxLength, string code)
    {
        content.Properties.TryGetValue(name, out var fromBody);
        fromBody = string.IsNullOrWhiteSpace(fromBody) ? null : fromBody.Trim();
        fromQuery = string.IsNullOrWhiteSpace(fromQuery) ? null : fromQuery.Trim();
        if (fromBody is not null && fromQuery is not null && fromBody != fromQuery)
        {
            throw Invalid(ListProblemCodes.ConflictingMetadata, $"'{name}' is '{fromBody}' in the body but '{fromQuery}' in the query string; give it once.");
        }

        var value = fromBody ?? fromQuery;
        if (value is not null && (value.Length > maxLength || value.Any(char.IsControl)))
        {
            throw Invalid(code, $"'{name}' must be at most {maxLength} characters without control characters.");
        }

        return value;
    }

    private static DateOnly? ParseDate(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw Invalid(ListProblemCodes.InvalidPublishedOn, $"publishedOn must be a date like 2025-06-02, not '{text}'.");
        }

        return date;
    }

    private static ProblemHttpResult RowsRefused(ValidatedList validation, ListMode mode)
    {
        var detail = validation.Entries.Count == 0 && validation.Errors is [{ Code: "empty_list" }]
            ? "The list has no rows; there is nothing to publish."
            : mode == ListMode.Partial
                ? $"None of the {validation.Rows} rows can be published; nothing was published."
                : $"{validation.Errors.Count} of {validation.Rows} rows cannot be published, so nothing was published. " +
                  "Fix the rows listed in 'rows' and send the list again, or send it with ?mode=partial to publish the good rows.";
        var problem = ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, ListProblemCodes.InvalidRows, "The list has rows that cannot be published", detail);
        problem.ProblemDetails.Extensions["rows"] = validation.Errors;
        return problem;
    }

    private static (int Page, int PageSize) Paging(string? page, string? pageSize) =>
        FlagApi.Paging.TryRead(page, pageSize, 50, MaxPageSize, "items", out var number, out var size, out var problem)
            ? (number, size)
            : throw Invalid(ProblemCodes.InvalidPage, problem);

    private static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept is { Count: > 0 } accept
        && accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        && !accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && (a.Quality ?? 1) > (accept.First(c => c.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)).Quality ?? 1));

    /// <summary>The list in the import format, so a published list can be checked or re-imported as it stands.</summary>
    private static async Task WriteCsvAsync(HttpResponse response, ListSummary list, IAsyncEnumerable<ListEntryRow> rows, CancellationToken cancellationToken)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"list-{list.Id}.csv\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteAsync("kind,value,category,risk,note,expires_at\r\n");
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            await writer.WriteAsync(string.Join(',',
                Csv(row.Kind),
                Csv(row.Display),
                Csv(row.Category is { } c ? Data.WireNames.Of(c) : null),
                Csv(row.Risk is { } r ? Data.WireNames.Of(r) : null),
                Csv(row.Note),
                Csv(row.ExpiresAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))) + "\r\n");
        }
    }

    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        // A leading =, +, - or @ would run as a formula when a list is opened in a spreadsheet.
        var safe = value[0] is '=' or '+' or '-' or '@' && value.Any(c => !char.IsDigit(c) && c is not ('+' or '-' or ' ' or '(' or ')')) ? "'" + value : value;
        return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }

    private static ProblemException Invalid(string code, string detail) => new(StatusCodes.Status400BadRequest, code, "The request is not valid", detail);
}

/// <summary>The JSON form of a list upload, as the OpenAPI document describes it (the endpoint reads it as a stream).</summary>
public sealed record ListUploadRequest(
    string? Reference,
    string? Title,
    string? PublishedOn,
    IReadOnlyList<ListUploadRow> Entries,
    [property: System.ComponentModel.Description(ListSummary.NoticeReasonText)] string? NoticeReason = null,
    [property: System.ComponentModel.Description(ListSummary.NoticeContactText)] string? NoticeContact = null);

public sealed record ListUploadRow(string Kind, string Value, string? Category, string? Risk, string? Note, DateTime? ExpiresAt);

public sealed class ListsOptions
{
    public const string Section = "Lists";

    /// <summary>Most rows one list may hold (issue: up to 100,000).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000_000)]
    public int MaxRows { get; set; } = 100_000;
}

public static class ListProblemCodes
{
    public const string InvalidMode = "invalid_mode";
    public const string InvalidRows = "invalid_rows";
    public const string TooManyRows = "too_many_rows";
    public const string ReferenceConflict = "reference_conflict";
    public const string InvalidReference = "invalid_reference";
    public const string InvalidTitle = "invalid_title";
    public const string InvalidPublishedOn = "invalid_published_on";
    public const string ConflictingMetadata = "conflicting_metadata";
    public const string InvalidNoticeReason = "invalid_notice_reason";
    public const string InvalidNoticeContact = "invalid_notice_contact";
    public const string AlreadyRetracted = "already_retracted";
}
