using Microsoft.Net.Http.Headers;

namespace FlagApi.Problems;

/// <summary>
/// JSON bodies are UTF-8 (RFC 8259, section 8.1). A JSON content type naming another charset is refused with a 415
/// before any endpoint reads the body: the framework would otherwise look the charset up and fail with a 500 on one it
/// does not know (<c>charset=utf-7</c>, or a quoted <c>"utf-8"</c>), or transcode bytes that no client of this API sends.
/// </summary>
internal sealed class JsonCharsetMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            && IsJson(contentType)
            && contentType.Charset is { Length: > 0 } charset)
        {
            if (IsUtf8(HeaderUtilities.RemoveQuotes(charset).Value))
            {
                // The framework looks the charset up as written, so charset="utf-8" (quoted, as RFC 9110 allows) failed.
                context.Request.ContentType = contentType.MediaType + "; charset=utf-8";
                return next(context);
            }

            throw new ProblemException(
                StatusCodes.Status415UnsupportedMediaType,
                ProblemCodes.UnsupportedMediaType,
                "Unsupported charset",
                "JSON bodies are UTF-8: send 'Content-Type: application/json' without a charset, or with charset=utf-8.");
        }

        return next(context);
    }

    private static bool IsJson(MediaTypeHeaderValue contentType) =>
        contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);

    private static bool IsUtf8(string? charset) =>
        string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase) || string.Equals(charset, "utf8", StringComparison.OrdinalIgnoreCase);
}
