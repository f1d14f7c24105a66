using FlagApi.Data;
using FlagApi.Keys;
using FlagApi.RateLimiting;
using FlagApi.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlagApi.Entries;

public static class EntryEndpoints
{
    public static IHostApplicationBuilder AddEntries(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<EntryApiLimits>();
        builder.Services.AddScoped<EntryQueries>();
        builder.Services.AddScoped<EntryLedger>();
        builder.Services.AddScoped<IdentifierRekeyer>();
        builder.Services.AddScoped<IStoredKeys>(sp => sp.GetRequiredService<IdentifierRekeyer>());
        builder.Services.AddSingleton<ICommand, MigrateCommand>();
        return builder;
    }

    public static IEndpointRouteBuilder MapEntries(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/entries")
            .WithTags("Entries")
            .RequireAuthorization(Policies.Reviewer)
            .WithRateLimitBudget(RateLimitBudget.Lookup)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/", SearchEntries)
            .WithName("SearchEntries")
            .WithSummary("Search entries by kind, category, status, source, list and text")
            .WithDescription("""
                Filters, all optional and combined: `kind` (phone, url, domain, app, account); `category`; `status` (active, cleared,
                expired, retracted, as lookups see it: an active entry past its expiry is expired); `source` (list, report, legacy:
                entries any source of that type ever flagged); `listId` (entries that list named, retracted or not); `q` (text in the
                canonical or display value, any case; text that canonicalizes as an identifier of `kind`, or of any kind, also finds
                that exact entry, so `138-0013-8000` finds `+8613800138000`). Newest change first (by list version), `page` (from 1)
                of `pageSize` (1 to 500, default 50) entries, with the `total` that match. Bad values are 400 problems: unknown_kind,
                invalid_category, invalid_status, invalid_source, invalid_query, invalid_page.
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/{id:long}", GetEntry)
            .WithName("GetEntry")
            .WithSummary("One entry with every source that flagged it and its full history")
            .WithDescription("Sources include removed ones (with removedAt). History rows are in order, each with who, when, why and the entry's state before and after.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    public static async Task<Results<Ok<EntryPage>, ProblemHttpResult>> SearchEntries(
        [AsParameters] EntrySearchRequest request, EntryQueries entries, FlagDbContext db, ReadReplica replica, CancellationToken cancellationToken)
    {
        if (!EntryQueries.TryReadFilter(request, out var filter, out var code, out var detail))
        {
            return ApiProblems.BadRequest(code, detail);
        }

        return TypedResults.Ok(await replica.ReadAsync(
            ReadReplica.Reads.Entries, 0, db, on => entries.On(on).SearchAsync(filter, cancellationToken), cancellationToken));
    }

    public static async Task<Results<Ok<EntryDetail>, ProblemHttpResult>> GetEntry(
        long id, EntryQueries entries, FlagDbContext db, ReadReplica replica, CancellationToken cancellationToken) =>
        await replica.ReadAsync(ReadReplica.Reads.Entries, 0, db, on => entries.On(on).FindAsync(id, cancellationToken), cancellationToken) is { } entry
            ? TypedResults.Ok(entry)
            : ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such entry", $"There is no entry with id {id}.");
}
