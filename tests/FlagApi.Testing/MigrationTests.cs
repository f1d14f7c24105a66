using System.Data.Common;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlagApi.Tests;

public abstract class MigrationTests(DatabaseTarget target)
{
    [Fact]
    public async Task DatabaseCreatedByTheFirstMigrationUpgradesWithItsDataIntact()
    {
        var connectionString = await target.CreateDatabaseAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Database:Provider"] = target.Provider.ToString();
        builder.Configuration["ConnectionStrings:FlagApi"] = connectionString;
        builder.AddFlagData();
        using (var host = builder.Build())
        {
            // The services of the data layer only, not the app: the schema goes to version 1, as the first release left it.
            await using var scope = host.Services.CreateAsyncScope();
            var migrator = scope.ServiceProvider.GetRequiredService<SchemaMigrator>();
            Assert.Equal(1, await migrator.MigrateAsync(targetVersion: 1));
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            await Execute(connection, "UPDATE list_state SET version = 2");
            await Execute(connection, """
                INSERT INTO entries (kind, value, display, category, risk, status, source, first_seen, last_seen, expires_at, version)
                VALUES ('phone', '+8613800138000', '138 0013 8000', 'impersonating_authorities', 'high', 'active', 'Shenzhen PSB list 2019-07', @at, @at, NULL, 1),
                       ('app', '云客服', '云客服', 'remote_control_app', 'high', 'cleared', 'Yunnan sweep', @at, @at, NULL, 2)
                """, at: new DateTime(2019, 7, 1, 8, 0, 0, DateTimeKind.Utc));
            await Execute(connection, """
                INSERT INTO change_log (version, entry_id, op, kind, value, category, risk, status, at)
                SELECT id, id, 'add', kind, value, category, risk, status, first_seen FROM entries
                """);
            await Execute(connection, """
                INSERT INTO entry_history (entry_id, version, at, actor, action, reason, before, after)
                SELECT id, id, first_seen, 'legacy', 'flagged', source, NULL, '{}' FROM entries
                """);
            await db.Database.CloseConnectionAsync();
        }

        await using var app = new FlagApiFactory(target.Provider, connectionString);
        _ = app.Server; // starting migrates to the latest version

        await using var check = app.Services.CreateAsyncScope();
        var migrated = check.ServiceProvider.GetRequiredService<FlagDbContext>();
        var latest = check.ServiceProvider.GetRequiredService<SchemaMigrator>();
        Assert.Equal(latest.LatestVersion, await latest.CurrentVersionAsync());
        var entries = await migrated.Entries.Include(e => e.Sources).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(2, entries.Count);
        Assert.Equal("+8613800138000", entries[0].Value);
        Assert.Equal("138 0013 8000", entries[0].Display);
        Assert.Equal(new DateTime(2019, 7, 1, 8, 0, 0, DateTimeKind.Utc), entries[0].FirstSeen);
        Assert.Equal("Shenzhen PSB list 2019-07", Assert.Single(entries[0].Sources).Label);
        Assert.Equal("legacy", entries[0].Sources[0].SourceType);
        Assert.Equal(Data.EntryStatus.Cleared, entries[1].Status);
        Assert.Equal(2, await migrated.ChangeLog.CountAsync());
        Assert.Equal(2, await migrated.EntryHistory.CountAsync());

        var lookup = await app.GetJsonAsync<System.Text.Json.JsonElement>("/v1/lookup/phone?value=13800138000");
        Assert.Equal("flagged", lookup.GetProperty("verdict").GetString());
        Assert.Equal(2, lookup.GetProperty("listVersion").GetInt64());
        var cleared = await app.GetJsonAsync<System.Text.Json.JsonElement>("/v1/lookup/app?value=云客服");
        Assert.Equal("cleared", cleared.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task StartWithoutMigratingRefusesASchemaThatIsBehind()
    {
        var connectionString = await target.CreateDatabaseAsync();
        await using var app = new FlagApiFactory(target.Provider, connectionString, new Dictionary<string, string?> { ["Database:MigrateOnStart"] = "false" });

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => Task.FromResult(app.Server));

        Assert.Contains("refusing to serve", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigratingTwiceAppliesNothingTheSecondTime()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await using var scope = app.Services.CreateAsyncScope();

        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().MigrateAsync());
    }

    [Fact]
    public async Task TheExpirySweepFindsDueEntriesThroughItsIndexNotByReadingEveryActiveEntry()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();

        // A list as lists are: thousands of active entries, one in a hundred with an expiry. The sweep runs every minute
        // under the list version lock; reading every active entry took 10 s of each minute at 50 M entries.
        await Execute(connection, target.Provider == DatabaseProvider.SqlServer
            ? """
              WITH n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
              INSERT INTO entries (kind, value, display, category, risk, status, first_seen, last_seen, expires_at, version)
              SELECT 'phone', CONCAT('+8613900', i), CONCAT('139 00', i), 'other', 'high', 'active', @at, @at,
                     CASE WHEN i % 100 = 0 THEN @at END, i
              FROM n
              OPTION (MAXRECURSION 0)
              """
            : """
              INSERT INTO entries (kind, value, display, category, risk, status, first_seen, last_seen, expires_at, version)
              WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
              SELECT 'phone', '+8613900' || i, '139 00' || i, 'other', 'high', 'active', @at, @at,
                     CASE WHEN i % 100 = 0 THEN @at END, i
              FROM n
              """, at: new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc));
        if (target.Provider == DatabaseProvider.Postgres)
        {
            // What autovacuum gives a real table; SQLite's planner works without statistics, as deployments run it.
            await Execute(connection, "ANALYZE entries");
        }

        if (target.Provider == DatabaseProvider.SqlServer)
        {
            // The estimated plan as XML, instead of running the statement: SHOWPLAN must be set in a batch of its own.
            await Execute(connection, "SET SHOWPLAN_XML ON");
        }

        await using var explain = connection.CreateCommand();
        explain.CommandText = target.Provider switch
        {
            DatabaseProvider.Sqlite => "EXPLAIN QUERY PLAN ",
            DatabaseProvider.Postgres => "EXPLAIN ",
            _ => string.Empty,
        } + Entries.LedgerTransaction.DueForExpirySql(target.Provider, 500);
        var now = explain.CreateParameter();
        now.ParameterName = "@now";
        now.Value = new DateTime(2026, 12, 5, 0, 0, 0, DateTimeKind.Utc);
        explain.Parameters.Add(now);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(reader.FieldCount - 1));
            }
        }

        var text = string.Join('\n', plan);
        Assert.Contains("ix_entries_status_expiry", text, StringComparison.Ordinal);
        switch (target.Provider)
        {
            case DatabaseProvider.Sqlite:
                // Both columns bound: the index on status alone, or this one used for status only, reads every active entry.
                Assert.Contains("(status=? AND expires_at", text, StringComparison.Ordinal);
                break;
            case DatabaseProvider.Postgres:
                Assert.DoesNotContain("Seq Scan", text, StringComparison.Ordinal);
                break;
            default:
                await Execute(connection, "SET SHOWPLAN_XML OFF");
                Assert.DoesNotContain("Clustered Index Scan", text, StringComparison.Ordinal);
                Assert.DoesNotContain("Table Scan", text, StringComparison.Ordinal);
                break;
        }
    }

    private static async Task Execute(DbConnection connection, string sql, DateTime? at = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (at is { } value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@at";
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }
}
