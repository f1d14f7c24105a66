using System.Net;
using System.Net.Http.Json;
using FlagApi.Data;
using FlagApi.Problems;
using FlagApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// A fault lifted file by file: the database file is writable again a moment before its write-ahead log. A connection
/// opened in that moment has a read-only log for life (SQLite opens a file it cannot write read-only, without an error);
/// pooled, as it is by default, it refused every later write until the process restarted.
/// </summary>
public sealed class SqliteReadOnlyLogTests
{
    [Fact]
    public async Task AConnectionOpenedWhileOnlyTheLogWasReadOnlyRefusesAtMostOneWriteAfterTheFaultIsLifted()
    {
        // Pooled, as a deployment's connection string is unless it says otherwise (the suite's own turns pooling off).
        var connectionString = new SqliteConnectionStringBuilder(await new SqliteTarget().CreateDatabaseAsync()) { Pooling = true };
        var file = connectionString.DataSource;
        string[] files = [file, file + "-wal"];
        await using var app = new FlagApiFactory(DatabaseProvider.Sqlite, connectionString.ToString());
        _ = app.Server;
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        Assert.True(File.Exists(files[1]), "The database runs in WAL mode, so it has a log beside it.");
        using var client = app.CreateClient();

        try
        {
            await LinuxOnly.ChattrAsync("+i", files);

            // The outage emptied the pool (connections that opened read-only are discarded), so the next write opens afresh.
            SqliteConnection.ClearAllPools();
            await LinuxOnly.ChattrAsync("-i", file);
            var refused = await client.PostAsJsonAsync("/v1/reports", Report("13900000001"));
            await Problem.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, ProblemCodes.DatabaseUnavailable);
        }
        finally
        {
            await LinuxOnly.ChattrAsync("-i", files);
        }

        // Each refused write lets go of the pool, so at most one write after the fault is lifted meets a connection that
        // opened with a read-only log (one the service opened for itself in the moment before the log was writable).
        var taken = await client.PostAsJsonAsync("/v1/reports", Report("13900000002"));
        if (taken.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            taken = await client.PostAsJsonAsync("/v1/reports", Report("13900000002"));
        }

        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        foreach (var number in new[] { "13900000003", "13900000004", "13900000005" })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/v1/reports", Report(number))).StatusCode);
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(["+8613900000002", "+8613900000003", "+8613900000004", "+8613900000005"], await db.Reports.Select(r => r.Value).OrderBy(v => v).ToListAsync());
        Assert.Equal(["ok"], await db.Database.SqlQuery<string>($"SELECT integrity_check AS Value FROM pragma_integrity_check").ToListAsync());
    }

    private static object Report(string number) => new { kind = "phone", value = number, description = "Called about a parcel." };
}
