using System.Security.Claims;
using FlagApi.Appeals;
using FlagApi.Keys;
using FlagApi.Portal;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlagApi.Watches;

/// <summary>
/// Owners watching an identifier (issue 23, item 3): the owner's routes under <c>/v1/watches</c>, by id and the token shown
/// once at subscription; the reviewers' under <c>/v1/review/watches</c>.
/// </summary>
public static class WatchEndpoints
{
    public const string TokenHeader = "X-Watch-Token";

    public const string Root = "/v1/watches";

    public const string ReviewRoot = "/v1/review/watches";

    public static IHostApplicationBuilder AddWatches(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<WatchApiLimits>();
        builder.Services.AddOptions<WatchesOptions>()
            .BindConfiguration(WatchesOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.CodeLifetime >= TimeSpan.FromMinutes(1), "Watches:CodeLifetime must be at least one minute.")
            .Validate(o => o.NotifyInterval >= TimeSpan.FromMilliseconds(100), "Watches:NotifyInterval must be at least 100 milliseconds.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new WatchMails(sp.GetRequiredService<IOptions<PortalOptions>>().Value.OfficialAddress));
        builder.Services.AddScoped<WatchService>();
        builder.Services.AddSingleton<WatchNotifier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WatchNotifier>());
        return builder;
    }

    public static IEndpointRouteBuilder MapWatches(this IEndpointRouteBuilder app)
    {
        var owner = app.MapGroup(Root)
            .WithTags("Watches")
            .WithRateLimitBudget(RateLimitBudget.Appeal);

        owner.MapPost("/", Subscribe)
            .WithName("SubscribeWatch")
            .WithSummary("Ask to be told by e-mail when an identifier you own is flagged (anyone; no key needed)")
            .WithDescription("""
                Body `{kind, value, email, language?, statement}`. The identifier is read by the rules an appeal's is. Answers 201 with the
                watch's `id` and its `accessToken`, shown this once (send it as `X-Watch-Token`), and mails a six-digit code to the
                address (valid `Watches:CodeLifetime`). The code proves the address only: once it is confirmed, a reviewer checks that
                the identifier is yours as `statement` describes (docs/api-v1.md says which proof each kind needs), and only then is
                the watch active. One open watch per identifier and address: a confirmed or active one is 409 watch_exists; an
                unconfirmed or rejected one is replaced by the new subscription (that is how a lost code is sent again).
                400 codes: missing_email, invalid_email, missing_statement, field_too_long, unknown_kind, missing_value, invalid_<kind>.
                """)
            .Accepts<WatchRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);

        owner.MapPost("/{id:long}/confirm", Confirm)
            .WithName("ConfirmWatch")
            .WithSummary("Confirm the address with the code mailed to it: the watch then awaits a reviewer's check of ownership")
            .WithDescription("""
                Header `X-Watch-Token`, body `{code}`. A wrong code is 400 wrong_code with `attemptsLeft`; after `Watches:MaxCodeAttempts`
                wrong codes, or once the code expired, every code is refused (409 too_many_attempts, 409 code_expired): subscribe again
                for a new one. A watch that is not unconfirmed is 409 invalid_transition. An unknown id and a wrong token are the same
                404 watch_not_found.
                """)
            .Accepts<WatchConfirmRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        owner.MapDelete("/{id:long}", End)
            .WithName("EndWatch")
            .WithSummary("End a watch: no more mails")
            .WithDescription("""
                Header `X-Watch-Token` with the access token, or with the end code every mail of the watch carries. Answers the watch,
                now ended; ending an ended watch answers it as it is. An unknown id and a wrong token are the same 404 watch_not_found.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        // Reading spends the lookup budget, as reading an appeal does.
        app.MapGroup(Root)
            .WithTags("Watches")
            .WithRateLimitBudget(RateLimitBudget.Lookup)
            .MapGet("/{id:long}", Get)
            .WithName("GetWatch")
            .WithSummary("Your watch, by its id and access token")
            .WithDescription("Header `X-Watch-Token`: the watch's status (unconfirmed, awaiting_proof, active, rejected, ended), how it was verified, or why it was rejected. An unknown id and a wrong token are the same 404 watch_not_found.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var read = app.MapGroup(ReviewRoot)
            .WithTags("Watches (reviewers)")
            .RequireAuthorization(Policies.Reviewer)
            .WithRateLimitBudget(RateLimitBudget.Lookup)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        var write = app.MapGroup(ReviewRoot)
            .WithTags("Watches (reviewers)")
            .RequireAuthorization(Policies.Reviewer)
            .WithRateLimitBudget(RateLimitBudget.Appeal)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        read.MapGet("/", GetQueue)
            .WithName("GetWatchQueue")
            .WithSummary("Watches, oldest first; awaiting_proof ones wait for a reviewer's check of ownership")
            .WithDescription("""
                `status` (unconfirmed, awaiting_proof, active, rejected, ended; all when absent), `page` (from 1) of `pageSize` (1 to 500,
                default 50), with the `total` that match. Each watch shows the owner's address and statement. 400 invalid_status,
                invalid_page.
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        write.MapPost("/{id:long}/verify", Verify)
            .WithName("VerifyWatch")
            .WithSummary("The owner is shown to own the identifier: the watch becomes active")
            .WithDescription("""
                Body `{verification, note?}`: `verification` is how (carrier_real_name, callback, in_person_id, platform_confirmation,
                other; 400 missing_verification, invalid_verification); docs/api-v1.md says which proof each kind needs. `note` is for
                reviewers (the audit log keeps it). The owner is mailed that the watch is active. Only a watch awaiting_proof (409
                invalid_transition otherwise); 404 not_found.
                """)
            .Accepts<WatchVerifyRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        write.MapPost("/{id:long}/reject", Reject)
            .WithName("RejectWatch")
            .WithSummary("Ownership could not be verified: the watch is rejected, and the owner mailed why")
            .WithDescription("Body `{reason}`, required (400 missing_reason); the owner is mailed it and sees it on the watch. Only a watch awaiting_proof (409 invalid_transition otherwise); 404 not_found.")
            .Accepts<WatchRejectRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    public static async Task<Created<WatchReceipt>> Subscribe(
        WatchRequest request, HttpRequest http, WatchService watches, CancellationToken cancellationToken)
    {
        var receipt = await watches.SubscribeAsync(request, http, cancellationToken);
        return TypedResults.Created($"{Root}/{receipt.Id}", receipt);
    }

    public static async Task<Ok<WatchView>> Confirm(
        long id, [FromHeader(Name = TokenHeader)] string? token, WatchConfirmRequest request, WatchService watches, CancellationToken cancellationToken)
    {
        var watch = await watches.FindAsync(id, token, endCodeToo: false, cancellationToken) ?? throw WatchProblems.NotFound();
        await watches.ConfirmAsync(watch, request.Code, cancellationToken);
        return TypedResults.Ok(WatchService.View(watch));
    }

    public static async Task<Ok<WatchView>> Get(
        long id, [FromHeader(Name = TokenHeader)] string? token, WatchService watches, CancellationToken cancellationToken)
    {
        var watch = await watches.FindAsync(id, token, endCodeToo: false, cancellationToken) ?? throw WatchProblems.NotFound();
        return TypedResults.Ok(WatchService.View(watch));
    }

    public static async Task<Ok<WatchView>> End(
        long id, [FromHeader(Name = TokenHeader)] string? token, WatchService watches, CancellationToken cancellationToken)
    {
        var watch = await watches.FindAsync(id, token, endCodeToo: true, cancellationToken) ?? throw WatchProblems.NotFound();
        await watches.EndAsync(watch, cancellationToken);
        return TypedResults.Ok(WatchService.View(watch));
    }

    public static async Task<Ok<WatchQueuePage>> GetQueue(
        [AsParameters] WatchQueueRequest request, WatchService watches, CancellationToken cancellationToken) =>
        TypedResults.Ok(await watches.QueueAsync(request, cancellationToken));

    public static async Task<Ok<ReviewWatch>> Verify(
        long id, WatchVerifyRequest request, ClaimsPrincipal user, WatchService watches, CancellationToken cancellationToken) =>
        TypedResults.Ok(await watches.VerifyAsync(id, request, user.Actor(), cancellationToken));

    public static async Task<Ok<ReviewWatch>> Reject(
        long id, WatchRejectRequest request, ClaimsPrincipal user, WatchService watches, CancellationToken cancellationToken) =>
        TypedResults.Ok(await watches.RejectAsync(id, request, user.Actor(), cancellationToken));
}
