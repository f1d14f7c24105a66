using System.Net;
using System.Text;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace FlagApi.Client;

/// <summary>
/// How the standard resilience handler is set for FlagApi: which requests may be sent twice, how long a
/// <c>Retry-After</c> is worth waiting for, and the timeouts a long poll of the feed stretches.
/// </summary>
internal static class FlagApiResilience
{
    /// <summary>
    /// Set on a POST that only reads (a batch lookup, a hash-prefix lookup): the service changes nothing for it, so
    /// sending it again is as safe as a GET. A POST without it (a report, an appeal) is never retried.
    /// </summary>
    private static readonly HttpRequestOptionsKey<bool> OnlyReads = new("FlagApi.Client.OnlyReads");

    /// <summary>How long the service may hold the request open (the feed's <c>wait</c>); the timeouts grow by it.</summary>
    private static readonly HttpRequestOptionsKey<TimeSpan> LongPoll = new("FlagApi.Client.LongPoll");

    public static HttpRequestMessage ReadByPost(string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Options.Set(OnlyReads, true);
        return request;
    }

    public static HttpRequestMessage Poll(string pathAndQuery, TimeSpan wait)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Options.Set(LongPoll, wait);
        return request;
    }

    public static void Apply(HttpStandardResilienceOptions resilience, FlagApiClientOptions options)
    {
        // Polly needs at least one attempt configured; MaxRetries = 0 is honoured by never handling an outcome.
        resilience.Retry.MaxRetryAttempts = Math.Max(1, options.MaxRetries);
        resilience.Retry.ShouldRetryAfterHeader = true;
        var transient = resilience.Retry.ShouldHandle;
        resilience.Retry.ShouldHandle = async args =>
            options.MaxRetries > 0
            && await transient(args)
            && SafeToRepeat(args.Context.GetRequestMessage())
            && !(RetryAfter(args.Outcome.Result) > options.MaxRetryDelay);

        // A 429 is the service at work telling this caller when to come back, not a failing service: it does not open the circuit.
        var failing = resilience.CircuitBreaker.ShouldHandle;
        resilience.CircuitBreaker.ShouldHandle = async args =>
            args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && await failing(args);

        resilience.AttemptTimeout.Timeout = options.AttemptTimeout;
        resilience.AttemptTimeout.TimeoutGenerator = args => ValueTask.FromResult(options.AttemptTimeout + WaitOf(args.Context));
        resilience.TotalRequestTimeout.Timeout = options.Timeout;
        resilience.TotalRequestTimeout.TimeoutGenerator = args => ValueTask.FromResult(options.Timeout + WaitOf(args.Context));

        // The handler's own rule: the breaker samples at least two attempts' time.
        var sampling = options.AttemptTimeout * 2;
        if (resilience.CircuitBreaker.SamplingDuration < sampling)
        {
            resilience.CircuitBreaker.SamplingDuration = sampling;
        }
    }

    /// <summary>What <c>Retry-After</c> asks for, as a wait from now (never negative); null without one.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        var wait = header.Delta ?? (header.Date is { } at ? at - DateTimeOffset.UtcNow : null);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    private static bool SafeToRepeat(HttpRequestMessage? request) =>
        request is not null
        && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head
            || (request.Options.TryGetValue(OnlyReads, out var onlyReads) && onlyReads));

    private static TimeSpan WaitOf(ResilienceContext context) =>
        context.GetRequestMessage() is { } request && request.Options.TryGetValue(LongPoll, out var wait) ? wait : TimeSpan.Zero;
}
