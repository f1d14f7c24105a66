using FlagApi.Data;
using FlagApi.Entries;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Lookup;

public sealed class LookupOptions
{
    public const string Section = "Lookup";

    /// <summary>Most items one batch lookup may hold (SPEC: up to 1,000).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int MaxBatchItems { get; set; } = 1000;

    /// <summary>How often the index reads the change log for changes written by other processes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Loads the index before the service starts answering, then follows the change log: after every
/// write of this process (<see cref="CatchUpAsync"/>) and on a timer for writes of other processes
/// sharing the database (a second instance, the import command).
/// </summary>
public sealed class ListIndexFollower(
    ListIndex index,
    IServiceScopeFactory scopes,
    IOptions<LookupOptions> options,
    ILogger<ListIndexFollower> logger) : BackgroundService
{
    private const int IdChunk = 1000;
    private readonly SemaphoreSlim gate = new(1, 1);

    public DateTime? LastCatchUpAt { get; private set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        gate.Dispose();
        base.Dispose();
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var started = DateTime.UtcNow;
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();

            // Version first: changes committed while the entries stream in are read again by the next catch-up.
            var version = await db.ListState.AsNoTracking().Select(s => s.Version).SingleAsync(cancellationToken);
            var table = await ListIndexLoader.LoadAsync(connection, cancellationToken);
            index.Reset(table, version);
            LastCatchUpAt = DateTime.UtcNow;
            logger.LogInformation(
                "Loaded {Count} entries at list version {Version} in {Elapsed} ms",
                table.Count, version, (DateTime.UtcNow - started).TotalMilliseconds);
        }
        finally
        {
            gate.Release();
        }
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
                .Select(c => new { c.Version, c.EntryId })
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

            index.Apply(changed, changes.Max(c => c.Version));
            LastCatchUpAt = DateTime.UtcNow;
        }
        finally
        {
            gate.Release();
        }
    }

    // Lookups keep answering from memory when a read fails; the next tick tries again.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PeriodicRefresh.RunAsync(
        options.Value.PollInterval,
        CatchUpAsync,
        ex => logger.LogWarning(ex, "Could not read the change log; the index stays at version {Version}", index.Version),
        stoppingToken);

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
