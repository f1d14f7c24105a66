namespace FlagApi.Problems;

/// <summary>The stable machine-readable <c>code</c> of every problem the API answers with.</summary>
public static class ProblemCodes
{
    public const string BadRequest = "bad_request";
    public const string InvalidJson = "invalid_json";
    public const string MissingBody = "missing_body";
    public const string InvalidParameter = "invalid_parameter";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string BodyTooLarge = "body_too_large";
    public const string UriTooLong = "uri_too_long";
    public const string HeadersTooLarge = "headers_too_large";
    public const string UnknownKind = "unknown_kind";
    public const string MissingValue = "missing_value";
    public const string EmptyBatch = "empty_batch";
    public const string TooManyItems = "too_many_items";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string NotAcceptable = "not_acceptable";
    public const string ListNotLoaded = "list_not_loaded";
    public const string RateLimited = "rate_limited";
    public const string Unavailable = "unavailable";
    public const string DatabaseUnavailable = "database_unavailable";
    public const string InternalError = "internal_error";

    // Refusals more than one capability gives, each defined here once.
    public const string InvalidCategory = "invalid_category";
    public const string InvalidStatus = "invalid_status";
    public const string InvalidFilter = "invalid_filter";
    public const string InvalidPage = "invalid_page";
    public const string InvalidDecision = "invalid_decision";
    public const string MissingReason = "missing_reason";
    public const string InvalidEvidence = "invalid_evidence";
    public const string InvalidLink = "invalid_link";
    public const string TooManyEvidence = "too_many_evidence";

    /// <summary>A publisher acting on another agency's list (retracting it, or reviewing an appeal against it).</summary>
    public const string NotYourList = "not_your_list";

    /// <summary>The code for a bare status code that no handler described further.</summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => BadRequest,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status406NotAcceptable => NotAcceptable,
        StatusCodes.Status413PayloadTooLarge => BodyTooLarge,
        StatusCodes.Status414UriTooLong => UriTooLong,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => RateLimited,
        StatusCodes.Status431RequestHeaderFieldsTooLarge => HeadersTooLarge,
        StatusCodes.Status503ServiceUnavailable => Unavailable,
        >= 500 => InternalError,
        _ => "http_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>What a bare status code means for a client of this API, when nothing more specific was said.</summary>
    public static string? DefaultDetail(int status) => status switch
    {
        StatusCodes.Status404NotFound => "Nothing is at this path; the API is described at /openapi/v1.json.",
        StatusCodes.Status405MethodNotAllowed => "This path does not accept that HTTP method; see /openapi/v1.json.",
        StatusCodes.Status406NotAcceptable => "This endpoint cannot answer in the media type the Accept header asks for.",
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with 'Content-Type: application/json'.",
        _ => null,
    };
}
