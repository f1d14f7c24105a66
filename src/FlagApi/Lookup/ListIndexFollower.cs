using System.Data.Common;
using System.Globalization;
using FlagApi.Data;
using FlagApi.Entries;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Lookup;

public sealed class LookupOptions
{
    public const string Section = "Lookup";

    /// <summary>Most items one batch lookup may hold (docs/api-v1.md: up to 1,000).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int MaxBatchItems { get; set; } = 1000;

    /// <summary>How often the index reads the change log for changes written by other processes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where the index is saved so a restart reads one file instead of the whole list; relative paths are under
    /// Database:DataDirectory. Empty turns snapshots off.
    /// </summary>
    public string? SnapshotFile { get; set; } = "index.snapshot";

    /// <summary>How often the snapshot is rewritten when the list has changed since the last one.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether a saved snapshot is also published to the database (unless it holds a newer one), for instances that start
    /// without a usable file of their own. It is the file, so it needs <see cref="SnapshotFile"/>; instances read a
    /// published snapshot whatever this says.
    /// </summary>
    public bool PublishSnapshot { get; set; } = true;

    /// <summary>
    /// Whether everyday single lookups are answered right after the request log (<see cref="LookupDirectPath"/>) rather
    /// than through every middleware; the answers are the same either way.
    /// </summary>
    public bool DirectPath { get; set; } = true;
}

/// <summary>Where the index came from at start-up.</summary>
public enum IndexLoadSource
{
    /// <summary>Every active and cleared entry read from the database.</summary>
    Database,

    /// <summary>The snapshot file, then the changes logged since it was taken.</summary>
    Snapshot,

    /// <summary>The snapshot an instance published to the database, then the changes logged since it was taken.</summary>
    PublishedSnapshot,
}

/// <summary>
/// Loads the index before the service starts answering, then follows the change log: after every
/// write of this process (<see cref="CatchUpAsync"/>), and for writes of other processes sharing the
/// database (a second instance, the import command) when their change notice is heard and on a timer.
/// </summary>
public sealed class ListIndexFollower(
    ListIndex index,
    IServiceScopeFactory scopes,
    IOptions<LookupOptions> options,
    IOptions<DatabaseOptions> database,
    IHostEnvironment environment,
    ListNotices notices,
    DatabaseStartup startup,
    ReadReplica replica,
    ILogger<ListIndexFollower> logger) : BackgroundService, IListVersionFollower, IChangeFollower
{
    // Completes when the list is loaded; the follower's loops start after it (at once, unless the start waits for the database).
    private Task loaded = Task.CompletedTask;

    private const int IdChunk = 1000;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly SemaphoreSlim publishing = new(1, 1);
    private readonly RefreshSignal changed = new();
    private long savedVersion = -1;

    public DateTime? LastCatchUpAt { get; private set; }

    public string ChangeTopic => EntryLedger.ChangeTopic;

    public IndexLoadSource? LoadedFrom { get; private set; }

    /// <summary>The snapshot file's full path, or null when snapshots are off.</summary>
    public string? SnapshotPath => string.IsNullOrWhiteSpace(options.Value.SnapshotFile)
        ? null
        : Path.GetFullPath(Path.Combine(environment.ContentRootPath, database.Value.DataDirectory, options.Value.SnapshotFile));

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        loaded = await startup.StartOrDeferAsync("flagged list", LoadAsync, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        gate.Dispose();
        publishing.Dispose();
        base.Dispose();
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var fromReplica = false;
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var started = DateTime.UtcNow;
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            if (await ReadSnapshotAsync(connection, cancellationToken) is { } saved)
            {
                await notices.LoadAsync(db, cancellationToken);
                index.Reset(saved.Table, saved.Anchor.Version);
                savedVersion = saved.Anchor.Version;
                LoadedFrom = IndexLoadSource.Snapshot;
            }
            else
            {
                // The heavy part of a cold start (a published snapshot, or every entry) goes to the read replica when it
                // is at least at the version this instance serves and within its lag bound; the catch-up below then reads
                // the primary's change log from the version loaded, so nothing is missed and nothing read twice.
                await using (var lease = await replica.OpenAsync(ReadReplica.Reads.IndexLoad, 0, cancellationToken))
                {
                    if (lease is not null)
                    {
                        try
                        {
                            await LoadListAsync(lease.Context, lease.Connection, cancellationToken);
                            fromReplica = true;
                        }
                        catch (Exception ex) when (ReadReplica.IsReplicaFailure(ex, cancellationToken))
                        {
                            replica.FailedDuring(ReadReplica.Reads.IndexLoad, ex);
                        }
                    }
                }

                if (!fromReplica)
                {
                    await LoadListAsync(db, connection, cancellationToken);
                }
            }

            LastCatchUpAt = DateTime.UtcNow;
            var source = LoadedFrom switch
            {
                IndexLoadSource.Snapshot => "snapshot file",
                IndexLoadSource.PublishedSnapshot => "snapshot published to the database",
                _ => "database",
            };
            logger.LogInformation(
                "Loaded {Count} entries at list version {Version} from the {Source}{Replica} in {Elapsed} ms",
                index.Count, index.Version, source, fromReplica ? " (read replica)" : "", (DateTime.UtcNow - started).TotalMilliseconds);
        }
        finally
        {
            gate.Release();
        }

        if (LoadedFrom != IndexLoadSource.Database || fromReplica)
        {
            await CatchUpAsync(cancellationToken);
        }
    }

    /// <summary>The published snapshot if there is a usable one, else every entry, through <paramref name="db"/>.</summary>
    private async Task LoadListAsync(FlagDbContext db, DbConnection connection, CancellationToken cancellationToken)
    {
        if (await ReadPublishedSnapshotAsync(connection, cancellationToken) is { } published)
        {
            await notices.LoadAsync(db, cancellationToken);
            index.Reset(published.Table, published.Anchor.Version);

            // Written to the file on the way: nothing new to save or publish until the list moves on.
            savedVersion = published.Anchor.Version;
            LoadedFrom = IndexLoadSource.PublishedSnapshot;
        }
        else
        {
            // Version first: changes committed while the entries stream in are read again by the next catch-up.
            var version = await db.ListState.AsNoTracking().Select(s => s.Version).SingleAsync(cancellationToken);
            var table = await ListIndexLoader.LoadAsync(connection, cancellationToken);

            // The lists after the entries, so every list an entry names is among them.
            await notices.LoadAsync(db, cancellationToken);
            index.Reset(table, version);
            LoadedFrom = IndexLoadSource.Database;
        }
    }

    /// <summary>
    /// Saves the index to the snapshot file unless snapshots are off or the list has not changed since the last one, then
    /// publishes the file to the database (Lookup:PublishSnapshot) unless it holds the same snapshot or a newer one.
    /// </summary>
    public async Task SaveSnapshotAsync(CancellationToken cancellationToken = default)
    {
        if (SnapshotPath is not { } path)
        {
            return;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            var version = index.Version;
            if (version == 0 || version == savedVersion)
            {
                return;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            await db.Database.OpenConnectionAsync(cancellationToken);
            if (await ListIndexLoader.AnchorAtAsync(db.Database.GetDbConnection(), version, cancellationToken) is not { } anchor)
            {
                return;
            }

            var started = DateTime.UtcNow;
            var table = index.Table;
            await Task.Run(() => IndexSnapshotFile.Write(path, table, anchor), cancellationToken);
            savedVersion = version;
            logger.LogInformation(
                "Saved the index ({Count} entries, list version {Version}) to {Path} in {Elapsed} ms",
                table.Count, version, path, (DateTime.UtcNow - started).TotalMilliseconds);
        }
        finally
        {
            gate.Release();
        }

        if (options.Value.PublishSnapshot)
        {
            await PublishSnapshotAsync(path, cancellationToken);
        }
    }

    /// <summary>
    /// Copies the saved file into the database, outside the gate (the index keeps following the change log meanwhile);
    /// one publication at a time, and none while one is under way.
    /// </summary>
    private async Task PublishSnapshotAsync(string path, CancellationToken cancellationToken)
    {
        if (!await publishing.WaitAsync(0, cancellationToken))
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            await db.Database.OpenConnectionAsync(cancellationToken);
            var started = DateTime.UtcNow;
            var bytes = await PublishedIndexSnapshots.PublishAsync(
                db.Database.GetDbConnection(), path, options.Value.SnapshotInterval / 2, cancellationToken);
            if (bytes > 0)
            {
                logger.LogInformation(
                    "Published the index snapshot ({Bytes} bytes) to the database in {Elapsed} ms", bytes, (DateTime.UtcNow - started).TotalMilliseconds);
            }
        }
        finally
        {
            publishing.Release();
        }
    }

    /// <summary>The snapshot, if there is one of this database's history that reads back whole.</summary>
    private async Task<(EntryTable Table, SnapshotAnchor Anchor)?> ReadSnapshotAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (SnapshotPath is not { } path)
        {
            return null;
        }

        try
        {
            if (IndexSnapshotFile.ReadAnchor(path) is not { } anchor)
            {
                return null;
            }

            if (await ListIndexLoader.AnchorAtAsync(connection, anchor.Version, cancellationToken) != anchor)
            {
                logger.LogInformation("The index snapshot {Path} is of another database state; loading from the database", path);
                return null;
            }

            return IndexSnapshotFile.Read(path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not read the index snapshot {Path}; loading from the database", path);
            return null;
        }
    }

    /// <summary>
    /// The newest snapshot published to the database if it is of this database's history (its change-log row, schema and
    /// vocabulary) and reads back whole; copied to the snapshot file on the way. Anything else falls back to the database.
    /// </summary>
    private async Task<(EntryTable Table, SnapshotAnchor Anchor)?> ReadPublishedSnapshotAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            if (await PublishedIndexSnapshots.NewestAsync(connection, cancellationToken) is not { } published)
            {
                return null;
            }

            if (await ListIndexLoader.AnchorAtAsync(connection, published.Anchor.Version, cancellationToken) != published.Anchor)
            {
                logger.LogWarning(
                    "The index snapshot published to the database at list version {Version} is of another database state; loading from the database",
                    published.Anchor.Version);
                return null;
            }

            var path = SnapshotPath;
            var table = await Task.Run(() => PublishedIndexSnapshots.Read(connection, published, path), cancellationToken);
            return (table, published.Anchor);
        }
        catch (Exception ex) when (ex is DbException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not read the index snapshot published to the database; loading from the database");
            return null;
        }
    }

    /// <summary>
    /// Reads the change log after this process committed a change; see <see cref="PeriodicRefresh.AfterWriteAsync"/>. Before the
    /// index is loaded (a write while the service starts) there is nothing to bring along: the load reads the change.
    /// </summary>
    public Task CatchUpAfterWriteAsync() => index.IsLoaded ? PeriodicRefresh.AfterWriteAsync(CatchUpAsync, logger) : Task.CompletedTask;

    /// <summary>A notice names the version the writer committed: one the index holds already (this process's own write) needs no read.</summary>
    public void Heard(string? detail)
    {
        if (long.TryParse(detail, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version <= index.Version)
        {
            return;
        }

        changed.Raise();
    }

    /// <summary>Reads every change after the index's version and applies the changed entries' current state.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var from = index.Version;
            var changes = await db.ChangeLog.AsNoTracking()
                .Where(c => c.Version > from)
                .Select(c => new { c.Version, c.EntryId, c.Kind, c.Value })
                .ToListAsync(cancellationToken);
            if (changes.Count == 0)
            {
                LastCatchUpAt = DateTime.UtcNow;
                return;
            }

            var changed = new List<IndexedEntry>();
            foreach (var ids in changes.Select(c => c.EntryId).Distinct().Chunk(IdChunk))
            {
                var sources = await LoadSourcesAsync(db.EntrySources.Where(s => s.RemovedAt == null && ids.Contains(s.EntryId)), cancellationToken);
                var rows = await Shown(db.Entries.Where(e => ids.Contains(e.Id))).ToListAsync(cancellationToken);
                changed.AddRange(rows.Select(r => ToIndexed(r, sources)));
            }

            // A key the log names that no changed entry holds now was left: the identifier rules gave its entry another key.
            var held = changed.Select(e => (e.Kind, e.Value)).ToHashSet();
            var vacated = changes.Select(c => (c.Kind, c.Value)).Where(key => !held.Contains(key)).Distinct().ToList();

            // Read after the change log, so the lists of the changes it holds are among them, and applied first, so a
            // lookup never finds an entry whose list it cannot name.
            await notices.CatchUpAsync(db, from, cancellationToken);
            index.Apply(changed, changes.Max(c => c.Version), vacated);
            LastCatchUpAt = DateTime.UtcNow;
        }
        finally
        {
            gate.Release();
        }
    }

    // Lookups keep answering from memory when a read fails; the next tick tries again.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await loaded.WaitAsync(stoppingToken);
        await Task.WhenAll(
        PeriodicRefresh.RunAsync(
            options.Value.PollInterval,
            CatchUpAsync,
            ex => logger.LogWarning(ex, "Could not read the change log; the index stays at version {Version}", index.Version),
            stoppingToken,
            changed),
        KeepSnapshotAsync(stoppingToken));
    }

    private async Task KeepSnapshotAsync(CancellationToken stoppingToken)
    {
        if (SnapshotPath is null)
        {
            return;
        }

        // Right after a load from the database, so the next start reads the file; then whenever the list has moved on.
        void Failed(Exception ex) => logger.LogWarning(ex, "Could not save or publish the index snapshot {Path}", SnapshotPath);
        if (LoadedFrom == IndexLoadSource.Database && index.Count > 0)
        {
            try
            {
                await SaveSnapshotAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Failed(ex);
            }
        }

        await PeriodicRefresh.RunAsync(options.Value.SnapshotInterval, SaveSnapshotAsync, Failed, stoppingToken);
    }

    /// <summary>The columns the index holds; sources are read separately and attached by <see cref="ToIndexed"/>.</summary>
    private static IQueryable<IndexedEntry> Shown(IQueryable<Entry> entries) =>
        entries.AsNoTracking().Select(e => new IndexedEntry(
            e.Id, e.Kind, e.Value, e.Category, e.Risk, e.Status, e.FirstSeen, e.LastSeen, e.ExpiresAt, Array.Empty<IndexedSource>()));

    private static async Task<Dictionary<long, List<IndexedSource>>> LoadSourcesAsync(
        IQueryable<EntrySource> query, CancellationToken cancellationToken)
    {
        // One list flags thousands of entries with the same source: share one object per distinct source.
        var shared = new Dictionary<IndexedSource, IndexedSource>();
        var byEntry = new Dictionary<long, List<IndexedSource>>();
        await foreach (var row in query.AsNoTracking()
            .Select(s => new { s.EntryId, s.SourceType, s.Label, s.ListId, s.AddedAt })
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var source = new IndexedSource(row.SourceType, row.Label, row.ListId, row.AddedAt);
            if (!shared.TryGetValue(source, out var existing))
            {
                shared[source] = existing = source;
            }

            if (!byEntry.TryGetValue(row.EntryId, out var list))
            {
                byEntry[row.EntryId] = list = new List<IndexedSource>(1);
            }

            list.Add(existing);
        }

        return byEntry;
    }

    private static IndexedEntry ToIndexed(IndexedEntry row, Dictionary<long, List<IndexedSource>> sources) =>
        sources.TryGetValue(row.Id, out var list) ? row with { Sources = list } : row;
}
