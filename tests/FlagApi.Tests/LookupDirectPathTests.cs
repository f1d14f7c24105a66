using System.Net;
using System.Text.Json.Nodes;
using FlagApi.Data;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

/// <summary>
/// The direct path for single lookups (<see cref="LookupDirectPath"/>) answers exactly what the whole pipeline answers:
/// two applications over the same list, one with <c>Lookup:DirectPath=false</c>, are sent the same requests in the same
/// order, and every answer's status, headers and body must agree (the date and the trace id aside). The requests cover
/// what the direct path takes (hits and misses, anonymous and keyed, every kind, behind a trusted proxy) and what it must
/// leave to the pipeline (refusals of every sort, CORS, unusual paths and queries, a spent budget).
/// </summary>
public sealed class LookupDirectPathTests
{
    private const string Partner = "https://partner.example";
    private const string Hit = "/v1/lookup/phone?value=13800138000";

    // Budgets that give no permit back while the test runs (one a day per thirty or thousand), so that what is left of
    // them, which every answer says, is the same on both applications whenever each sent its request.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Cors:LookupOrigins:0"] = Partner,
        ["RateLimiting:TrustedProxies:0"] = "127.0.0.1",
        ["RateLimiting:Tiers:anonymous:Lookup:PermitLimit"] = "30",
        ["RateLimiting:Tiers:anonymous:Lookup:Window"] = "30.00:00:00",
        ["RateLimiting:Tiers:app:Lookup:PermitLimit"] = "1000",
        ["RateLimiting:Tiers:app:Lookup:Window"] = "1000.00:00:00",
    };

    [Fact]
    public async Task EveryLookupIsAnsweredAsTheWholePipelineAnswersIt()
    {
        await using var direct = await StartAsync(directPath: true);
        await using var whole = await StartAsync(directPath: false);
        var apps = new[] { direct, whole };
        SameTime(apps);
        var keys = new List<string>();
        foreach (var app in apps)
        {
            await app.PublishAsync(("phone", "13800138000", "other", "high"), ("url", "https://parcel-refund.example/claim", "phishing", "high"));
            keys.Add(await app.CreateKeyAsync("app"));
        }

        // What the direct path answers itself, and what it leaves to the whole pipeline.
        (string Name, Func<string, HttpRequestMessage> Request, bool Direct)[] requests =
        [
            ("an anonymous hit", _ => Get(Hit), true),
            ("an anonymous miss", _ => Get("/v1/lookup/phone?value=%2B8613900000000"), true),
            ("a keyed hit", key => Get(Hit, ("X-Api-Key", key)), true),
            ("a url hit", key => Get("/v1/lookup/url?value=https%3A%2F%2Fparcel-refund.example%2Fclaim", ("X-Api-Key", key)), true),
            ("a domain", _ => Get("/v1/lookup/domain?value=parcel-refund.example"), true),
            ("an app name", _ => Get("/v1/lookup/app?value=Cloud%20Service"), true),
            ("an account", _ => Get("/v1/lookup/account?value=wx%3Ahelper_2024"), true),
            ("a client that takes gzip", _ => Get(Hit, ("Accept-Encoding", "gzip")), true),
            ("behind the trusted proxy, over https", _ => Get(Hit, ("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https")), true),
            ("another parameter beside the value", _ => Get(Hit + "&lang=en"), true),
            ("the value's name in capitals", _ => Get("/v1/lookup/phone?VALUE=13800138000"), true),
            ("the value's name escaped", _ => Get("/v1/lookup/phone?v%61lue=13800138000"), true),
            ("a value with spaces as '+' and escapes", _ => Get("/v1/lookup/phone?value=%2B86+138+0013+8000"), true),
            ("a value as a bare name", _ => Get("/v1/lookup/phone?value"), false),
            ("two values, one named in capitals", _ => Get(Hit + "&Value=13900000000"), false),
            ("a key that names no key", _ => Get(Hit, ("X-Api-Key", "fk_not_a_key_at_all_0123456789")), false),
            ("an empty key", _ => Get(Hit, ("X-Api-Key", " ")), false),
            ("a value that is no phone number", _ => Get("/v1/lookup/phone?value=abc"), false),
            ("no value", _ => Get("/v1/lookup/phone"), false),
            ("an empty value", _ => Get("/v1/lookup/phone?value="), false),
            ("two values", _ => Get(Hit + "&value=13900000000"), false),
            ("a NUL in the value", _ => Get("/v1/lookup/phone?value=138%00"), false),
            ("a NUL in another parameter", _ => Get(Hit + "&x=%00"), false),
            ("an unknown kind", _ => Get("/v1/lookup/planet?value=mars"), false),
            ("a kind in capitals", _ => Get("/v1/lookup/PHONE?value=13800138000"), false),
            ("a path in capitals", _ => Get("/V1/LOOKUP/phone?value=13800138000"), false),
            ("a trailing slash", _ => Get("/v1/lookup/phone/?value=13800138000"), false),
            ("a kind spelled with an escape, which the server decodes", _ => Get("/v1/lookup/ph%6Fne?value=13800138000"), true),
            ("one segment too many", _ => Get("/v1/lookup/phone/extra?value=13800138000"), false),
            ("a partner's page", _ => Get(Hit, ("Origin", Partner)), false),
            ("another site's page", _ => Get(Hit, ("Origin", "https://evil.example")), false),
            ("a content type on a GET", _ => Get(Hit, ("Content-Type", "application/json; charset=latin1")), false),
            ("headers over the limit", _ => Get(Hit, ("X-Padding", new string('x', 40_000))), false),
            ("a HEAD", _ => new HttpRequestMessage(HttpMethod.Head, Hit), false),
            ("a preflight", _ => new HttpRequestMessage(HttpMethod.Options, Hit) { Headers = { { "Origin", Partner }, { "Access-Control-Request-Method", "GET" } } }, false),
        ];

        var expectedDirect = 0;
        foreach (var (name, request, takenDirectly) in requests)
        {
            await AssertSameAsync(name, apps, [.. keys], request);
            expectedDirect += takenDirectly ? 1 : 0;
            Assert.True(expectedDirect == Answered(direct), $"After {name}, the direct path answered {Answered(direct)} lookups, not {expectedDirect}.");
        }

        // The anonymous budget runs out on both at the same request, and the refusal is the pipeline's.
        for (var i = 0; i < 40; i++)
        {
            await AssertSameAsync($"anonymous lookup {i + 1} of a spending spree", apps, [.. keys], _ => Get(Hit));
        }

        Assert.True(Answered(direct) > expectedDirect, "The spree's first lookups were answered directly.");
        Assert.Equal(0, Answered(whole));
    }

    [Fact]
    public async Task WithRateLimitsOffADirectAnswerCarriesNoBudget()
    {
        var settings = new Dictionary<string, string?> { ["RateLimiting:Enabled"] = "false" };
        await using var direct = await FlagApiFactory.CreateAsync(new SqliteTarget(), settings);
        settings["Lookup:DirectPath"] = "false";
        await using var whole = await FlagApiFactory.CreateAsync(new SqliteTarget(), settings);
        var apps = new[] { direct, whole };
        SameTime(apps);
        foreach (var app in apps)
        {
            await app.PublishAsync(("phone", "13800138000", "other", "high"));
        }

        await AssertSameAsync("a lookup without rate limits", apps, ["", ""], _ => Get(Hit));
        Assert.Equal(1, Answered(direct));
    }

    private static async Task<FlagApiFactory> StartAsync(bool directPath)
    {
        var settings = new Dictionary<string, string?>(Settings) { ["Lookup:DirectPath"] = directPath ? "true" : "false" };
        return await FlagApiFactory.CreateAsync(new SqliteTarget(), settings);
    }

    /// <summary>Both applications' clocks at the same instant, so what they stamp (a listing's time) is the same.</summary>
    private static void SameTime(FlagApiFactory[] apps)
    {
        var latest = apps.Max(a => a.Clock.GetUtcNow());
        foreach (var app in apps)
        {
            app.Clock.Advance(latest - app.Clock.GetUtcNow());
        }
    }

    private static long Answered(FlagApiFactory app) => app.Services.GetRequiredService<LookupDirectPathFigures>().Answered;

    private static HttpRequestMessage Get(string url, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            if (name == "Content-Type")
            {
                request.Content = new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
                request.Content.Headers.ContentLength = 0;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    private static async Task AssertSameAsync(string name, FlagApiFactory[] apps, string[] keys, Func<string, HttpRequestMessage> request)
    {
        var answers = new List<Answer>();
        for (var i = 0; i < apps.Length; i++)
        {
            using var client = apps[i].CreateClient();
            using var response = await client.SendAsync(request(keys[i]));
            answers.Add(await Answer.ReadAsync(response));
        }

        var (direct, whole) = (answers[0], answers[1]);
        Assert.True(whole.Status == direct.Status, $"{name}: {direct.Status} directly, {whole.Status} through the pipeline.");
        Assert.True(whole.Headers == direct.Headers, $"{name}: headers differ.\ndirect:\n{direct.Headers}\npipeline:\n{whole.Headers}");
        Assert.True(whole.Body == direct.Body, $"{name}: bodies differ.\ndirect: {direct.Body}\npipeline: {whole.Body}");
    }

    /// <summary>An answer with what may differ between two applications taken out: the date, a trace id, a new key's value.</summary>
    private sealed record Answer(int Status, string Headers, string Body)
    {
        public static async Task<Answer> ReadAsync(HttpResponseMessage response)
        {
            var headers = response.Headers.Concat(response.Content.Headers)
                .Where(h => h.Key is not "Date")
                .Select(h => $"{h.Key.ToLowerInvariant()}: {string.Join(", ", h.Value)}")
                .Order(StringComparer.Ordinal);
            var text = await response.Content.ReadAsStringAsync();
            if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true)
            {
                var json = JsonNode.Parse(text)!;
                if (json is JsonObject problem)
                {
                    problem.Remove("traceId");
                }

                text = json.ToJsonString();
            }

            return new Answer((int)response.StatusCode, string.Join('\n', headers), text);
        }
    }
}
