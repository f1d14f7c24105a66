using System.Data.Common;
using System.Globalization;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using FlagApi.Tests.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlagApi.Tests;

/// <summary>
/// An instance whose data folder holds no snapshot file (a new instance of a scaled-out deployment) reads the snapshot
/// another instance published to the database and the changes logged since, and answers as the database says; a
/// published snapshot of another database state, or a damaged one, is not used.
/// </summary>
public abstract class PublishedSnapshotTests(DatabaseTarget target) : IDisposable
{
    private static readonly string[] Phones = ["13800138001", "13800138002", "13800138003", "13800138004"];
    private readonly List<string> folders = [];

    public void Dispose()
    {
        foreach (var folder in folders)
        {
            Directory.Delete(folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task AnInstanceWithAnEmptyDataFolderLoadsThePublishedSnapshotThenTheChangesLoggedAfterIt()
    {
        await using var first = await FlagApiFactory.CreateAsync(target, Settings(NewFolder()));
        await first.PublishAsync(("phone", Phones[0], "task_brushing", "high"), ("url", IndexAnswers.Url, "fake_customer_service", "medium"));
        await first.SaveSnapshotAsync();
        Assert.Equal(1, await ScalarAsync(first, "SELECT COUNT(*) FROM index_snapshots WHERE completed_at_ticks IS NOT NULL"));

        // After the publication: a new entry, another source for an old one, and a clearance.
        await first.PublishAsync(("phone", Phones[1], "gambling", "low"), ("phone", Phones[0], "task_brushing", "high"));
        await first.PublishAsync(("phone", Phones[2], "other", "medium"));
        await first.ClearEntryAsync(await IndexAnswers.EntryIdAsync(first, Phones[2]));

        var empty = NewFolder();
        await using var second = Second(first, empty);
        Assert.Equal(IndexLoadSource.PublishedSnapshot, second.Services.GetRequiredService<ListIndexFollower>().LoadedFrom);
        await IndexAnswers.AssertSameAsync(first, second, Phones);

        // The published snapshot was written to the new instance's own file on the way: its next start reads that.
        await using var third = Second(first, empty);
        Assert.Equal(IndexLoadSource.Snapshot, third.Services.GetRequiredService<ListIndexFollower>().LoadedFrom);
        await IndexAnswers.AssertSameAsync(first, third, Phones);
    }

    [Fact]
    public async Task TwoInstancesSavingTheSameListVersionAtOnceLeaveOnePublishedSnapshot()
    {
        await using var first = await FlagApiFactory.CreateAsync(target, Settings(NewFolder()));
        await using var second = Second(first, NewFolder());
        await first.PublishAsync(("phone", Phones[0], "task_brushing", "high"));
        await second.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();

        await Task.WhenAll(first.SaveSnapshotAsync(), second.SaveSnapshotAsync());
        Assert.Equal(1, await ScalarAsync(first, "SELECT COUNT(*) FROM index_snapshots"));

        // Not again within half the snapshot interval of the last one: the next instance catches up from the change log.
        await first.PublishAsync(("phone", Phones[1], "gambling", "low"));
        await first.SaveSnapshotAsync();
        var published = await ScalarAsync(first, "SELECT list_version FROM index_snapshots");
        Assert.True(published < await ScalarAsync(first, "SELECT version FROM list_state"));

        // Later, a newer one replaces it, and its chunks go with it.
        await ExecuteAsync(first, $"UPDATE index_snapshots SET claimed_at_ticks = claimed_at_ticks - {TimeSpan.FromMinutes(6).Ticks}");
        await first.PublishAsync(("phone", Phones[2], "other", "medium"));
        await first.SaveSnapshotAsync();
        var version = await ScalarAsync(first, "SELECT version FROM list_state");
        Assert.Equal(version, await ScalarAsync(first, "SELECT MAX(list_version) FROM index_snapshots WHERE completed_at_ticks IS NOT NULL"));
        Assert.Equal(1, await ScalarAsync(first, "SELECT COUNT(*) FROM index_snapshots"));
        Assert.Equal(0, await ScalarAsync(first, "SELECT COUNT(*) FROM index_snapshot_chunks WHERE snapshot_id NOT IN (SELECT id FROM index_snapshots)"));
    }

    [Fact]
    public async Task APublishedSnapshotWhoseChangeLogRowDiffersFromTheDatabasesIsNotUsed()
    {
        await using var first = await FlagApiFactory.CreateAsync(target, Settings(NewFolder()));
        await first.PublishAsync(("phone", Phones[0], "task_brushing", "high"), ("phone", Phones[1], "gambling", "low"));
        await first.SaveSnapshotAsync();

        // As in a database restored from elsewhere or written anew: the change-log row at the snapshot's version is another.
        await ExecuteAsync(first, "UPDATE change_log SET entry_id = (SELECT MIN(entry_id) FROM change_log) WHERE version = (SELECT MAX(version) FROM change_log)");

        var logs = new CapturedLogs();
        await using var second = Second(first, NewFolder(), logs);
        Assert.Equal(IndexLoadSource.Database, second.Services.GetRequiredService<ListIndexFollower>().LoadedFrom);
        Assert.Single(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("published", StringComparison.Ordinal));
        await IndexAnswers.AssertSameAsync(first, second, Phones);
    }

    [Theory]
    [InlineData("a byte changed")]
    [InlineData("a chunk missing")]
    public async Task ADamagedPublishedSnapshotIsNotUsedAndTheIndexLoadsFromTheDatabase(string damage)
    {
        await using var first = await FlagApiFactory.CreateAsync(target, Settings(NewFolder()));
        await first.PublishAsync(("phone", Phones[0], "task_brushing", "high"), ("phone", Phones[1], "gambling", "low"));
        await first.SaveSnapshotAsync();
        if (damage == "a chunk missing")
        {
            await ExecuteAsync(first, "DELETE FROM index_snapshot_chunks WHERE seq = (SELECT MAX(seq) FROM index_snapshot_chunks)");
        }
        else
        {
            await FlipByteAsync(first);
        }

        var logs = new CapturedLogs();
        await using var second = Second(first, NewFolder(), logs);
        Assert.Equal(IndexLoadSource.Database, second.Services.GetRequiredService<ListIndexFollower>().LoadedFrom);
        Assert.Single(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("published", StringComparison.Ordinal));
        await IndexAnswers.AssertSameAsync(first, second, Phones);
    }

    [Fact]
    public async Task WithPublishingOffASavedSnapshotStaysInTheDataFolder()
    {
        var settings = Settings(NewFolder());
        settings["Lookup:PublishSnapshot"] = "false";
        await using var app = await FlagApiFactory.CreateAsync(target, settings);
        await app.PublishAsync(("phone", Phones[0], "task_brushing", "high"));
        await app.SaveSnapshotAsync();

        Assert.Equal(0, await ScalarAsync(app, "SELECT COUNT(*) FROM index_snapshots"));
    }

    private static Dictionary<string, string?> Settings(string folder) => new()
    {
        ["Lookup:SnapshotFile"] = Path.Combine(folder, "index.snapshot"),
        ["Lookup:PublishSnapshot"] = "true",
    };

    private string NewFolder()
    {
        var folder = Directory.CreateTempSubdirectory("flagapi-published-").FullName;
        folders.Add(folder);
        return folder;
    }

    /// <summary>Another instance on the first one's database, its snapshot file in <paramref name="folder"/>.</summary>
    private FlagApiFactory Second(FlagApiFactory first, string folder, CapturedLogs? logs = null)
    {
        var second = new FlagApiFactory(target.Provider, first.ConnectionString, Settings(folder))
        {
            TestServices = logs is null ? null : services => services.AddSingleton<ILoggerProvider>(logs),
        };
        _ = second.Server;
        return second;
    }

    private static async Task<long> ScalarAsync(FlagApiFactory app, string sql)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var connection = await OpenAsync(scope);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(FlagApiFactory app, string sql)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Data.FlagDbContext>().Database.ExecuteSqlRawAsync(sql);
    }

    /// <summary>Changes one byte in the middle of the published snapshot's first chunk.</summary>
    private static async Task FlipByteAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var connection = await OpenAsync(scope);
        byte[] data;
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT data FROM index_snapshot_chunks WHERE seq = 0";
            data = (byte[])(await read.ExecuteScalarAsync())!;
        }

        data[data.Length / 2] ^= 0x5A;
        var db = scope.ServiceProvider.GetRequiredService<Data.FlagDbContext>();
        Assert.Equal(1, await db.Database.ExecuteSqlRawAsync("UPDATE index_snapshot_chunks SET data = {0} WHERE seq = 0", data));
    }

    private static async Task<DbConnection> OpenAsync(AsyncServiceScope scope)
    {
        var db = scope.ServiceProvider.GetRequiredService<Data.FlagDbContext>();
        await db.Database.OpenConnectionAsync();
        return db.Database.GetDbConnection();
    }
}
