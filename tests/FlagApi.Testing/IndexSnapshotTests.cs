using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

/// <summary>A restart reads the saved index and the changes logged since, and answers exactly as the database says.</summary>
public abstract class IndexSnapshotTests(DatabaseTarget target) : IDisposable
{
    private static readonly string[] Phones = ["13800138001", "13800138002", "13800138003", "13800138004"];
    private readonly string folder = Directory.CreateTempSubdirectory("flagapi-snapshot-").FullName;

    private string SnapshotFile => Path.Combine(folder, "index.snapshot");

    private Dictionary<string, string?> Settings => new() { ["Lookup:SnapshotFile"] = SnapshotFile };

    public void Dispose()
    {
        Directory.Delete(folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ARestartLoadsTheSnapshotThenTheChangesLoggedAfterItAndAnswersLikeTheRunningInstance()
    {
        await using var first = await FlagApiFactory.CreateAsync(target, Settings);
        await first.PublishAsync(("phone", Phones[0], "task_brushing", "high"), ("url", IndexAnswers.Url, "fake_customer_service", "medium"));
        await first.SaveSnapshotAsync();
        Assert.True(File.Exists(SnapshotFile));

        // After the snapshot: a new entry, another source for an old one, and a clearance.
        await first.PublishAsync(("phone", Phones[1], "gambling", "low"), ("phone", Phones[0], "task_brushing", "high"));
        await first.PublishAsync(("phone", Phones[2], "other", "medium"));
        await first.ClearEntryAsync(await IndexAnswers.EntryIdAsync(first, Phones[2]));

        await using var restarted = Restart(first);
        Assert.Equal(IndexLoadSource.Snapshot, restarted.Services.GetRequiredService<ListIndexFollower>().LoadedFrom);
        await IndexAnswers.AssertSameAsync(first, restarted, Phones);
    }

    [Fact]
    public async Task ADamagedSnapshotIsSetAsideAndTheIndexLoadsFromTheDatabase()
    {
        await using var first = await FlagApiFactory.CreateAsync(target, Settings);
        await first.PublishAsync(("phone", Phones[0], "task_brushing", "high"), ("phone", Phones[1], "gambling", "low"));
        await first.SaveSnapshotAsync();
        var bytes = await File.ReadAllBytesAsync(SnapshotFile);
        bytes[bytes.Length / 2] ^= 0x5A;
        await File.WriteAllBytesAsync(SnapshotFile, bytes);

        await using var restarted = Restart(first);

        Assert.Equal(IndexLoadSource.Database, restarted.Services.GetRequiredService<ListIndexFollower>().LoadedFrom);
        await IndexAnswers.AssertSameAsync(first, restarted, Phones);
    }

    [Fact]
    public async Task ASnapshotOfAnotherDatabaseIsNotUsed()
    {
        await using (var other = await FlagApiFactory.CreateAsync(target, Settings))
        {
            await other.PublishAsync(("phone", Phones[3], "gambling", "high"));
            await other.SaveSnapshotAsync();
        }

        await using var app = await FlagApiFactory.CreateAsync(target, Settings);
        Assert.Equal(IndexLoadSource.Database, app.Services.GetRequiredService<ListIndexFollower>().LoadedFrom);
        using var client = app.CreateClient();
        Assert.Equal("clear", (await IndexAnswers.LookupAsync(client, Phones[3])).GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task ASnapshotTakenBeforeASchemaMigrationIsNotUsed()
    {
        await using var first = await FlagApiFactory.CreateAsync(target, Settings);
        await first.PublishAsync(("phone", Phones[0], "task_brushing", "high"));

        // The snapshot is taken while the database lacks the latest migration, which the restart then applies
        // (a database newer than the build would not start at all).
        await using (var scope = first.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Data.FlagDbContext>();
            // Undoes 0012, the latest.
            foreach (var statement in new[]
            {
                "DROP TABLE change_log_readers", "DROP TABLE watches", "DROP TABLE notifications",
                "ALTER TABLE appeals DROP COLUMN sources_kept", "ALTER TABLE appeals DROP COLUMN verified_owner_since",
                "ALTER TABLE appeals DROP COLUMN what_would_change",
                "ALTER TABLE appeals DROP COLUMN owner_since", "ALTER TABLE appeals DROP COLUMN language",
                "ALTER TABLE lists DROP COLUMN notice_contact", "ALTER TABLE lists DROP COLUMN notice_reason",
                "DELETE FROM schema_versions WHERE version = 12",
            })
            {
                await db.Database.ExecuteSqlRawAsync(statement);
            }
        }

        await first.SaveSnapshotAsync();
        await using var restarted = Restart(first);

        Assert.Equal(IndexLoadSource.Database, restarted.Services.GetRequiredService<ListIndexFollower>().LoadedFrom);
        await IndexAnswers.AssertSameAsync(first, restarted, Phones);
    }

    [Fact]
    public async Task ATruncatedSnapshotIsSetAsideAndTheIndexLoadsFromTheDatabase()
    {
        await using var first = await FlagApiFactory.CreateAsync(target, Settings);
        await first.PublishAsync(("phone", Phones[0], "task_brushing", "high"));
        await first.SaveSnapshotAsync();
        await using (var file = File.OpenWrite(SnapshotFile))
        {
            file.SetLength(file.Length - 40);
        }

        await using var restarted = Restart(first);

        Assert.Equal(IndexLoadSource.Database, restarted.Services.GetRequiredService<ListIndexFollower>().LoadedFrom);
        await IndexAnswers.AssertSameAsync(first, restarted, Phones);
    }

    private FlagApiFactory Restart(FlagApiFactory first)
    {
        var restarted = new FlagApiFactory(target.Provider, first.ConnectionString, Settings);
        _ = restarted.Server;
        return restarted;
    }
}
