using System.Security.Cryptography;
using System.Text.Json;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using FlagApi.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FlagApi.Hashes;

/// <summary>
/// k-anonymity lookups: a client hashes the keys its query probes (<c>Matching.Probes</c>), sends only their
/// 5-hex-digit prefixes, and matches the full hashes it gets back locally. The server never sees the identifier.
/// </summary>
public static class HashEndpoints
{
    /// <summary>The problem code of a prefix that is not exactly five hex digits.</summary>
    public const string InvalidPrefix = "invalid_prefix";

    public const string PaddingHeader = "Add-Padding";

    private const string PaddingAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static IHostApplicationBuilder AddHashes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<HashApiLimits>();
        builder.Services.AddOptions<HashesOptions>().BindConfiguration(HashesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }

    public static IEndpointRouteBuilder MapHashes(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/hashes").WithTags("Hashes").WithRateLimitBudget(RateLimitBudget.Lookup).AllowLookupOrigins();

        group.MapGet("/{prefix}", HashesForPrefix)
            .WithName("HashesForPrefix")
            .WithSummary("Every flagged hash that starts with a 5-hex-digit prefix")
            .WithDescription(
                "k-anonymity lookup. Hash each key a lookup would probe (lowercase hex SHA-256 of its UTF-8 canonical expression), "
                + "send the first 5 hex digits, and compare the full hashes locally. Every well-formed prefix answers 200, an empty list "
                + "when nothing matches. 'Add-Padding: true' pads the body to a fixed block size so its length does not tell how many "
                + "hashes the prefix holds. Cacheable: the ETag names the list version, If-None-Match answers 304.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/", HashesForPrefixes)
            .WithName("HashesForPrefixes")
            .WithSummary("Every flagged hash under up to 1,000 prefixes at once")
            .WithDescription("Results come in the order of the prefixes; a prefix that is not 5 hex digits gets an error in its place instead of failing the batch.")
            .Accepts<HashBatchRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    public static Results<Ok<HashPrefixResponse>, StatusCodeHttpResult, ProblemHttpResult> HashesForPrefix(
        string prefix,
        [FromHeader(Name = PaddingHeader)] string? addPadding,
        HttpContext context,
        ListIndex index,
        TimeProvider clock,
        IOptions<HashesOptions> options,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        EnsureLoaded(index);
        if (!HashIndex.TryParsePrefix(prefix, out var bits))
        {
            return ApiProblems.BadRequest(InvalidPrefix, $"'{Truncate(prefix)}' is not a hash prefix: send exactly {IdentifierHash.PrefixLength} hex digits.");
        }

        if (!TryReadPadding(addPadding, out var pad))
        {
            return ApiProblems.BadRequest(ProblemCodes.InvalidParameter, $"The {PaddingHeader} header is 'true' or 'false'.");
        }

        // The version is read before the entries, so an answer is never older than the version its ETag names.
        var version = index.Version;
        var canonicalPrefix = prefix.ToLowerInvariant();
        var hashes = Collect(index, bits, clock.GetUtcNow().UtcDateTime, out var expired);

        // Entries that expire by time change the answer before a sweep moves the version; counting them keeps the ETag honest.
        var tag = expired == 0 ? $"v{version}-{canonicalPrefix}" : $"v{version}-{canonicalPrefix}-x{expired}";

        // Random padding makes the bytes differ from one response to the next: the padded tag is weak (same content).
        var etag = pad ? $"W/\"{tag}\"" : $"\"{tag}\"";
        var headers = context.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = $"public, max-age={options.Value.MaxAgeSeconds}";
        headers.Vary = PaddingHeader;
        if (Matches(context.Request.Headers.IfNoneMatch, tag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var response = new HashPrefixResponse(canonicalPrefix, version, hashes);
        if (pad)
        {
            response = Pad(response, static (r, p) => r with { Padding = p }, options.Value.PaddingBlockBytes, json.Value.SerializerOptions);
        }

        return TypedResults.Ok(response);
    }

    public static Results<Ok<HashBatchResponse>, ProblemHttpResult> HashesForPrefixes(
        HashBatchRequest request,
        [FromHeader(Name = PaddingHeader)] string? addPadding,
        ListIndex index,
        TimeProvider clock,
        IOptions<HashesOptions> options,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        EnsureLoaded(index);
        var max = options.Value.MaxPrefixes;
        if (request.Prefixes is not { Count: > 0 } prefixes)
        {
            return ApiProblems.BadRequest(ProblemCodes.EmptyBatch, $"The request needs a 'prefixes' array of 1 to {max} hash prefixes.");
        }

        if (prefixes.Count > max)
        {
            return ApiProblems.BadRequest(ProblemCodes.TooManyItems, $"The request holds {prefixes.Count} prefixes; at most {max} are accepted per request.");
        }

        if (!TryReadPadding(addPadding, out var pad))
        {
            return ApiProblems.BadRequest(ProblemCodes.InvalidParameter, $"The {PaddingHeader} header is 'true' or 'false'.");
        }

        var version = index.Version;
        var now = clock.GetUtcNow().UtcDateTime;
        var results = new HashBatchResult[prefixes.Count];
        for (var i = 0; i < prefixes.Count; i++)
        {
            var prefix = prefixes[i];
            results[i] = HashIndex.TryParsePrefix(prefix, out var bits)
                ? new HashBatchResult(prefix!.ToLowerInvariant(), Collect(index, bits, now, out _))
                : new HashBatchResult(prefix, Error: new ItemError(InvalidPrefix, prefix is null
                    ? "The prefix is null; each prefix is 5 hex digits."
                    : $"'{Truncate(prefix)}' is not a hash prefix: send exactly {IdentifierHash.PrefixLength} hex digits."));
        }

        var response = new HashBatchResponse(version, results);
        if (pad)
        {
            response = Pad(response, static (r, p) => r with { Padding = p }, options.Value.PaddingBlockBytes, json.Value.SerializerOptions);
        }

        return TypedResults.Ok(response);
    }

    private static List<HashEntry> Collect(ListIndex index, int prefix, DateTime now, out int expired) =>
        [.. index.Hashes.Find(prefix, now, out expired).Select(m => new HashEntry(m.Hash, m.Entry.Kind.ToWire(), m.Entry.Category, m.Entry.Risk))];

    /// <summary>
    /// Pads the serialized body up to the next multiple of <paramref name="block"/> bytes. The padding is random
    /// letters and digits (never escaped in JSON, so one character is one byte) so a compressing proxy cannot shrink it
    /// back to a size that tells how many hashes the answer holds.
    /// </summary>
    private static T Pad<T>(T response, Func<T, string, T> withPadding, int block, JsonSerializerOptions serializer)
    {
        var bare = JsonSerializer.SerializeToUtf8Bytes(withPadding(response, string.Empty), serializer).Length;
        var target = (bare + block - 1) / block * block;
        return withPadding(response, RandomNumberGenerator.GetString(PaddingAlphabet, target - bare));
    }

    private static bool TryReadPadding(string? header, out bool pad)
    {
        pad = false;
        return string.IsNullOrEmpty(header) || bool.TryParse(header, out pad);
    }

    /// <summary>If-None-Match by the weak comparison RFC 9110 prescribes for GET: <c>W/</c> is ignored, <c>*</c> matches.</summary>
    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string tag)
    {
        if (ifNoneMatch.Count == 0)
        {
            return false;
        }

        return EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
            && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.AsSpan().Trim('"').SequenceEqual(tag));
    }

    private static string Truncate(string text) => text.Length <= 16 ? text : text[..16] + "…";

    private static void EnsureLoaded(ListIndex index)
    {
        if (!index.IsLoaded)
        {
            throw new ProblemException(StatusCodes.Status503ServiceUnavailable, ProblemCodes.ListNotLoaded,
                "The flagged list is still loading", "The service is starting and has not loaded the flagged list yet; try again in a few seconds.");
        }
    }
}
