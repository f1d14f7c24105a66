using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Problems;
using FlagApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests.Resilience;

/// <summary>A SQLite file that another process holds locked: writes answer 503 until the lock is released.</summary>
public sealed class SqliteLockTests
{
    [Fact]
    public async Task WritesToADatabaseLockedByAnotherConnectionAnswer503AndWorkOnceTheLockIsReleased()
    {
        var connectionString = await new SqliteTarget().CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["Database:SqliteBusyTimeout"] = "00:00:00.200", ["Database:RetryAfterSeconds"] = "3" };

        // Default Timeout bounds Microsoft.Data.Sqlite's own retries of a busy statement (30 s unless set).
        await using var app = new FlagApiFactory(DatabaseProvider.Sqlite, connectionString + ";Default Timeout=1", settings);
        _ = app.Server;
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", "Test police"));
        using var client = app.CreateClient();

        await using (var holder = new SqliteConnection(connectionString))
        {
            await holder.OpenAsync();
            await using (var exclusive = holder.CreateCommand())
            {
                exclusive.CommandText = "PRAGMA busy_timeout = 0; BEGIN EXCLUSIVE;";
                await exclusive.ExecuteNonQueryAsync();
            }

            var report = await client.PostAsJsonAsync("/v1/reports", Report("13900000001"));
            await Problem.AssertAsync(report, HttpStatusCode.ServiceUnavailable, ProblemCodes.DatabaseUnavailable);
            Assert.Equal("3", report.Headers.GetValues("Retry-After").Single());
            var batch = await publisher.PostAsJsonAsync("/v1/batches/", Batch("13700000001"));
            await Problem.AssertAsync(batch, HttpStatusCode.ServiceUnavailable, ProblemCodes.DatabaseUnavailable);

            var lookup = await client.GetFromJsonAsync<JsonElement>("/v1/lookup/phone?value=13800138000");
            Assert.Equal("flagged", lookup.GetProperty("verdict").GetString());

            await using var release = holder.CreateCommand();
            release.CommandText = "ROLLBACK";
            await release.ExecuteNonQueryAsync();
        }

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/v1/reports", Report("13900000002"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await publisher.PostAsJsonAsync("/v1/batches/", Batch("13700000002"))).StatusCode);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(["+8613900000002"], await db.Reports.Select(r => r.Value).ToListAsync());
        Assert.Equal(["lock-13700000002"], await db.Lists.Where(l => l.Reference.StartsWith("lock-")).Select(l => l.Reference).ToListAsync());
        Assert.Equal(["+8613700000002", "+8613800138000"], await db.Entries.Select(e => e.Value).OrderBy(v => v).ToListAsync());
        Assert.Equal(["ok"], await db.Database.SqlQuery<string>($"SELECT integrity_check AS Value FROM pragma_integrity_check").ToListAsync());
    }

    private static object Report(string number) => new { kind = "phone", value = number, description = "Called about a parcel." };

    private static object Batch(string number) => new
    {
        reference = "lock-" + number,
        entries = new[] { new { kind = "phone", value = number, category = "other", risk = "high" } },
    };
}
