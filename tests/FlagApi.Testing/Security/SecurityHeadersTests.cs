using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlagApi.Data;
using FlagApi.Problems;
using FlagApi.Security;
using FlagApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace FlagApi.Tests.Security;

public abstract class SecurityHeadersTests(DatabaseTarget target)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Limits:MaxBatchLookupBodyBytes"] = "2048",
        ["Metrics:Enabled"] = "true",

        // The only limit this test spends; the others stay at the shipped values, far above what it sends.
        ["RateLimiting:Tiers:anonymous:Report:PermitLimit"] = "1",
    };

    [Fact]
    public async Task EveryStatusClassCarriesTheSecurityHeadersAndNoServerHeader()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, Settings);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        var admin = app.CreateClient(await app.CreateKeyAsync("admin"));
        var appKey = app.CreateClient(await app.CreateKeyAsync("app"));
        using var anonymous = app.CreateClient();
        var revoked = await app.CreateKeyAsync("app", name: "to revoke");
        var revokedId = (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/v1/keys")).GetProperty("keys").EnumerateArray()
            .First(k => k.GetProperty("name").GetString() == "to revoke").GetProperty("id").GetInt64();
        var hashes = await anonymous.GetAsync("/v1/hashes/00000");

        var samples = new List<(string What, HttpStatusCode Status, Func<Task<HttpResponseMessage>> Send)>
        {
            ("lookup", HttpStatusCode.OK, () => anonymous.GetAsync("/v1/lookup/phone?value=13800138000")),
            ("batch lookup", HttpStatusCode.OK, () => anonymous.PostAsJsonAsync("/v1/lookup", new { items = new[] { new { kind = "phone", value = "13800138000" } } })),
            ("the feed", HttpStatusCode.OK, () => appKey.GetAsync("/v1/feed/changes?since=0")),
            ("stats", HttpStatusCode.OK, () => anonymous.GetAsync("/v1/stats")),
            ("liveness", HttpStatusCode.OK, () => anonymous.GetAsync("/health/live")),
            ("readiness", HttpStatusCode.OK, () => anonymous.GetAsync("/health/ready")),
            ("metrics", HttpStatusCode.OK, () => anonymous.GetAsync("/metrics")),
            ("the OpenAPI document", HttpStatusCode.OK, () => anonymous.GetAsync("/openapi/v1.json")),
            ("a key", HttpStatusCode.Created, () => admin.PostAsJsonAsync("/v1/keys", new { name = "sample", role = "app" })),
            ("a report", HttpStatusCode.Accepted, () => anonymous.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "13900000001", description = "Called about a parcel." })),
            ("a revocation", HttpStatusCode.NoContent, () => admin.DeleteAsync($"/v1/keys/{revokedId}")),
            ("a hash prefix not modified", HttpStatusCode.NotModified, () => Send(anonymous, HttpMethod.Get, "/v1/hashes/00000", ("If-None-Match", hashes.Headers.ETag!.ToString()))),
            ("an invalid phone", HttpStatusCode.BadRequest, () => anonymous.GetAsync("/v1/lookup/phone?value=abc")),
            ("invalid JSON", HttpStatusCode.BadRequest, () => anonymous.PostAsync("/v1/lookup", new StringContent("{", Encoding.UTF8, "application/json"))),
            ("no key", HttpStatusCode.Unauthorized, () => anonymous.GetAsync("/v1/keys")),
            ("a revoked key", HttpStatusCode.Unauthorized, () => Send(anonymous, HttpMethod.Get, "/v1/lookup/phone?value=13800138000", ("X-Api-Key", revoked))),
            ("a wrong role", HttpStatusCode.Forbidden, () => appKey.GetAsync("/v1/keys")),
            ("an unknown path", HttpStatusCode.NotFound, () => anonymous.GetAsync("/no/such/path")),
            ("an unknown appeal", HttpStatusCode.NotFound, () => anonymous.GetAsync("/v1/appeals/AP-0000-0000")),
            ("a wrong method", HttpStatusCode.MethodNotAllowed, () => anonymous.DeleteAsync("/v1/lookup/phone")),
            ("a body too large", HttpStatusCode.RequestEntityTooLarge, () => anonymous.PostAsync("/v1/lookup", new StringContent(new string(' ', 4096), Encoding.UTF8, "application/json"))),
            ("a wrong media type", HttpStatusCode.UnsupportedMediaType, () => anonymous.PostAsync("/v1/lookup", new StringContent("items", Encoding.UTF8, "text/plain"))),
            ("a spent rate limit", HttpStatusCode.TooManyRequests, () => anonymous.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "13900000002", description = "Called about a parcel." })),
        };

        foreach (var (what, status, send) in samples)
        {
            var response = await send();
            Assert.True(status == response.StatusCode, $"{what}: expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            SecurityHeaderAssert.Api(response, what);
            if ((int)status >= 400)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{what}: not problem details");
            }
        }
    }

    [Fact]
    public async Task AnswersHoldingSecretsOrPersonalDataAreNeverStoredByACache()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        var admin = app.CreateClient(await app.CreateKeyAsync("admin"));
        var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        using var anonymous = app.CreateClient();
        var png = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]);
        var appeal = await AppealApi.FileAsync(app, "13800138000", attachments: [new { fileName = "id.png", contentBase64 = png }]);
        var detail = await AppealApi.ReviewerViewAsync(reviewer, appeal.Id);
        var attachmentId = detail.Json.GetProperty("attachments")[0].GetProperty("id").GetInt64();
        await anonymous.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "13900000001", description = "Called about a parcel." });

        var sensitive = new List<(string What, Func<Task<HttpResponseMessage>> Send)>
        {
            ("a new key's secret", () => admin.PostAsJsonAsync("/v1/keys", new { name = "sample", role = "app" })),
            ("the key list", () => admin.GetAsync("/v1/keys")),
            ("a new appeal's token", () => anonymous.PostAsJsonAsync("/v1/appeals", new
            {
                kind = "phone", value = "13800138000", appellant = new { name = "李雷", contact = "lilei@example.com" }, statement = "这是我的号码。", evidence = Array.Empty<object>(),
            })),
            ("the appellant's view", () => Send(anonymous, HttpMethod.Get, $"/v1/appeals/{appeal.Code}", ("X-Appeal-Token", appeal.Token))),
            ("the appellant's message", () => Send(anonymous, HttpMethod.Post, $"/v1/appeals/{appeal.Code}/messages", ("X-Appeal-Token", appeal.Token), new { message = "我补充一下。" })),
            ("the appeal queue", () => reviewer.GetAsync("/v1/review/appeals")),
            ("the reviewer's appeal", () => reviewer.GetAsync($"/v1/review/appeals/{appeal.Id}")),
            ("an attachment", () => reviewer.GetAsync($"/v1/review/appeals/{appeal.Id}/attachments/{attachmentId}")),
            ("the report queue", () => reviewer.GetAsync("/v1/reports")),
            ("the entries", () => reviewer.GetAsync("/v1/entries")),
        };

        foreach (var (what, send) in sensitive)
        {
            var response = await send();
            Assert.True(response.IsSuccessStatusCode, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what}: Cache-Control is '{response.Headers.CacheControl}', not no-store");
        }
    }

    [Fact]
    public async Task PublicAnswersMeantForCachesKeepTheirOwnCachePolicy()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var anonymous = app.CreateClient();

        var hashes = await anonymous.GetAsync("/v1/hashes/00000");
        var page = await anonymous.GetAsync("/");

        Assert.True(hashes.Headers.CacheControl is { Public: true, NoStore: false }, $"hashes: {hashes.Headers.CacheControl}");
        Assert.True(page.Headers.CacheControl is { NoCache: true, NoStore: false }, $"portal: {page.Headers.CacheControl}");
    }

    [Fact]
    public async Task ThePortalKeepsItsOwnPolicyAndSwaggerUiGetsOneThatLetsItRun()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var anonymous = app.CreateClient();

        var page = await anonymous.GetAsync("/review");
        var swagger = await anonymous.GetAsync("/swagger/index.html");
        var swaggerScript = await anonymous.GetAsync("/swagger/index.js");

        Assert.Equal(FlagApi.Portal.PortalSite.ContentSecurityPolicy, string.Join("; ", page.Headers.GetValues("Content-Security-Policy")));
        SecurityHeaderAssert.Common(page, "portal");
        foreach (var response in new[] { swagger, swaggerScript })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(SecurityHeaders.SwaggerContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            SecurityHeaderAssert.Common(response, "swagger");
        }
    }

    [Fact]
    public async Task StrictTransportSecurityIsSentOnlyOverHttps()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var http = app.CreateClient();
        using var https = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });

        var plain = await http.GetAsync("/v1/lookup/phone?value=13800138000");
        var secure = await https.GetAsync("/v1/lookup/phone?value=13800138000");
        var secureProblem = await https.GetAsync("/no/such/path");

        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(SecurityHeaders.StrictTransportSecurity, secure.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.Equal(SecurityHeaders.StrictTransportSecurity, secureProblem.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task KestrelSendsNoServerHeaderEvenOnAnErrorItRaisesBeforeThePipeline()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(target);
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseAddress) };

        var ok = await client.GetAsync("/health/live");
        var notFound = await client.GetAsync("/no/such/path");
        using var tooLong = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        tooLong.Headers.TryAddWithoutValidation("X-Padding", new string('a', 64 * 1024));
        var refusedByKestrel = await client.SendAsync(tooLong);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        SecurityHeaderAssert.Api(ok, "liveness over Kestrel");
        SecurityHeaderAssert.Api(notFound, "404 over Kestrel");
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, refusedByKestrel.StatusCode);
        Assert.False(refusedByKestrel.Headers.Contains("Server"));
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, (string Name, string Value) header, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request);
    }
}

/// <summary>The headers <see cref="SecurityHeaders"/> puts on every response.</summary>
internal static class SecurityHeaderAssert
{
    public static void Api(HttpResponseMessage response, string what = "response")
    {
        Common(response, what);
        Assert.True(
            Header(response, "Content-Security-Policy") == SecurityHeaders.ApiContentSecurityPolicy,
            $"{what}: Content-Security-Policy is '{Header(response, "Content-Security-Policy")}'");
    }

    public static void Common(HttpResponseMessage response, string what)
    {
        Assert.True(Header(response, "X-Content-Type-Options") == "nosniff", $"{what}: X-Content-Type-Options is '{Header(response, "X-Content-Type-Options")}'");
        Assert.True(Header(response, "X-Frame-Options") == "DENY", $"{what}: X-Frame-Options is '{Header(response, "X-Frame-Options")}'");
        Assert.True(Header(response, "Referrer-Policy") == "no-referrer", $"{what}: Referrer-Policy is '{Header(response, "Referrer-Policy")}'");
        Assert.True(Header(response, "Cross-Origin-Resource-Policy") == "same-origin", $"{what}: Cross-Origin-Resource-Policy is '{Header(response, "Cross-Origin-Resource-Policy")}'");
        Assert.True(response.Headers.CacheControl is not null, $"{what}: no Cache-Control");
        Assert.False(response.Headers.Contains("Server"), $"{what}: has a Server header");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;
}
