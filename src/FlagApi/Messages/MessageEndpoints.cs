using FlagApi.Lookup;
using FlagApi.Observability;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using FlagApi.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlagApi.Messages;

public static class MessageEndpoints
{
    public static IHostApplicationBuilder AddMessageCheck(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<MessageApiLimits>();
        builder.Services.AddSingleton<MessageCheckService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMessageCheck(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/check").WithTags("Messages").WithRateLimitBudget(RateLimitBudget.Lookup).AllowLookupOrigins();

        group.MapPost("/message", CheckMessage)
            .WithName("CheckMessage")
            .WithSummary("Find and look up every identifier in a message")
            .WithDescription(
                "Finds every phone number, link, bare domain, listed app name and `platform:id` account in a message a person received "
                + "(an SMS or a chat message pasted whole), reading through the usual obfuscations (full-width characters, 。 or 点 for a dot, "
                + "spaces inside http, numbers split by spaces or dashes), and looks each up as GET /v1/lookup/{kind} would. Each item says "
                + "where it stands in the text (UTF-16 code units), and a flagged item carries the `notice` a lookup carries (in the language of Accept-Language: zh or en, zh by default); "
                + "the answer gives an overall verdict and its reason in words. At most "
                + $"{MessageCheckService.MaxItems} items are looked up per message (`truncated` says when there were more). "
                + "**The text is never stored or logged**: it lives only for the request, and the request log holds the route, never the body.")
            .Accepts<MessageCheckRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    public static Results<Ok<MessageCheckResponse>, ProblemHttpResult> CheckMessage(
        MessageCheckRequest request, HttpRequest http, MessageCheckService messages, ListIndex index, FlagApiMetrics metrics)
    {
        LookupEndpoints.EnsureLoaded(index);
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            return ApiProblems.BadRequest(MessageCheckProblems.MissingText, $"The body needs a 'text': the message to check, 1 to {MessageCheckService.MaxTextLength} characters.");
        }

        var length = request.Text.EnumerateRunes().Count();
        if (length > MessageCheckService.MaxTextLength)
        {
            return ApiProblems.BadRequest(
                MessageCheckProblems.TextTooLong,
                $"The text is {length} characters long; at most {MessageCheckService.MaxTextLength} are checked at once. Check a long conversation a part at a time.");
        }

        var answer = messages.Check(request.Text, FlagNoticeBuilder.LanguageOf(http));
        if (answer.Verdict == MessageVerdict.Flagged)
        {
            http.HttpContext.Response.Headers.Append(Microsoft.Net.Http.Headers.HeaderNames.Vary, "Accept-Language");
        }

        foreach (var item in answer.Items)
        {
            metrics.RecordLookup(item.Kind, item.Verdict);
        }

        return TypedResults.Ok(answer);
    }
}
