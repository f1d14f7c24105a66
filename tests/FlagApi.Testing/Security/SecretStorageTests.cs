using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using FlagApi.Data;
using FlagApi.Keys;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests.Security;

/// <summary>docs/product.md: secrets (API keys, appeal tokens) are stored only as hashes; keys are matched in constant time.</summary>
public abstract class SecretStorageTests(DatabaseTarget target)
{
    private const string BootstrapSecret = "operator-chosen-admin-key-0123456789";

    [Fact]
    public async Task NoTableHoldsAKeyOrAnAppealTokenOnlyTheirHashes()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Bootstrap:AdminKey"] = BootstrapSecret });
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"));
        List<string> secrets = [BootstrapSecret];
        foreach (var (role, agency) in new[] { ("app", (string?)null), ("publisher", "Test police"), ("reviewer", null), ("admin", null) })
        {
            using var admin = app.CreateClient(BootstrapSecret);
            var created = await admin.PostAsJsonAsync("/v1/keys", new { name = $"storage {role}", role, agency });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            secrets.Add((await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("key").GetString()!);
        }

        var appeal = await AppealApi.FileAsync(app, "13800138000");
        secrets.Add(appeal.Token);
        using (var appellant = app.CreateClient())
        {
            appellant.DefaultRequestHeaders.Add("X-Appeal-Token", appeal.Token);
            Assert.Equal(HttpStatusCode.OK, (await appellant.GetAsync($"/v1/appeals/{appeal.Code}")).StatusCode);
        }

        var stored = await EveryStoredValueAsync(app);
        Assert.NotEmpty(stored);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(stored, value => value.Contains(secret, StringComparison.Ordinal));
            Assert.Contains(Sha256Hex(secret), stored);
        }
    }

    [Fact]
    public async Task KeysSharingAPrefixAreEachFoundOnlyByTheirOwnSecret()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        // Operator-chosen keys show only 4 characters as their prefix, so two such keys can share one.
        const string first = "same-prefix-admin-key-number-one";
        const string second = "same-prefix-reviewer-key-number-two";
        await StoreKeyAsync(app, first, "admin", ApiKeySecrets.Prefix(first));
        await StoreKeyAsync(app, second, "reviewer", ApiKeySecrets.Prefix(second));
        Assert.Equal(ApiKeySecrets.Prefix(first), ApiKeySecrets.Prefix(second));

        using (var admin = app.CreateClient(first))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/keys")).StatusCode);
        }

        using (var reviewer = app.CreateClient(second))
        {
            await Problem.AssertAsync(await reviewer.GetAsync("/v1/keys"), HttpStatusCode.Forbidden, KeyProblemCodes.WrongRole);
            Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync("/v1/reports")).StatusCode);
        }

        using var guess = app.CreateClient("same-prefix-admin-key-number-two");
        await Problem.AssertAsync(await guess.GetAsync("/v1/lookup/phone?value=13800138000"), HttpStatusCode.Unauthorized, KeyProblemCodes.InvalidApiKey);
    }

    [Fact]
    public async Task OperatorKeyStoredWithTheEarlierElevenCharacterPrefixStillAuthenticates()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await StoreKeyAsync(app, BootstrapSecret, "admin", BootstrapSecret[..ApiKeySecrets.PrefixLength]);

        using var admin = app.CreateClient(BootstrapSecret);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task AWrongAppealTokenIsRefusedLikeAnUnknownCode()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"));
        var appeal = await AppealApi.FileAsync(app, "13800138000");

        var nearMiss = appeal.Token[..^1] + (appeal.Token[^1] == 'A' ? 'B' : 'A');
        var wrongToken = await TrackAsync(app, appeal.Code, nearMiss);
        var unknownCode = await TrackAsync(app, "AP-3333-3333", appeal.Token);

        Assert.Equal(unknownCode.Status, wrongToken.Status);
        Assert.Equal(unknownCode.Code, wrongToken.Code);
        Assert.Equal(unknownCode.Body.Replace("AP-3333-3333", appeal.Code, StringComparison.Ordinal).Length, wrongToken.Body.Replace(nearMiss, appeal.Token, StringComparison.Ordinal).Length);
    }

    private static async Task<(HttpStatusCode Status, string? Code, string Body)> TrackAsync(FlagApiFactory app, string code, string token)
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Appeal-Token", token);
        var response = await client.GetAsync($"/v1/appeals/{code}");
        var body = await response.Content.ReadAsStringAsync();
        var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
        var traceId = problem.TryGetProperty("traceId", out var trace) ? trace.GetString() ?? "" : "";
        return (response.StatusCode, problem.TryGetProperty("code", out var c) ? c.GetString() : null, body.Replace(traceId, "", StringComparison.Ordinal));
    }

    private static async Task StoreKeyAsync(FlagApiFactory app, string secret, string role, string prefix)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        db.ApiKeys.Add(new ApiKey
        {
            Name = $"stored {role}",
            Role = role,
            Prefix = prefix,
            KeyHash = ApiKeySecrets.Hash(secret),
            CreatedAt = DateTime.UtcNow,
            CreatedBy = "test",
        });
        await db.SaveChangesAsync();
        await app.Services.GetRequiredService<KeyStore>().ReloadAsync();
    }

    /// <summary>Every value of every row of every table, as text (blobs read as UTF-8 too).</summary>
    private static async Task<List<string>> EveryStoredValueAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = db.Database.IsNpgsql()
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("api_keys", tables);
        Assert.Contains("appeals", tables);
        var values = new List<string>();
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    values.Add(Text(reader, i));
                }
            }
        }

        return values;
    }

    private static string Text(DbDataReader reader, int column) => reader.GetValue(column) switch
    {
        DBNull => "",
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static string Sha256Hex(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
