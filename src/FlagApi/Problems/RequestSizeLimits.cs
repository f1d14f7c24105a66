using FlagApi.Identifiers;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace FlagApi.Problems;

/// <summary>
/// The longest request target and the largest headers the application takes, and answers for itself past them (414
/// <c>uri_too_long</c>, 431 <c>headers_too_large</c>). Kestrel's own limits are set to twice these, so a request over them
/// still reaches the application and gets problem details; only one more than twice over gets Kestrel's bare status.
/// </summary>
public sealed class RequestSizeLimits(IOptions<IdentifierOptions> identifiers)
{
    /// <summary>UTF-8 takes at most 3 bytes per UTF-16 code unit (4 per surrogate pair), each percent-encoded in 3 characters.</summary>
    public const int EncodedBytesPerCharacter = 9;

    /// <summary>Room for the path and every parameter besides an identifier's value.</summary>
    public const int OtherTargetBytes = 2048;

    /// <summary>Kestrel's default, which the documented header lengths have always been.</summary>
    public const int MaxHeadersTotalBytes = 32 * 1024;

    /// <summary>Header lines, Kestrel's default.</summary>
    public const int MaxHeaderCount = 100;

    /// <summary>Kestrel's limits are this many times the application's.</summary>
    public const int ServerMargin = 2;

    /// <summary>
    /// A lookup's value of <c>Identifiers:MaxInputLength</c> characters, every one percent-encoded UTF-8, with the path and
    /// the other parameters: the longest request target (path and query as sent) the application reads.
    /// </summary>
    public long MaxRequestTargetBytes => (long)EncodedBytesPerCharacter * identifiers.Value.MaxInputLength + OtherTargetBytes;

    internal static void Configure(IServiceCollection services)
    {
        services.AddSingleton<RequestSizeLimits>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<IdentifierOptions>>((kestrel, identifiers) =>
        {
            var limits = new RequestSizeLimits(identifiers);

            // The request line is the method, the target and the version: a few bytes more than the target.
            kestrel.Limits.MaxRequestLineSize = (int)Math.Min(int.MaxValue, ServerMargin * (limits.MaxRequestTargetBytes + 32));
            kestrel.Limits.MaxRequestHeadersTotalSize = ServerMargin * MaxHeadersTotalBytes;
            kestrel.Limits.MaxRequestHeaderCount = ServerMargin * MaxHeaderCount;
        });
    }
}

/// <summary>Answers a request over <see cref="RequestSizeLimits"/> with problem details before anything else reads it.</summary>
internal sealed class RequestSizeLimitMiddleware(RequestDelegate next, RequestSizeLimits limits)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (Refusal(context, limits) is { } refusal)
        {
            throw refusal;
        }

        return next(context);
    }

    /// <summary>Why <paramref name="context"/> is over the limits, or null when it is within them.</summary>
    internal static ProblemException? Refusal(HttpContext context, RequestSizeLimits limits)
    {
        // The target as sent; a server that does not give it (the test server) has it rebuilt from the path and query.
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw : context.Request.GetEncodedPathAndQuery();
        if (target.Length > limits.MaxRequestTargetBytes)
        {
            return new ProblemException(
                StatusCodes.Status414UriTooLong,
                ProblemCodes.UriTooLong,
                "The URI is too long",
                $"The request target (path and query) is {target.Length} bytes; at most {limits.MaxRequestTargetBytes} are read, " +
                "room for the longest value any parameter accepts.");
        }

        long size = 0;
        var lines = 0;
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                // As sent: "name: value" and CRLF.
                size += name.Length + 2 + (value?.Length ?? 0) + 2;
                lines++;
            }
        }

        if (size > RequestSizeLimits.MaxHeadersTotalBytes || lines > RequestSizeLimits.MaxHeaderCount)
        {
            return new ProblemException(
                StatusCodes.Status431RequestHeaderFieldsTooLarge,
                ProblemCodes.HeadersTooLarge,
                "The request headers are too large",
                $"The request has {lines} header lines of {size} bytes; at most {RequestSizeLimits.MaxHeaderCount} lines of " +
                $"{RequestSizeLimits.MaxHeadersTotalBytes} bytes in all are read.");
        }

        return null;
    }
}
