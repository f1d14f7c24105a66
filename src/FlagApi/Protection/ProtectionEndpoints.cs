using System.Security.Claims;
using FlagApi.Keys;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace FlagApi.Protection;

public static class ProtectionEndpoints
{
    public static IEndpointRouteBuilder MapProtection(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/protected")
            .WithTags("Protection")
            .RequireAuthorization(Policies.Admin)
            .WithRateLimitBudget(RateLimitBudget.Lookup)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/", ListProtected)
            .WithName("ListProtected")
            .WithSummary("List the protected identifiers")
            .WithDescription("Active protections in id order, optionally of one kind; page with 'after' (the previous page's 'nextAfter') and 'limit' (1 to 1000, default 100).")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/{id:long}", GetProtected)
            .WithName("GetProtected")
            .WithSummary("One protected identifier, removed ones included")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/", Protect)
            .WithRateLimitBudget(RateLimitBudget.Write)
            .WithName("Protect")
            .WithSummary("Protect an identifier from being flagged")
            .WithDescription("The value is canonicalized by the rules of its kind. A protected phone, app or account refuses list rows for exactly it; " +
                "a protected domain refuses rows for itself, for any parent domain and for URLs covering a whole such host, while subdomains and specific pages can still be flagged.")
            .Accepts<ProtectRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapDelete("/{id:long}", Unprotect)
            .WithRateLimitBudget(RateLimitBudget.Write)
            .WithName("Unprotect")
            .WithSummary("End a protection (the record stays); 'reason' is required")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/overrides", ListOverrides)
            .WithName("ListProtectionOverrides")
            .WithSummary("List the active overrides")
            .WithDescription("Each override names the entry it lets through and the protected identifier that would refuse that entry now. Paged like the protected identifiers.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/overrides/{id:long}", GetOverride)
            .WithName("GetProtectionOverride")
            .WithSummary("One override, removed ones included")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/overrides", Override)
            .WithRateLimitBudget(RateLimitBudget.Write)
            .WithName("OverrideProtection")
            .WithSummary("Let one entry be flagged although protection refuses it")
            .WithDescription("Give the entry as a list row would (kind and value); only that exact entry is let through. An entry that protection does not refuse is answered with 409 not_protected; a public suffix (com.cn, github.io), which no override lets through, with 409 protected_identifier.")
            .Accepts<OverrideRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapDelete("/overrides/{id:long}", RemoveOverride)
            .WithRateLimitBudget(RateLimitBudget.Write)
            .WithName("RemoveProtectionOverride")
            .WithSummary("End an override, so protection refuses the entry again; 'reason' is required")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    public static async Task<Ok<ProtectedIdentifierPage>> ListProtected(
        [FromQuery] string? kind, [FromQuery] long? after, [FromQuery] int? limit, ProtectionService protection, CancellationToken cancellationToken) =>
        TypedResults.Ok(await protection.ListAsync(kind, after, limit, cancellationToken));

    public static async Task<Results<Ok<ProtectedIdentifierResponse>, ProblemHttpResult>> GetProtected(
        long id, ProtectionService protection, CancellationToken cancellationToken) =>
        await protection.GetAsync(id, cancellationToken) is { } found ? TypedResults.Ok(found) : NotFound("protected identifier", id);

    public static async Task<Created<ProtectedIdentifierResponse>> Protect(
        ProtectRequest request, ProtectionService protection, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var created = await protection.ProtectAsync(request, user.Actor(), cancellationToken);
        return TypedResults.Created($"/v1/protected/{created.Id}", created);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Unprotect(
        long id, [FromQuery] string? reason, ProtectionService protection, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await protection.RemoveAsync(id, reason, user.Actor(), cancellationToken) is null ? NotFound("protected identifier", id) : TypedResults.NoContent();

    public static async Task<Ok<ProtectionOverridePage>> ListOverrides(
        [FromQuery] string? kind, [FromQuery] long? after, [FromQuery] int? limit, ProtectionService protection, CancellationToken cancellationToken) =>
        TypedResults.Ok(await protection.ListOverridesAsync(kind, after, limit, cancellationToken));

    public static async Task<Results<Ok<ProtectionOverrideResponse>, ProblemHttpResult>> GetOverride(
        long id, ProtectionService protection, CancellationToken cancellationToken) =>
        await protection.GetOverrideAsync(id, cancellationToken) is { } found ? TypedResults.Ok(found) : NotFound("override", id);

    public static async Task<Created<ProtectionOverrideResponse>> Override(
        OverrideRequest request, ProtectionService protection, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var created = await protection.OverrideAsync(request, user.Actor(), cancellationToken);
        return TypedResults.Created($"/v1/protected/overrides/{created.Id}", created);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveOverride(
        long id, [FromQuery] string? reason, ProtectionService protection, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await protection.RemoveOverrideAsync(id, reason, user.Actor(), cancellationToken) is null ? NotFound("override", id) : TypedResults.NoContent();

    private static ProblemHttpResult NotFound(string what, long id) =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, $"No such {what}", $"There is no {what} with id {id}.");
}
