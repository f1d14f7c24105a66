using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlagApi.Client;

/// <summary>
/// Calls FlagApi. Requests refused for load (429, 503) are retried after the <c>Retry-After</c> the
/// service gives, up to <see cref="FlagApiClientOptions.MaxRetries"/>; other refusals become a
/// <see cref="FlagApiException"/> with the problem's <c>code</c>.
/// </summary>
public sealed class FlagApiClient
{
    public const int MaxBatchItems = 1000;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http;
    private readonly FlagApiClientOptions options;
    private readonly Func<TimeSpan, CancellationToken, Task> delay;

    public FlagApiClient(HttpClient http, FlagApiClientOptions? options = null)
        : this(http, options ?? new FlagApiClientOptions(), Task.Delay)
    {
    }

    /// <param name="delay">How the client waits between tries (tests pass one that records instead of sleeping).</param>
    internal FlagApiClient(HttpClient http, FlagApiClientOptions options, Func<TimeSpan, CancellationToken, Task> delay)
    {
        ArgumentNullException.ThrowIfNull(http);
        this.http = http;
        this.options = options;
        this.delay = delay;
        if (options.BaseAddress is not null)
        {
            http.BaseAddress = options.BaseAddress;
        }
    }

    public FlagApiClientOptions Options => options;

    /// <summary>Looks one identifier up (<c>GET /v1/lookup/{kind}</c>).</summary>
    public async Task<LookupResult> LookupAsync(string kind, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(value);
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, $"v1/lookup/{Uri.EscapeDataString(kind)}?value={Uri.EscapeDataString(value)}"),
            cancellationToken);
        return (await response.Content.ReadFromJsonAsync<LookupResult>(Json, cancellationToken))!;
    }

    /// <summary>Looks up to 1,000 identifiers of mixed kinds up in one request; results come in the items' order.</summary>
    public async Task<IReadOnlyList<BatchItemResult>> LookupManyAsync(IReadOnlyList<LookupItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count is 0 or > MaxBatchItems)
        {
            throw new ArgumentOutOfRangeException(nameof(items), items.Count, $"A batch holds 1 to {MaxBatchItems} items.");
        }

        var body = JsonSerializer.Serialize(new { items = items.Select(i => new { kind = i.Kind, value = i.Value }) }, Json);
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, "v1/lookup") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") },
            cancellationToken);
        var root = (await response.Content.ReadFromJsonAsync<JsonObject>(Json, cancellationToken))!;
        var version = root["listVersion"]!.GetValue<long>();
        var results = root["results"]!.AsArray();
        var answers = new BatchItemResult[items.Count];
        for (var i = 0; i < answers.Length; i++)
        {
            var item = results[i]!.AsObject();
            answers[i] = item["error"] is { } error
                ? new BatchItemResult(items[i], null, error.Deserialize<ItemError>(Json))
                : new BatchItemResult(items[i], item.Deserialize<LookupResult>(Json)! with { ListVersion = version }, null);
        }

        return answers;
    }

    /// <summary>
    /// Sends a request (made afresh for every try), retrying 429 and 503 after their <c>Retry-After</c>
    /// and network failures after a growing pause. Every request the client sends is safe to repeat.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var message = request();
            if (options.ApiKey is { Length: > 0 } key)
            {
                message.Headers.Add("X-Api-Key", key);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException) when (attempt < options.MaxRetries)
            {
                await delay(Backoff(attempt), cancellationToken);
                continue;
            }
            catch (HttpRequestException failure)
            {
                throw new FlagApiException(null, "unreachable", $"FlagApi could not be reached after {attempt + 1} tries: {failure.Message}", null, failure);
            }

            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
            {
                return response;
            }

            var problem = await ProblemAsync(response, cancellationToken);
            var retryable = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
            var wait = problem.RetryAfter ?? Backoff(attempt);
            response.Dispose();
            if (!retryable || attempt >= options.MaxRetries || wait > options.MaxRetryDelay)
            {
                throw problem;
            }

            await delay(wait, cancellationToken);
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt));

    private static async Task<FlagApiException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var retryAfter = response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } at ? at - DateTimeOffset.UtcNow : null)
            : null;
        if (retryAfter < TimeSpan.Zero)
        {
            retryAfter = TimeSpan.Zero;
        }

        string code = "http_" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), detail = response.ReasonPhrase ?? string.Empty;
        try
        {
            if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.OrdinalIgnoreCase) == true
                && await response.Content.ReadFromJsonAsync<JsonObject>(Json, cancellationToken) is { } body)
            {
                code = body["code"]?.GetValue<string>() ?? code;
                detail = body["detail"]?.GetValue<string>() ?? body["title"]?.GetValue<string>() ?? detail;
            }
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's error page): the status says enough.
        }

        return new FlagApiException(response.StatusCode, code, detail, retryAfter);
    }
}
