using Microsoft.Net.Http.Headers;

namespace FlagApi.Problems;

/// <summary>
/// JSON bodies are UTF-8 (RFC 8259, section 8.1). A JSON content type naming another charset is refused with a 415
/// before any endpoint reads the body: the framework would otherwise look the charset up and fail with a 500 on one it
/// does not know (<c>charset=utf-7</c>, or a quoted <c>"utf-8"</c>), or transcode bytes that no client of this API sends.
/// A JSON body that is not UTF-8 is refused with 400 invalid_json: the serializer checks the text it reads, but skips an
/// unknown member's name unread, so a body with invalid bytes there was taken.
/// </summary>
internal sealed class JsonCharsetMiddleware(RequestDelegate next)
{
    // A Content-Type on a request without a body (a GET) describes nothing: its charset is not refused with a 415 that
    // such an operation does not declare.
    public Task InvokeAsync(HttpContext context) =>
        context.Request.ContentType is null || context.Request.ContentLength == 0
            || context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false
            ? next(context)
            : CheckAsync(context);

    private async Task CheckAsync(HttpContext context)
    {
        if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType) && IsJson(contentType))
        {
            CheckCharset(context, contentType);

            // A list is read by its own reader (ListFile), in a stream, and is up to 64 MiB: not held here twice.
            if (context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimit>()?.Name != RequestBodyLimit.List)
            {
                await RequireUtf8Async(context);
            }
        }

        await next(context);
    }

    private static void CheckCharset(HttpContext context, MediaTypeHeaderValue contentType)
    {
        if (contentType.Charset is { Length: > 0 } charset)
        {
            if (IsUtf8(HeaderUtilities.RemoveQuotes(charset).Value))
            {
                // The framework looks the charset up as written, so charset="utf-8" (quoted, as RFC 9110 allows) failed.
                context.Request.ContentType = contentType.MediaType + "; charset=utf-8";
                return;
            }

            throw new ProblemException(
                StatusCodes.Status415UnsupportedMediaType,
                ProblemCodes.UnsupportedMediaType,
                "Unsupported charset",
                "JSON bodies are UTF-8: send 'Content-Type: application/json' without a charset, or with charset=utf-8.");
        }
    }

    /// <summary>Reads the body (the endpoint's size limit applies: 413 beyond it) and refuses it unless it is UTF-8.</summary>
    private static async Task RequireUtf8Async(HttpContext context)
    {
        if (context.Request.ContentLength == 0 || HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (!System.Text.Unicode.Utf8.IsValid(body.GetBuffer().AsSpan(0, (int)body.Length)))
        {
            throw new ProblemException(
                StatusCodes.Status400BadRequest,
                ProblemCodes.InvalidJson,
                "The request body is not valid JSON",
                "The body is not valid UTF-8: JSON bodies are UTF-8 text.");
        }

        body.Position = 0;
        context.Request.Body = body;
        context.Response.RegisterForDispose(body);
    }

    private static bool IsJson(MediaTypeHeaderValue contentType) =>
        contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);

    private static bool IsUtf8(string? charset) =>
        string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase) || string.Equals(charset, "utf8", StringComparison.OrdinalIgnoreCase);
}
