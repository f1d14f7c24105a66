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
