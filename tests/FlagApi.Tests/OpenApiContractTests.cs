using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlagApi.Keys;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>
/// What the OpenAPI document promises for Spectral's OWASP rules (.spectral.yaml) is what the service does:
/// each limit read from the served document is the one the validation enforces (at it: accepted; one over:
/// refused with the field's code), and the headers and errors it declares are the ones sent.
/// </summary>
public class OpenApiContractTests
{
    private const string Number = "+86 138 0013 8000";

    public static TheoryData<string> Limits => [.. Cases.Keys];

    /// <summary>Who calls, the limit's place in the document, and the request with a value of that size.</summary>
    private sealed record LimitCase(string Role, Func<JsonNode, long> Limit, Func<long, HttpRequestMessage> Request, string Code);

    private static readonly Dictionary<string, LimitCase> Cases = new()
    {
        ["a report's description"] = new(Roles.Anonymous, Schema("ReportRequest", "description", "maxLength"),
            n => Post("/v1/reports", new { kind = "phone", value = Number, category = "other", description = Text(n) }), "description_too_long"),
        ["a report's reporter id"] = new(Roles.App, Schema("ReportRequest", "reporterId", "maxLength"),
            n => Post("/v1/reports", new { kind = "phone", value = Number, category = "other", description = "Asked for a fee.", reporterId = Text(n) }), "invalid_reporter_id"),
        ["a report's evidence"] = new(Roles.Anonymous, Schema("ReportRequest", "evidence", "maxItems"),
            n => Post("/v1/reports", new { kind = "phone", value = Number, description = "Asked for a fee.", evidence = Enumerable.Repeat(new { type = "text", text = "He called twice." }, (int)n) }), "too_many_evidence"),
        ["a batch lookup's items"] = new(Roles.Anonymous, Schema("BatchLookupRequest", "items", "maxItems"),
            n => Post("/v1/lookup", new { items = Enumerable.Repeat(new { kind = "phone", value = Number }, (int)n) }), "too_many_items"),
        ["a protection's reason"] = new(Roles.Admin, Schema("ProtectRequest", "reason", "maxLength"),
            n => Post("/v1/protected", new { kind = "domain", value = $"bank{n}.example", reason = Text(n) }), "invalid_reason"),
        ["a key's name"] = new(Roles.Admin, Schema("CreateKeyRequest", "name", "maxLength"),
            n => Post("/v1/keys", new { name = Text(n), role = "app" }), KeyProblemCodes.InvalidName),
        ["an appeal's statement"] = new(Roles.Anonymous, Schema("AppealRequest", "statement", "maxLength"),
            n => Post("/v1/appeals", new { kind = "phone", value = Number, appellant = new { name = "Li Wei", contact = "li.wei@example.com" }, statement = Text(n) }), "field_too_long"),
        ["the entry search text"] = new(Roles.Reviewer, Parameter("/v1/entries", "get", "q", "maxLength"),
            n => new HttpRequestMessage(HttpMethod.Get, "/v1/entries?q=" + Text(n)), "invalid_query"),
        ["a feed page's size"] = new(Roles.App, Parameter("/v1/feed/changes", "get", "limit", "maximum"),
            n => new HttpRequestMessage(HttpMethod.Get, $"/v1/feed/changes?since=0&limit={n}"), "invalid_limit"),
        ["a report queue page's size"] = new(Roles.Reviewer, Parameter("/v1/reports", "get", "pageSize", "maximum"),
            n => new HttpRequestMessage(HttpMethod.Get, $"/v1/reports?pageSize={n}"), "invalid_page"),
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public async Task TheDocumentedLimitIsAcceptedAndOneOverItIsRefused(string field)
    {
        var limitCase = Cases[field];
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "other", "high"));
        using var client = limitCase.Role == Roles.Anonymous ? app.CreateClient() : app.CreateClient(await app.CreateKeyAsync(limitCase.Role));
        var limit = limitCase.Limit(await DocumentAsync(client));

        using var atLimit = await client.SendAsync(limitCase.Request(limit));
        var body = await atLimit.Content.ReadAsStringAsync();
        Assert.True(atLimit.IsSuccessStatusCode, $"{field} of {limit} (the documented limit) got {(int)atLimit.StatusCode}: {body}");

        using var overLimit = await client.SendAsync(limitCase.Request(limit + 1));
        await Problem.AssertAsync(overLimit, HttpStatusCode.BadRequest, limitCase.Code);
    }

    [Fact]
    public async Task TheDocumentedAppealTokenLimitAndPatternHoldEveryTokenIssuedAndItsOldForm()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        await app.PublishAsync(("phone", Number, "other", "high"));
        using var client = app.CreateClient();
        var limit = Parameter("/v1/appeals/{trackingCode}", "get", "X-Appeal-Token", "maxLength")(await DocumentAsync(client));

        var created = await client.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone", value = Number, appellant = new { name = "Li Wei", contact = "li.wei@example.com" }, statement = "It is my number.",
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        Assert.True(token.Length <= limit, $"{token} is longer than the documented {limit}");
        var pattern = (await DocumentAsync(client))["paths"]!["/v1/appeals/{trackingCode}"]!["get"]!["parameters"]!.AsArray()
            .Single(p => p!["name"]!.GetValue<string>() == "X-Appeal-Token")!["schema"]!["pattern"]!.GetValue<string>();
        foreach (var typed in new[] { token, token.ToLowerInvariant().Replace('-', ' '), "at_Zx0lO1Il-_q9kWm3Rt7yPb2Nc4Vd6Hs8" })
        {
            Assert.Matches(pattern, typed);
        }
    }

    [Fact]
    public async Task AnInvalidKeyIsRefusedWithTheDeclared401EvenWhereNoKeyIsNeeded()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        using var client = app.CreateClient("fk_not_a_key_at_all");
        var document = await DocumentAsync(app.CreateClient());

        foreach (var path in new[] { "/health/live", "/v1/stats", "/v1/lookup/phone?value=13800138000" })
        {
            var operation = path.Split('?')[0] == "/v1/lookup/phone" ? "/v1/lookup/{kind}" : path;
            Assert.NotNull(document["paths"]![operation]!["get"]!["responses"]!["401"]);
            await Problem.AssertAsync(await client.GetAsync(path), HttpStatusCode.Unauthorized, KeyProblemCodes.InvalidApiKey);
        }
    }

    [Fact]
    public async Task RefusalsPastTheRateLimiterCarryTheRateLimitHeadersAndAuthenticationRefusalsDoNot()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        using var reviewer = app.CreateClient(await app.CreateKeyAsync(Roles.Reviewer));
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));
        var document = await DocumentAsync(reviewer);

        // A 404 from the handler and a 400 thrown to the exception handler (which clears the response's headers).
        var notFound = await reviewer.GetAsync("/v1/entries/987654");
        await Problem.AssertAsync(notFound, HttpStatusCode.NotFound, "not_found");
        Assert.NotNull(document["paths"]!["/v1/entries/{id}"]!["get"]!["responses"]!["404"]!["headers"]!["RateLimit"]);
        Assert.True(notFound.Headers.Contains("RateLimit") && notFound.Headers.Contains("RateLimit-Policy"));

        var invalid = await admin.PostAsJsonAsync("/v1/protected", new { kind = "domain", value = "bank.example", reason = new string('r', 501) });
        await Problem.AssertAsync(invalid, HttpStatusCode.BadRequest, "invalid_reason");
        Assert.NotNull(document["paths"]!["/v1/protected"]!["post"]!["responses"]!["400"]!["headers"]!["RateLimit"]);
        Assert.True(invalid.Headers.Contains("RateLimit"));

        // Refused before the limiter: the document does not claim the headers on these.
        var forbidden = await reviewer.GetAsync("/v1/keys");
        await Problem.AssertAsync(forbidden, HttpStatusCode.Forbidden, KeyProblemCodes.WrongRole);
        Assert.Null(document["paths"]!["/v1/keys"]!["get"]!["responses"]!["403"]!["headers"]);
        Assert.False(forbidden.Headers.Contains("RateLimit"));
    }

    private static HttpRequestMessage Post(string path, object body) => new(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    private static string Text(long length) => new('a', (int)length);

    private static Func<JsonNode, long> Schema(string schema, string property, string keyword) =>
        document => document["components"]!["schemas"]![schema]!["properties"]![property]![keyword]!.GetValue<long>();

    private static Func<JsonNode, long> Parameter(string path, string method, string name, string keyword) =>
        document => document["paths"]![path]![method]!["parameters"]!.AsArray()
            .Single(p => (string?)p!["name"] == name)!["schema"]![keyword]!.GetValue<long>();

    private static async Task<JsonNode> DocumentAsync(HttpClient client) =>
        JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
}
