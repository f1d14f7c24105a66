using System.Net;

namespace FlagApi.Client;

/// <summary>A refusal from the service (its problem <see cref="Code"/> and <see cref="Detail"/>), or a request that kept failing.</summary>
/// <param name="status">The answer's status; null when there was no answer or the client refused before asking.</param>
/// <param name="code">The problem's stable code.</param>
/// <param name="detail">What went wrong, for a person.</param>
/// <param name="retryAfter">When the service said to try again.</param>
/// <param name="inner">The failure underneath, if any.</param>
public sealed class FlagApiException(HttpStatusCode? status, string code, string detail, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(detail, inner)
{
    /// <summary>The <see cref="Code"/> of a service that could not be reached, after the retries the client was allowed.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The <see cref="Code"/> of a call that did not finish within <see cref="FlagApiClientOptions.AttemptTimeout"/> or <see cref="FlagApiClientOptions.Timeout"/>.</summary>
    public const string TimedOut = "timeout";

    /// <summary>
    /// The <see cref="Code"/> of a local copy's snapshot whose entries do not match its own checksum, or of a
    /// <see cref="HashPrefixCopy"/> whose full answer, asked for after one that did not check out, did not check out either.
    /// </summary>
    public const string ChecksumMismatch = "checksum_mismatch";

    /// <summary>The answer's status (400, 404, 429, 503, …); null when there was no answer or the client refused before asking.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>
    /// The problem's stable <c>code</c> (<c>invalid_phone</c>, <c>rate_limited</c>, …), <c>http_NNN</c> for an answer
    /// that was not problem details, or one of the client's own: <see cref="Unreachable"/>, <see cref="TimedOut"/>,
    /// <see cref="ChecksumMismatch"/>, or the canonicalization codes of a lookup refused before it was sent.
    /// </summary>
    public string Code { get; } = code;

    /// <summary>The problem's <c>detail</c>, for a person.</summary>
    public string Detail { get; } = detail;

    /// <summary>When the service said to try again (a 429 or 503 with <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
