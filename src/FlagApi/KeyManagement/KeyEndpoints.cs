using System.Security.Claims;
using FlagApi.Keys;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlagApi.KeyManagement;

/// <summary>
/// <c>/v1/keys</c>: an admin issues, lists and revokes API keys. Apart from Keys, which authenticates every caller and
/// names its role, key id and tier: rate limiting and request logging read those, and these endpoints spend rate-limit
/// budgets, so in one namespace Keys and RateLimiting would use each other.
/// </summary>
public static class KeyEndpoints
{
    public static IEndpointRouteBuilder MapKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/keys")
            .WithTags("Keys")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/", CreateKey)
            .WithRateLimitBudget(RateLimitBudget.Write)
            .WithName("CreateKey")
            .WithSummary("Issue an API key")
            .WithDescription("Roles: app, publisher (give its agency), reviewer, admin. The secret is in 'key' of this answer only; the server keeps a hash and the prefix.")
            .Accepts<CreateKeyRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/", ListKeys)
            .WithRateLimitBudget(RateLimitBudget.Lookup)
            .WithName("ListKeys")
            .WithSummary("List every key issued, revoked ones included (never their secrets)");

        group.MapDelete("/{id:long}", RevokeKey)
            .WithRateLimitBudget(RateLimitBudget.Write)
            .WithName("RevokeKey")
            .WithSummary("Revoke a key; it stops working at once")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    public static async Task<Created<CreatedKeyResponse>> CreateKey(
        CreateKeyRequest request, KeyService keys, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var created = await keys.CreateAsync(request, user.Actor(), cancellationToken);
        // No Location: a key is only ever listed (GET /v1/keys), never fetched alone.
        return TypedResults.Created((string?)null, created);
    }

    public static async Task<Ok<KeyListResponse>> ListKeys(KeyService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(new KeyListResponse(await keys.ListAsync(cancellationToken)));

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        long id, KeyService keys, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await keys.RevokeAsync(id, user.Actor(), cancellationToken) is null
            ? ApiProblems.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "No such key", $"There is no key with id {id}.")
            : TypedResults.NoContent();
}
