using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using FlagApi.Identifiers;
using FlagApi.Keys;
using FlagApi.Observability;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using FlagApi.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace FlagApi.Lookup;

/// <summary>How many single lookups the direct path answered in this process (the rest went down the whole pipeline).</summary>
public sealed class LookupDirectPathFigures
{
    private long answered;

    public long Answered => Interlocked.Read(ref answered);

    internal void Count() => Interlocked.Increment(ref answered);
}

/// <summary>
/// Answers the everyday single lookup, <c>GET /v1/lookup/{kind}?value=…</c> found in the list or not, in front of the
/// middleware (the request log's scope, problem handling, routing, cross-origin, authorization, rate limits, the
/// endpoint's binding), which together cost a lookup about a fifth of its throughput. It runs the same code those run,
/// in their order: the size limits, the key (only one held in memory), the lookup, the rate limit, then the security,
/// cross-origin and rate-limit headers, the lookup's own JSON writer and the request log's line when one is owed (the
/// same line in the same scope), with the endpoint set so that line, traces and metrics name the route. Anything else (a
/// refusal, a problem, a preflight or a request with an <c>Origin</c>, a body, an unusual path or query, an unknown key,
/// a list still loading) goes down the whole pipeline untouched, which gives every answer but the 200; nothing is spent
/// or recorded before that choice is made, save a permit the limiter refused (which spends nothing).
/// <c>Lookup:DirectPath=false</c> sends every lookup down the whole pipeline; a test holds the two to the same answers.
/// </summary>
internal sealed class LookupDirectPath(
    RequestDelegate next,
    LookupService lookup,
    ListIndex index,
    KeyStore keys,
    CallerRateLimiter limiter,
    RequestSizeLimits sizeLimits,
    FlagApiMetrics metrics,
    LookupDirectPathFigures figures,
    RequestLog requestLog,
    IOptions<RateLimitingOptions> rateLimiting,
    EndpointDataSource endpoints)
{
    private readonly bool limited = rateLimiting.Value.Enabled;

    private const string Prefix = "/v1/lookup/";

    // The kinds as they appear in a path; a kind spelled any other way goes down the whole pipeline.
    private static readonly string[] Kinds = [.. IdentifierKinds.WireNames];

    private Target? target;
    private volatile bool searched;

    public Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method)
            || !TryKind(request.Path.Value, out var kind)
            || request.ContentLength is not (null or 0)
            || request.ContentType is not null
            || request.Headers.ContainsKey("Origin")
            || request.Headers.ContainsKey("Transfer-Encoding")
            || request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true
            || LookupOne() is not { } lookupOne
            || !index.IsLoaded
            || RequestSizeLimitMiddleware.Refusal(context, sizeLimits) is not null
            || !ApiKeyAuthenticationHandler.TryAuthenticate(context, keys, out var caller, out _)
            || caller.Failure is not null)
        {
            return next(context);
        }

        if (!TryValue(request.QueryString, out var value))
        {
            return next(context);
        }

        LookupResponse? response;
        try
        {
            (response, _) = lookup.Lookup(kind, value, FlagNoticeBuilder.LanguageOf(request));
        }
        catch (Exception)
        {
            // The whole pipeline meets the same failure, and its exception handler answers it.
            response = null;
        }

        if (response is null)
        {
            return next(context);
        }

        ApiKeyMiddleware.SetCaller(context, caller);
        if (!limited)
        {
            return Answer(context, started, lookupOne, null, response);
        }

        var partition = limiter.PartitionFor(context, lookupOne.Budget);
        var decision = limiter.AcquireAsync(partition);
        return decision.IsCompletedSuccessfully
            ? Granted(context, started, lookupOne, partition, decision.Result, response)
            : GrantedAsync(context, started, lookupOne, partition, decision, response);
    }

    private async Task GrantedAsync(
        HttpContext context, long started, Target lookupOne, RateLimitPartitionKey partition, ValueTask<RateLimitDecision> decision, LookupResponse response) =>
        await Granted(context, started, lookupOne, partition, await decision, response);

    private Task Granted(
        HttpContext context, long started, Target lookupOne, RateLimitPartitionKey partition, RateLimitDecision decision, LookupResponse response) =>
        decision.IsAcquired
            ? Answer(context, started, lookupOne, RateLimitMiddleware.Granted(partition, decision), response)

            // The whole pipeline asks the limiter again and answers the 429 with its headers; a refusal spent nothing.
            : next(context);

    private Task Answer(HttpContext context, long started, Target lookupOne, (string Policy, string Remaining)? granted, LookupResponse response)
    {
        context.SetEndpoint(lookupOne.Endpoint);
        metrics.RecordLookup(response.Kind, response.Verdict);
        figures.Count();
        var http = context.Response;
        SecurityHeaders.Apply(context);

        // In the order the pipeline gives them: the answer's own Vary, then the cross-origin one.
        if (response.Notice is not null)
        {
            LookupJsonResult<LookupResponse>.VaryByLanguage(http.Headers);
        }

        if (lookupOne.VariesByOrigin)
        {
            CrossOrigin.VaryByOrigin(http.Headers);
        }

        if (granted is { } budget)
        {
            RateLimitMiddleware.SetGrantedHeaders(http, budget);
        }

        Task written;
        try
        {
            written = new LookupJsonResult<LookupResponse>(response).ExecuteAsync(context);
        }
        catch
        {
            requestLog.Finish(context, started);
            throw;
        }

        if (written.IsCompletedSuccessfully)
        {
            requestLog.Finish(context, started);
            return Task.CompletedTask;
        }

        return FinishAsync(context, started, written);
    }

    private async Task FinishAsync(HttpContext context, long started, Task written)
    {
        try
        {
            await written;
        }
        finally
        {
            requestLog.Finish(context, started);
        }
    }

    private Target? LookupOne()
    {
        // Looked for once, at the first request: the endpoints are all built by then.
        if (!searched)
        {
            target = Target.Find(endpoints);
            searched = true;
        }

        return target;
    }

    /// <summary>
    /// The one <c>value</c> parameter of <paramref name="query"/>, read the way the endpoint's binding reads it (the name
    /// in any case, '+' a space, escapes decoded) without building the request's query collection; false for none or several.
    /// </summary>
    private static bool TryValue(QueryString query, [NotNullWhen(true)] out string? value)
    {
        value = null;
        var found = 0;
        foreach (var pair in new QueryStringEnumerable(query.Value))
        {
            var name = pair.EncodedName.Span;
            var named = name.ContainsAny('%', '+') ? pair.DecodeName().Span.Equals("value", StringComparison.OrdinalIgnoreCase)
                : name.Equals("value", StringComparison.OrdinalIgnoreCase);
            if (named && ++found == 1)
            {
                value = pair.DecodeValue().ToString();
            }
        }

        return found == 1;
    }

    /// <summary>The kind named by a path <c>/v1/lookup/{kind}</c> spelled as the API spells it, with nothing after it.</summary>
    private static bool TryKind(string? path, [NotNullWhen(true)] out string? kind)
    {
        kind = null;
        if (path is null || !path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var segment = path.AsSpan(Prefix.Length);
        foreach (var known in Kinds)
        {
            if (segment.SequenceEqual(known))
            {
                kind = known;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The single-lookup endpoint, its budget and whether its answers vary by origin; null, which leaves the direct path
    /// unused, if the endpoint ever needs what the direct path does not do (authorization, a deprecation notice).
    /// </summary>
    private sealed record Target(Endpoint Endpoint, RateLimitBudget Budget, bool VariesByOrigin)
    {
        public static Target? Find(EndpointDataSource endpoints) =>
            endpoints.Endpoints.FirstOrDefault(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == nameof(LookupEndpoints.LookupOne)) is { } endpoint
            && endpoint.Metadata.GetMetadata<RateLimitBudget>() is { } budget
            && endpoint.Metadata.GetMetadata<IAuthorizeData>() is null
            && endpoint.Metadata.GetMetadata<DeprecatedRoute>() is null
                ? new Target(endpoint, budget, endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Cors.Infrastructure.IEnableCorsAttribute>() is { PolicyName: CrossOrigin.LookupPolicy })
                : null;
    }
}

public static class LookupDirectPathExtensions
{
    /// <summary>
    /// In front of the request log, which a direct answer writes itself (the same line, in the same scope, opened only for
    /// a line), and behind the trusted proxies, so that the caller is the client.
    /// </summary>
    public static IApplicationBuilder UseLookupDirectPath(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<IOptions<LookupOptions>>().Value.DirectPath)
        {
            app.UseMiddleware<LookupDirectPath>();
        }

        return app;
    }
}
