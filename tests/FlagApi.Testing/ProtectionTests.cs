using FlagApi.Problems;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Keys;
using FlagApi.Protection;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

/// <summary>Protected identifiers as admins manage them, publishers meet them and lookups show them.</summary>
public abstract class ProtectionTests(DatabaseTarget target)
{
    [Fact]
    public async Task FreshDatabaseHoldsTheWholeStartingAllowlist()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        var listed = new List<JsonElement>();
        long? after = 0;
        while (after is { } from)
        {
            var page = await GetOkAsync(admin, $"/v1/protected?after={from}&limit=40");
            listed.AddRange(page.GetProperty("items").EnumerateArray());
            after = page.GetProperty("nextAfter").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextAfter").GetInt64();
        }

        var seed = StartingAllowlist.Seed(DatabaseProvider.Sqlite);
        Assert.Equal(seed.Count, listed.Count);
        Assert.All(listed, item => Assert.Equal("seed", item.GetProperty("createdBy").GetString()));
        var cmb = Assert.Single(listed, item => item.GetProperty("value").GetString() == "+8695555");
        Assert.Equal("phone", cmb.GetProperty("kind").GetString());
        Assert.Equal("95555", cmb.GetProperty("display").GetString());
        Assert.Contains("招商银行", cmb.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(listed, item => item.GetProperty("kind").GetString() == "domain" && item.GetProperty("value").GetString() == "github.io");
    }

    [Fact]
    public async Task ListFilteredByKindHoldsOnlyThatKind()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        var page = await GetOkAsync(admin, "/v1/protected?kind=domain&limit=1000");

        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, item => Assert.Equal("domain", item.GetProperty("kind").GetString()));
        Assert.Equal(JsonValueKind.Null, page.GetProperty("nextAfter").ValueKind);
    }

    [Fact]
    public async Task ListRowForAProtectedServiceNumberIsRefusedAndNothingIsWritten()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        var outcome = await app.PublishAsync(("phone", "13800138000", "other", "high"), ("phone", "95555", "fake_customer_service", "high"));

        Assert.False(outcome.Succeeded);
        var error = Assert.Single(outcome.Validation.Errors);
        Assert.Equal(ProtectionProblemCodes.ProtectedIdentifier, error.Code);
        Assert.Contains("+8695555", error.Detail, StringComparison.Ordinal);
        Assert.Contains("招商银行", error.Detail, StringComparison.Ordinal);
        Assert.Contains("unless an admin overrides protection for this entry", error.Detail, StringComparison.Ordinal);
        Assert.Equal("clear", (await LookupAsync(app, "phone", "13800138000")).GetProperty("verdict").GetString());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(0, await db.Entries.CountAsync());
        Assert.Equal(0, await db.Lists.CountAsync());
    }

    [Fact]
    public async Task WholePlatformDomainIsRefusedButASubdomainOnItIsFlagged()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        var platform = await app.PublishAsync(("domain", "GitHub.com", "other", "high"));
        var subdomain = await app.PublishAsync(("domain", "evil.github.io", "task_brushing", "high"));

        Assert.Equal(ProtectionProblemCodes.ProtectedIdentifier, Assert.Single(platform.Validation.Errors).Code);
        Assert.True(subdomain.Succeeded);
        var lookup = await LookupAsync(app, "domain", "evil.github.io");
        Assert.Equal("flagged", lookup.GetProperty("verdict").GetString());
        Assert.Equal("github.io", lookup.GetProperty("protected").GetProperty("value").GetString());
        Assert.Equal("clear", (await LookupAsync(app, "domain", "github.com")).GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task UrlForAWholeProtectedHostIsRefusedButASpecificPageIsFlagged()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        var wholeHost = await app.PublishAsync(("url", "https://github.com/", "other", "high"));
        var page = await app.PublishAsync(("url", "https://github.com/evil/repo", "investment_romance", "high"));

        var error = Assert.Single(wholeHost.Validation.Errors);
        Assert.Equal(ProtectionProblemCodes.ProtectedIdentifier, error.Code);
        Assert.Contains("github.com", error.Detail, StringComparison.Ordinal);
        Assert.True(page.Succeeded);
        var lookup = await LookupAsync(app, "url", "https://github.com/evil/repo");
        Assert.Equal("flagged", lookup.GetProperty("verdict").GetString());
        Assert.Equal("github.com", lookup.GetProperty("protected").GetProperty("value").GetString());
        Assert.Equal("clear", (await LookupAsync(app, "url", "https://github.com/torvalds/linux")).GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task AfterAnAdminOverridesTheEntryTheSameRowPublishes()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));
        Assert.False((await app.PublishAsync(("phone", "95555", "fake_customer_service", "high"))).Succeeded);

        var response = await admin.PostAsJsonAsync("/v1/protected/overrides",
            new { kind = "phone", value = "+86 95555", reason = "Case 2026-118: this caller spoofs the number; confirmed by the carrier" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("+8695555", created.GetProperty("value").GetString());
        Assert.Equal("+8695555", created.GetProperty("protection").GetProperty("value").GetString());
        Assert.Equal($"/v1/protected/overrides/{created.GetProperty("id").GetInt64()}", response.Headers.Location?.OriginalString);
        Assert.True((await app.PublishAsync(("phone", "95555", "fake_customer_service", "high"))).Succeeded);
        var lookup = await LookupAsync(app, "phone", "95555");
        Assert.Equal("flagged", lookup.GetProperty("verdict").GetString());
        Assert.Equal("+8695555", lookup.GetProperty("protected").GetProperty("value").GetString());
        var overrides = await GetOkAsync(admin, "/v1/protected/overrides");
        Assert.Equal(created.GetProperty("id").GetInt64(), Assert.Single(overrides.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task RemovedOverrideRefusesTheEntryAgain()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));
        var created = await (await admin.PostAsJsonAsync("/v1/protected/overrides",
            new { kind = "domain", value = "qq.com", reason = "Court order 2026-7" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt64();

        var removed = await admin.DeleteAsync($"/v1/protected/overrides/{id}?reason={Uri.EscapeDataString("Order lifted")}");

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var outcome = await app.PublishAsync(("domain", "qq.com", "other", "high"));
        Assert.Equal(ProtectionProblemCodes.ProtectedIdentifier, Assert.Single(outcome.Validation.Errors).Code);
        Assert.Empty((await GetOkAsync(admin, "/v1/protected/overrides")).GetProperty("items").EnumerateArray());
        var record = await GetOkAsync(admin, $"/v1/protected/overrides/{id}");
        Assert.NotEqual(JsonValueKind.Null, record.GetProperty("removedAt").ValueKind);
        Assert.StartsWith("key ", record.GetProperty("removedBy").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LookupsSayWhenAnIdentifierIsProtected()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        var number = await LookupAsync(app, "phone", "95555");
        var page = await LookupAsync(app, "url", "https://github.com/x");
        var ordinary = await LookupAsync(app, "phone", "13800138000");

        Assert.Equal("clear", number.GetProperty("verdict").GetString());
        var protection = number.GetProperty("protected");
        Assert.Equal("phone", protection.GetProperty("kind").GetString());
        Assert.Equal("+8695555", protection.GetProperty("value").GetString());
        Assert.Equal("95555", protection.GetProperty("display").GetString());
        Assert.Contains("China Merchants Bank", protection.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("domain", page.GetProperty("protected").GetProperty("kind").GetString());
        Assert.Equal("github.com", page.GetProperty("protected").GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, ordinary.GetProperty("protected").ValueKind);
    }

    [Fact]
    public async Task BatchLookupSaysWhichItemsAreProtected()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/lookup", new
        {
            items = new[] { new { kind = "phone", value = "10086" }, new { kind = "phone", value = "13800138000" }, new { kind = "phone", value = "12" } },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("+8610086", results[0].GetProperty("protected").GetProperty("value").GetString());
        Assert.False(results[1].TryGetProperty("protected", out _));
        Assert.True(results[2].TryGetProperty("error", out _));
        Assert.False(results[2].TryGetProperty("protected", out _));
    }

    [Fact]
    public async Task AddedProtectionIsSeenAtOnceAndSoIsItsRemoval()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        var response = await admin.PostAsJsonAsync("/v1/protected", new { kind = "phone", value = "010-6512 3456", reason = "Municipal anti-fraud centre's public line" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal("+861065123456", created.GetProperty("value").GetString());
        Assert.Equal("010-6512 3456", created.GetProperty("display").GetString());
        Assert.Equal($"/v1/protected/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("+861065123456", (await LookupAsync(app, "phone", "+86 10 6512 3456")).GetProperty("protected").GetProperty("value").GetString());
        Assert.False((await app.PublishAsync(("phone", "01065123456", "other", "high"))).Succeeded);

        var removed = await admin.DeleteAsync($"/v1/protected/{id}?reason={Uri.EscapeDataString("Line retired")}");

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await LookupAsync(app, "phone", "01065123456")).GetProperty("protected").ValueKind);
        Assert.True((await app.PublishAsync(("phone", "01065123456", "other", "high"))).Succeeded);
        var record = await GetOkAsync(admin, $"/v1/protected/{id}");
        Assert.NotEqual(JsonValueKind.Null, record.GetProperty("removedAt").ValueKind);
        Assert.DoesNotContain((await GetOkAsync(admin, "/v1/protected?kind=phone&limit=1000")).GetProperty("items").EnumerateArray(),
            item => item.GetProperty("id").GetInt64() == id);
    }

    [Fact]
    public async Task SecondInstanceSeesANewProtectionWithinItsRefreshInterval()
    {
        await using var first = await FlagApiFactory.CreateAsync(target);
        await using var second = new FlagApiFactory(target.Provider, first.ConnectionString, new Dictionary<string, string?> { ["Protection:RefreshInterval"] = "00:00:00.200" });
        _ = second.Server;
        using var admin = first.CreateClient(await first.CreateKeyAsync(Roles.Admin));

        var response = await admin.PostAsJsonAsync("/v1/protected", new { kind = "app", value = "公安防骗", reason = "Provincial police app" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement lookup;
        do
        {
            await Task.Delay(100);
            lookup = await LookupAsync(second, "app", "公安防骗");
        }
        while (lookup.GetProperty("protected").ValueKind == JsonValueKind.Null && DateTime.UtcNow < deadline);

        Assert.Equal("公安防骗", lookup.GetProperty("protected").GetProperty("value").GetString());
    }

    [Fact]
    public async Task EveryChangeLeavesAnAuditRecordWithItsReason()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin, name: "Ops desk"));

        var protectedId = (await (await admin.PostAsJsonAsync("/v1/protected", new { kind = "domain", value = "example-bank.cn", reason = "reason one" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await admin.DeleteAsync($"/v1/protected/{protectedId}?reason=reason%20two");
        var overrideId = (await (await admin.PostAsJsonAsync("/v1/protected/overrides", new { kind = "phone", value = "10086", reason = "reason three" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await admin.DeleteAsync($"/v1/protected/overrides/{overrideId}?reason=reason%20four");

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var audit = await db.AuditLog.AsNoTracking()
            .Where(a => a.SubjectType == "protected_identifier" || a.SubjectType == "protection_override")
            .OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["protection.added", "protection.removed", "protection.override_added", "protection.override_removed"], audit.Select(a => a.Action));
        Assert.Equal([protectedId, protectedId, overrideId, overrideId], audit.Select(a => long.Parse(a.SubjectId, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(audit, a => Assert.EndsWith("(Ops desk)", a.Actor, StringComparison.Ordinal));
        Assert.Equal(["reason one", "reason two", "reason three", "reason four"],
            audit.Select(a => JsonDocument.Parse(a.Detail!).RootElement.GetProperty("reason").GetString()));
    }

    public static TheoryData<string, string> AdminEndpoints => new()
    {
        { "GET", "/v1/protected" },
        { "GET", "/v1/protected/1" },
        { "POST", "/v1/protected" },
        { "DELETE", "/v1/protected/1?reason=x" },
        { "GET", "/v1/protected/overrides" },
        { "GET", "/v1/protected/overrides/1" },
        { "POST", "/v1/protected/overrides" },
        { "DELETE", "/v1/protected/overrides/1?reason=x" },
    };

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task AdminEndpointsRefuseCallersWithoutAnAdminKey(string method, string path)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var anonymous = app.CreateClient();

        await Problem.AssertAsync(await anonymous.SendAsync(Request(method, path)), HttpStatusCode.Unauthorized, KeyProblemCodes.MissingApiKey);
        foreach (var role in new[] { Roles.App, Roles.Publisher, Roles.Reviewer })
        {
            using var client = app.CreateClient(await app.CreateKeyAsync(role, role == Roles.Publisher ? "Test police" : null));
            await Problem.AssertAsync(await client.SendAsync(Request(method, path)), HttpStatusCode.Forbidden, KeyProblemCodes.WrongRole);
        }
    }

    public static TheoryData<string, object, string> InvalidProtections => new()
    {
        { "/v1/protected", new { kind = "telephone", value = "95555", reason = "r" }, "unknown_kind" },
        { "/v1/protected", new { kind = "phone", value = "12", reason = "r" }, "invalid_phone" },
        { "/v1/protected", new { kind = "domain", value = "not a domain", reason = "r" }, "invalid_domain" },
        { "/v1/protected", new { kind = "phone", value = "95599" }, ProblemCodes.MissingReason },
        { "/v1/protected", new { kind = "phone", value = "95599", reason = "  " }, ProblemCodes.MissingReason },
        { "/v1/protected", new { kind = "phone", value = "13800138000", reason = new string('x', 501) }, ProtectionProblemCodes.InvalidReason },
        { "/v1/protected/overrides", new { kind = "url", value = "http:///", reason = "r" }, "invalid_url" },
        { "/v1/protected/overrides", new { kind = "phone", value = "95555", reason = "" }, ProblemCodes.MissingReason },
    };

    [Theory]
    [MemberData(nameof(InvalidProtections))]
    public async Task InvalidRequestIsABadRequestWithAStableCode(string path, object body, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        await Problem.AssertAsync(await admin.PostAsJsonAsync(path, body), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task ProtectingAProtectedIdentifierAgainIsAConflict()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        var problem = await Problem.AssertAsync(
            await admin.PostAsJsonAsync("/v1/protected", new { kind = "phone", value = "+86 95555", reason = "again" }), HttpStatusCode.Conflict, ProtectionProblemCodes.AlreadyProtected);

        Assert.Contains("+8695555", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverridingAnEntryNothingProtectsIsAConflict()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        await Problem.AssertAsync(
            await admin.PostAsJsonAsync("/v1/protected/overrides", new { kind = "domain", value = "evil.github.io", reason = "typo" }), HttpStatusCode.Conflict, ProtectionProblemCodes.NotProtected);
    }

    [Theory]
    [InlineData("domain", "github.io")]
    [InlineData("domain", "COM.CN")]
    [InlineData("url", "https://blogspot.com/")]
    public async Task APublicSuffixCannotBeOverriddenAndStaysRefused(string kind, string value)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        var problem = await Problem.AssertAsync(
            await admin.PostAsJsonAsync("/v1/protected/overrides", new { kind, value, reason = "Court order 2026-9" }), HttpStatusCode.Conflict, ProtectionProblemCodes.ProtectedIdentifier);

        Assert.Contains("no override can let a public suffix be flagged", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await GetOkAsync(admin, "/v1/protected/overrides")).GetProperty("items").EnumerateArray());
        var outcome = await app.PublishAsync((kind, value, "other", "high"));
        Assert.Equal(ProtectionProblemCodes.ProtectedIdentifier, Assert.Single(outcome.Validation.Errors).Code);
    }

    [Fact]
    public async Task OverridingAnOverriddenEntryAgainIsAConflict()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/protected/overrides", new { kind = "url", value = "https://github.com", reason = "first" })).StatusCode);

        await Problem.AssertAsync(
            await admin.PostAsJsonAsync("/v1/protected/overrides", new { kind = "url", value = "github.com/", reason = "second" }), HttpStatusCode.Conflict, ProtectionProblemCodes.AlreadyOverridden);
    }

    [Theory]
    [InlineData("/v1/protected/1")]
    [InlineData("/v1/protected/overrides/1")]
    public async Task RemovalWithoutAReasonIsABadRequest(string path)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        await Problem.AssertAsync(await admin.DeleteAsync(path), HttpStatusCode.BadRequest, ProblemCodes.MissingReason);
    }

    [Theory]
    [InlineData("DELETE", "/v1/protected/999999?reason=x")]
    [InlineData("DELETE", "/v1/protected/overrides/999999?reason=x")]
    [InlineData("GET", "/v1/protected/999999")]
    [InlineData("GET", "/v1/protected/overrides/999999")]
    public async Task UnknownIdIsNotFound(string method, string path)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        await Problem.AssertAsync(await admin.SendAsync(Request(method, path)), HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("/v1/protected?limit=0", "invalid_parameter")]
    [InlineData("/v1/protected?limit=1001", "invalid_parameter")]
    [InlineData("/v1/protected?after=-1", "invalid_parameter")]
    [InlineData("/v1/protected?kind=Phone", "unknown_kind")]
    [InlineData("/v1/protected/overrides?kind=number", "unknown_kind")]
    public async Task BadPagingParametersAreABadRequest(string path, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var admin = app.CreateClient(await app.CreateKeyAsync(Roles.Admin));

        await Problem.AssertAsync(await admin.GetAsync(path), HttpStatusCode.BadRequest, code);
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method == "POST" ? JsonContent.Create(new { kind = "phone", value = "95555", reason = "r" }) : null,
    };

    private static async Task<JsonElement> GetOkAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<JsonElement> LookupAsync(FlagApiFactory app, string kind, string value)
    {
        using var client = app.CreateClient();
        return await GetOkAsync(client, $"/v1/lookup/{kind}?value={Uri.EscapeDataString(value)}");
    }
}
