using System.Net;

namespace FlagApi.Client;

/// <summary>A refusal from the service (its problem <see cref="Code"/> and <see cref="Detail"/>), or a request that kept failing.</summary>
public sealed class FlagApiException(HttpStatusCode? status, string code, string detail, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(detail, inner)
{
    public HttpStatusCode? Status { get; } = status;

    /// <summary>The problem's stable <c>code</c> (<c>invalid_phone</c>, <c>rate_limited</c>, …), or <c>unreachable</c>.</summary>
    public string Code { get; } = code;

    public string Detail { get; } = detail;

    /// <summary>When the service said to try again (a 429 or 503 with <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
