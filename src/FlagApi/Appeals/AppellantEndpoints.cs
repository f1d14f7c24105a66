using FlagApi.Entries;
using FlagApi.Notifications;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlagApi.Appeals;

/// <summary>The appellant's side of appeals: anyone may file one; the tracking code and access token then open it.</summary>
public static class AppellantEndpoints
{
    public const string TokenHeader = "X-Appeal-Token";

    public const string Root = "/v1/appeals";

    /// <summary>
    /// Tracking codes start with <c>AP</c> (route regexes ignore case), so these routes never take the reviewers' numeric
    /// <c>/v1/appeals/{id}</c>. A code typed with spaces still matches; the handler normalizes it.
    /// </summary>
    private const string CodeRoute = "/{trackingCode:regex(^ap)}";

    public static IHostApplicationBuilder AddAppellantAppeals(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<AppealApiLimits>();
        builder.Services.AddOptions<AppealsOptions>()
            .BindConfiguration(AppealsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.ServiceLevel > TimeSpan.Zero, "Appeals:ServiceLevel must be positive.")
            .Validate(o => o.RejectionCooldown >= TimeSpan.Zero, "Appeals:RejectionCooldown must not be negative.")
            .ValidateOnStart();
        builder.Services.AddScoped<AppealSubmissionService>();
        builder.Services.AddScoped<IFlagEndedHandler, OpenAppealResolver>();

        // Every appeal event that concerns the appellant writes their message to the outbox in the event's own save.
        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor, AppealNotificationWriter>();
        builder.Services.AddEvidenceList<AppealRequest, EvidenceItem>(AppealSubmissionService.MaxEvidenceTextLength);
        return builder;
    }

    public static IEndpointRouteBuilder MapAppellantAppeals(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Root)
            .WithTags("Appeals")
            .WithRateLimitBudget(RateLimitBudget.Appeal);

        // Reading spends the lookup budget: an appellant checking on an appeal must not use up the budget that filing and
        // answering are counted against. Any text but a number reaches this route (a number is the deprecated reviewers'
        // route), so a mistyped code is the same 404 appeal_not_found as an unknown one.
        app.MapGroup(Root)
            .WithTags("Appeals")
            .WithRateLimitBudget(RateLimitBudget.Lookup)
            .MapGet("/{trackingCode}", GetAppealAsAppellant)
            .WithName("GetAppeal")
            .WithSummary("Your appeal, by its tracking code and access token")
            .WithDescription("""
                `AP-XXXX-XXXX` (any case, with spaces) and the header `X-Appeal-Token`: status, the public history (reviewers appear
                as "reviewer"), requests for information and the decision with its reason. The token is read as a person types it
                (`XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`, any case, spaces and dashes ignored); a token issued in the earlier `at_…` form
                is read exactly as it was issued. An unknown code, a missing token and a wrong token all get the same 404
                appeal_not_found. Reviewers read appeals at GET /v1/review/appeals/{id}.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/", SubmitAppeal)
            .WithName("SubmitAppeal")
            .WithSummary("Appeal a flagged identifier (anyone; no key needed)")
            .WithDescription("""
                Body: `{kind, value, appellant{name, contact}, statement, evidence[], attachments[], language}`. Evidence items are
                `{"type":"text","text":…}` or `{"type":"link","url":"https://…"}`, or a plain string, taken as the text item
                holding it (`"营业执照"` is `{"type":"text","text":"营业执照"}`, with the same limits). Attachments are `{fileName, contentBase64}`:
                PNG, JPEG or PDF by their content (not their name), each at most `Appeals:MaxAttachmentBytes` (larger: 413
                attachment_too_large), at most `Appeals:MaxAttachments`. The identifier must be flagged now (else 409 not_flagged);
                a URL or domain appeals the most specific flagged entry a lookup of it meets. Answers 201 with the `trackingCode` and
                the `accessToken`, shown this once. If the same contact already has an open appeal on the identifier, 200 with that
                appeal's code and no token. After a rejection the same contact cannot appeal the identifier again for
                `Appeals:RejectionCooldown` (409 appeal_cooldown, with `appealAgainAt`). 400 codes: missing_appellant, missing_name,
                missing_contact, missing_statement, field_too_long, invalid_evidence, invalid_link, too_many_evidence,
                too_many_attachments, invalid_attachment, attachment_type_not_allowed, invalid_language, unknown_kind, missing_value,
                invalid_<kind>. A contact that is an e-mail address gets a message (in `language`: zh or en, else by Accept-Language,
                else zh) when the appeal is filed, when a reviewer asks for information and when it is decided or closed; a mobile
                number gets the same by SMS; any other contact gets none. The messages carry the tracking code, never the token.
                """)
            .Accepts<AppealRequest>("application/json")
            .WithMetadata(new RequestBodyLimit(RequestBodyLimit.Appeal))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapPost(CodeRoute + "/messages", SendAppealMessage)
            .WithName("SendAppealMessage")
            .WithSummary("Send a message on an open appeal, such as the answer to a request for information")
            .WithDescription("""
                Body `{message, attachments[]}`: text, files, or both (neither: 400 missing_message). Attachments are read by the
                same rules as when filing: `{fileName, contentBase64}`, PNG, JPEG or PDF by their content, each at most
                `Appeals:MaxAttachmentBytes` (larger: 413 attachment_too_large), at most `Appeals:MaxAttachments` in one message
                (400 too_many_attachments, invalid_attachment, attachment_type_not_allowed). The appellant's view lists a message's
                files with its history event; reviewers read them with the appeal's other attachments. An appeal that needs
                information goes back to in_review. A closed appeal: 409 invalid_transition.
                """)
            .Accepts<AppealMessageRequest>("application/json")
            .WithMetadata(new RequestBodyLimit(RequestBodyLimit.Appeal))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        group.MapPost(CodeRoute + "/withdraw", WithdrawAppeal)
            .WithName("WithdrawAppeal")
            .WithSummary("Withdraw an open appeal")
            .WithDescription("Body `{reason?}`, optional. Only an open appeal (submitted, in review, needing information) can be withdrawn; else 409 invalid_transition.")
            .Accepts<AppealWithdrawRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    public static async Task<Results<Created<AppealReceipt>, Ok<AppealReceipt>, ProblemHttpResult>> SubmitAppeal(
        AppealRequest request, HttpRequest http, AppealSubmissionService appeals, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(request.Language)
            && (request.Language.Trim().Length > NoticeLanguages.MaxTagLength || NoticeLanguages.Normalize(request.Language) is null))
        {
            throw ProblemException.BadRequest(AppellantProblems.InvalidLanguage,
                $"'language' is zh or en (the language of the messages you receive), a tag of at most {NoticeLanguages.MaxTagLength} characters such as zh-CN or en-GB.");
        }

        var filed = await appeals.SubmitAsync(request, NoticeLanguages.Choose(request.Language, http), cancellationToken);
        return filed.AlreadyOpen
            ? TypedResults.Ok(filed.Receipt)
            : TypedResults.Created($"{Root}/{filed.Receipt.TrackingCode}", filed.Receipt);
    }

    /// <summary>
    /// One answer for an unknown code, a missing token and a wrong one, so nobody can tell which codes exist. The instance is
    /// fixed for the same reason: the path would otherwise tell two of those answers apart.
    /// </summary>
    private static ProblemHttpResult AppealNotFound() => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "No such appeal",
        detail: "No appeal matches this tracking code and access token. Check both: the token is the one shown once when the appeal was filed.",
        instance: Root,
        extensions: new Dictionary<string, object?> { ["code"] = AppellantProblems.AppealNotFound });

    public static async Task<Results<Ok<AppellantAppealView>, ProblemHttpResult>> GetAppealAsAppellant(
        string trackingCode,
        [FromHeader(Name = TokenHeader)] string? token,
        AppealSubmissionService appeals,
        CancellationToken cancellationToken)
    {
        if (await appeals.FindAsync(trackingCode, token, cancellationToken) is not { } appeal)
        {
            return AppealNotFound();
        }

        return TypedResults.Ok(await appeals.ViewAsync(appeal, cancellationToken));
    }

    public static async Task<Results<Ok<AppellantAppealView>, ProblemHttpResult>> SendAppealMessage(
        string trackingCode,
        [FromHeader(Name = TokenHeader)] string? token,
        AppealMessageRequest request,
        AppealSubmissionService appeals,
        CancellationToken cancellationToken)
    {
        if (await appeals.FindAsync(trackingCode, token, cancellationToken) is not { } appeal)
        {
            return AppealNotFound();
        }

        await appeals.AddMessageAsync(appeal, request, cancellationToken);

        return TypedResults.Ok(await appeals.ViewAsync(appeal, cancellationToken));
    }

    public static async Task<Results<Ok<AppellantAppealView>, ProblemHttpResult>> WithdrawAppeal(
        string trackingCode,
        [FromHeader(Name = TokenHeader)] string? token,
        AppealWithdrawRequest? request,
        AppealSubmissionService appeals,
        CancellationToken cancellationToken)
    {
        if (await appeals.FindAsync(trackingCode, token, cancellationToken) is not { } appeal)
        {
            return AppealNotFound();
        }

        if (AppealSubmissionService.ValidateText(
            request?.Reason, AppellantProblems.TooLong, "reason", AppealSubmissionService.MaxReasonLength, required: false) is { } invalid)
        {
            throw invalid;
        }

        await appeals.WithdrawAsync(appeal, request?.Reason, cancellationToken);

        return TypedResults.Ok(await appeals.ViewAsync(appeal, cancellationToken));
    }
}
