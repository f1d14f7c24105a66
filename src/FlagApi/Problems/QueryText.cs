namespace FlagApi.Problems;

/// <summary>
/// Refuses a query string holding a NUL character (<c>%00</c>). No value of this API contains one, and PostgreSQL
/// cannot store or compare text with it: a filter such as <c>?agency=%00</c> failed there with a 500 while SQLite
/// answered. One check here covers every filter, present and future.
/// </summary>
internal sealed class QueryTextMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        // The raw query is searched first: a NUL is sent as %00, and almost no request has one.
        if (!context.Request.QueryString.HasValue || !context.Request.QueryString.Value!.Contains("%00", StringComparison.Ordinal))
        {
            return next(context);
        }

        foreach (var (name, values) in context.Request.Query)
        {
            // An identifier looked up is canonicalized, which refuses control characters with the kind's own code (invalid_phone).
            if (name == "value")
            {
                continue;
            }

            if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v is not null && v.Contains('\0', StringComparison.Ordinal)))
            {
                throw new ProblemException(
                    StatusCodes.Status400BadRequest,
                    ProblemCodes.InvalidParameter,
                    "A parameter is not valid",
                    "The query string holds a NUL character (%00), which no parameter of this API accepts.");
            }
        }

        return next(context);
    }
}
