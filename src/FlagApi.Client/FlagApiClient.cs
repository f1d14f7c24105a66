using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FlagApi.Client;

/// <summary>
/// Calls FlagApi. Refusals become a <see cref="FlagApiException"/> with the problem's <c>code</c>. Retries and timeouts
/// are the <see cref="HttpClient"/>'s: registered with
/// <see cref="FlagApiClientServiceCollectionExtensions.AddFlagApiClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{FlagApiClientOptions})"/>
/// it has the standard resilience handler, which retries 429 and 503 after their <c>Retry-After</c>.
/// </summary>
public sealed class FlagApiClient
{
    /// <summary>The most items <see cref="LookupManyAsync"/> takes in one request.</summary>
    public const int MaxBatchItems = 1000;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http;
    private readonly FlagApiClientOptions options;

    /// <summary>
    /// A client over an <see cref="HttpClient"/> of the caller's making. It retries only if that client's handlers do:
    /// a plain <c>new HttpClient()</c> tries once. <c>services.AddFlagApiClient(...)</c> gives one that retries.
    /// </summary>
    /// <param name="http">Sends the requests; its <see cref="HttpClient.BaseAddress"/> is used unless the options name one.</param>
    /// <param name="options">The address, key and identifier rules; the defaults when null.</param>
    public FlagApiClient(HttpClient http, FlagApiClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        this.http = http;
        this.options = options ?? new FlagApiClientOptions();
        if (this.options.BaseAddress is not null)
        {
            http.BaseAddress = this.options.BaseAddress;
        }
    }

    /// <summary>The options this client was made with.</summary>
    public FlagApiClientOptions Options => options;

    /// <summary>Looks one identifier up (<c>GET /v1/lookup/{kind}</c>).</summary>
    /// <param name="kind"><c>phone</c>, <c>url</c>, <c>domain</c>, <c>app</c> or <c>account</c>.</param>
    /// <param name="value">The identifier as the user wrote it; the service canonicalizes it.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="FlagApiException">The service refused it (<c>invalid_phone</c>, <c>unknown_kind</c>, …) or could not be reached.</exception>
    public async Task<LookupResult> LookupAsync(string kind, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(value);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/lookup/{Uri.EscapeDataString(kind)}?value={Uri.EscapeDataString(value)}");
        using var response = await SendAsync(request, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<LookupResult>(Json, cancellationToken))!;
    }

    /// <summary>Looks up to 1,000 identifiers of mixed kinds up in one request (<c>POST /v1/lookup</c>); results come in the items' order.</summary>
    /// <param name="items">1 to <see cref="MaxBatchItems"/> identifiers.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>One answer per item: its result, or the error that item alone met (an unknown kind, an invalid number).</returns>
    /// <exception cref="FlagApiException">The service refused the whole batch or could not be reached.</exception>
    public async Task<IReadOnlyList<BatchItemResult>> LookupManyAsync(IReadOnlyList<LookupItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count is 0 or > MaxBatchItems)
        {
            throw new ArgumentOutOfRangeException(nameof(items), items.Count, $"A batch holds 1 to {MaxBatchItems} items.");
        }

        var body = JsonSerializer.Serialize(new { items = items.Select(i => new { kind = i.Kind, value = i.Value }) }, Json);
        using var request = FlagApiResilience.ReadByPost("v1/lookup", body);
        using var response = await SendAsync(request, cancellationToken);
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
    /// Sends a request once through the <see cref="HttpClient"/>, whose handlers do any retrying (the same message is
    /// sent again, so its content must be buffered), and turns a refusal into a <see cref="FlagApiException"/>.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (options.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException failure)
        {
            throw new FlagApiException(null, FlagApiException.Unreachable, $"FlagApi could not be reached: {failure.Message}", null, failure);
        }
        catch (BrokenCircuitException broken)
        {
            throw new FlagApiException(null, FlagApiException.Unreachable, "FlagApi failed too often of late; the client pauses its calls for a few seconds.", null, broken);
        }
        catch (Exception timedOut) when (timedOut is TimeoutRejectedException || (timedOut is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new FlagApiException(null, FlagApiException.TimedOut, "FlagApi did not answer in time.", null, timedOut);
        }

        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
        {
            return response;
        }

        using (response)
        {
            throw await ProblemAsync(response, cancellationToken);
        }
    }

    private static async Task<FlagApiException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
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

        return new FlagApiException(response.StatusCode, code, detail, FlagApiResilience.RetryAfter(response));
    }
}
