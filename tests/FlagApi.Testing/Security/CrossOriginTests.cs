using System.Net;
using System.Net.Http.Json;
using FlagApi.Security;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests.Security;

public abstract class CrossOriginTests(DatabaseTarget target)
{
    private const string Partner = "https://partner.example";
    private const string Evil = "https://evil.example";

    private static readonly Dictionary<string, string?> PartnerConfigured = new()
    {
        ["Cors:LookupOrigins:0"] = Partner,
        ["Cors:LookupOrigins:1"] = "http://localhost:8081/",
    };

    /// <summary>The lookups: what a partner's page may call from the browser.</summary>
    private static readonly (string Method, string Path)[] Lookups =
    [
        ("GET", "/v1/lookup/phone?value=13800138000"),
        ("POST", "/v1/lookup"),
        ("GET", "/v1/hashes/00000"),
        ("POST", "/v1/hashes"),
        ("POST", "/v1/check/message"),
    ];

    /// <summary>Everything else, anonymous or keyed: no origin is ever allowed.</summary>
    private static readonly (string Method, string Path)[] NotLookups =
    [
        ("GET", "/v1/stats"),
        ("GET", "/v1/feed/changes?since=0"),
        ("GET", "/v1/feed/prefixes"),
        ("GET", "/v1/batches"),
        ("POST", "/v1/reports"),
        ("POST", "/v1/appeals"),
        ("GET", "/v1/appeals/AP-0000-0000"),
        ("POST", "/v1/watches"),
        ("GET", "/v1/watches/1"),
        ("GET", "/v1/review/watches"),
        ("GET", "/v1/keys"),
        ("GET", "/health/ready"),
        ("GET", "/openapi/v1.json"),
        ("GET", "/"),
        ("GET", "/stats"),
        ("GET", "/swagger/index.html"),
    ];

    [Fact]
    public async Task AConfiguredOriginMayCallALookupAndReadItsAnswer()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, PartnerConfigured);
        using var client = app.CreateClient();

        foreach (var (method, path) in Lookups)
        {
            var response = await client.SendAsync(Request(method, path, Partner));

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal(Partner, Allowed(response, method, path));
            Assert.True(VaryOf(response).Count(v => v == "Origin") == 1, $"{method} {path}: Vary is '{string.Join(", ", VaryOf(response))}', not Origin once");
            Assert.Contains("RateLimit", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        }
    }

    [Fact]
    public async Task APreflightFromAConfiguredOriginAllowsTheKeyAndJsonAndIsCached()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, PartnerConfigured);
        using var client = app.CreateClient();

        foreach (var (method, path) in Lookups)
        {
            var response = await client.SendAsync(Preflight(path, Partner, method, "x-api-key,content-type"));

            Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"preflight of {method} {path}: {(int)response.StatusCode}");
            Assert.Equal(Partner, Allowed(response, method, path));
            Assert.Contains(method, response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
            var allowed = response.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant();
            Assert.Contains("x-api-key", allowed, StringComparison.Ordinal);
            Assert.Contains("content-type", allowed, StringComparison.Ordinal);
            Assert.Equal(((int)CrossOrigin.PreflightMaxAge.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
                response.Headers.GetValues("Access-Control-Max-Age").Single());
            Assert.True(VaryOf(response).Contains("Origin"), $"{method} {path} does not vary by Origin");
            SecurityHeaderAssert.Api(response, "preflight");
        }
    }

    [Fact]
    public async Task AnOriginConfiguredWithATrailingSlashMatchesWhatTheBrowserSends()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, PartnerConfigured);
        using var client = app.CreateClient();

        var response = await client.SendAsync(Request("GET", "/v1/lookup/phone?value=13800138000", "http://localhost:8081"));

        Assert.Equal("http://localhost:8081", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task AnErrorAnswerToAConfiguredOriginIsReadableByItsPage()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, PartnerConfigured);
        using var client = app.CreateClient();
        var bad = Request("GET", "/v1/lookup/phone?value=abc", Partner);
        var badKey = Request("GET", "/v1/lookup/phone?value=13800138000", Partner);
        badKey.Headers.Add("X-Api-Key", "not-a-key");

        var invalid = await client.SendAsync(bad);
        var unauthorized = await client.SendAsync(badKey);

        await Problem.AssertAsync(invalid, HttpStatusCode.BadRequest, "invalid_phone");
        await Problem.AssertAsync(unauthorized, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Equal(Partner, invalid.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(Partner, unauthorized.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task AnOriginNotConfiguredGetsNoAccessToLookups()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, PartnerConfigured);
        using var client = app.CreateClient();

        foreach (var (method, path) in Lookups)
        {
            var actual = await client.SendAsync(Request(method, path, Evil));
            var preflight = await client.SendAsync(Preflight(path, Evil, method, "x-api-key"));
            var lookalike = await client.SendAsync(Request(method, path, "https://partner.example.evil.example"));
            var otherScheme = await client.SendAsync(Request(method, path, "http://partner.example"));
            var nullOrigin = await client.SendAsync(Request(method, path, "null"));

            // The server answers (CORS is enforced by the browser); the answer just grants nothing.
            Assert.True(actual.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)actual.StatusCode}");
            foreach (var response in new[] { actual, preflight, lookalike, otherScheme, nullOrigin })
            {
                Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), await response.Content.ReadAsStringAsync());
                Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
            }

            Assert.True(VaryOf(actual).Contains("Origin"), $"{method} {path} does not vary by Origin");
        }
    }

    [Fact]
    public async Task WithoutConfiguredOriginsNoOriginGetsAccessButAnswersStillVaryByOrigin()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        foreach (var (method, path) in Lookups)
        {
            var actual = await client.SendAsync(Request(method, path, Partner));
            var preflight = await client.SendAsync(Preflight(path, Partner, method, "content-type"));
            var sameOrigin = await client.SendAsync(Request(method, path, origin: null));

            Assert.True(actual.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)actual.StatusCode}");
            Assert.False(actual.Headers.Contains("Access-Control-Allow-Origin"), $"{method} {path}");
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"), $"preflight of {method} {path}");
            Assert.True(VaryOf(sameOrigin).Contains("Origin"), $"{method} {path} without Origin does not vary by Origin");
        }
    }

    [Fact]
    public async Task NoOtherEndpointAllowsAnyOriginEvenAConfiguredOne()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, PartnerConfigured);
        using var client = app.CreateClient(await app.CreateKeyAsync("admin"));

        foreach (var (method, path) in NotLookups)
        {
            var actual = await client.SendAsync(Request(method, path, Partner));
            var preflight = await client.SendAsync(Preflight(path, Partner, method, "x-api-key,content-type"));

            Assert.False(actual.Headers.Contains("Access-Control-Allow-Origin"), $"{method} {path} answered {(int)actual.StatusCode} with Access-Control-Allow-Origin");
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"), $"preflight of {method} {path} answered {(int)preflight.StatusCode} with Access-Control-Allow-Origin");
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Methods"));
            Assert.True((int)preflight.StatusCode >= 400, $"preflight of {method} {path} answered {(int)preflight.StatusCode}");
        }
    }

    [Theory]
    [InlineData("*")]
    [InlineData("null")]
    [InlineData("partner.example")]
    [InlineData("https://partner.example/lookup")]
    [InlineData("https://partner.example?x=1")]
    [InlineData("https://user@partner.example")]
    [InlineData("ftp://partner.example")]
    [InlineData("https://*.partner.example")]
    [InlineData(" ")]
    public async Task AnOriginThatIsNotAWebOriginStopsTheStart(string origin)
    {
        // On a host of its own: a start that fails inside the whole application can surface as the host's
        // ObjectDisposedException instead of the refusal, depending on which of its services loses the race.
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Cors:LookupOrigins:0"] = origin;
        builder.AddCrossOrigin();
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Cors:LookupOrigins", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://partner.example", "https://partner.example")]
    [InlineData("https://Partner.Example/", "https://partner.example")]
    [InlineData("https://partner.example:443", "https://partner.example")]
    [InlineData("http://localhost:8081", "http://localhost:8081")]
    [InlineData("http://[::1]:8081", "http://[::1]:8081")]
    public void AnOriginIsComparedAsTheBrowserSendsIt(string configured, string expected)
    {
        Assert.True(CrossOrigin.TryNormalize(configured, out var origin));
        Assert.Equal(expected, origin);
    }

    private static HttpRequestMessage Request(string method, string path, string? origin)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (method == "POST")
        {
            request.Content = path switch
            {
                "/v1/lookup" => JsonContent.Create(new { items = new[] { new { kind = "phone", value = "13800138000" } } }),
                "/v1/hashes" => JsonContent.Create(new { prefixes = new[] { "00000" } }),
                "/v1/check/message" => JsonContent.Create(new { text = "Call 13800138000 about your parcel." }),
                "/v1/reports" => JsonContent.Create(new { kind = "phone", value = "13900000001", description = "Called about a parcel." }),
                _ => JsonContent.Create(new { }),
            };
        }

        return request;
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string Allowed(HttpResponseMessage response, string method, string path) =>
        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : $"none on {method} {path}";

    private static List<string> VaryOf(HttpResponseMessage response) =>
        response.Headers.Vary.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).ToList();
}
