using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using FlagApi.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Watches;

/// <summary>
/// Tells the owners of active watches when their identifier becomes flagged. It reads the change log after its cursor
/// (the <c>change_log_readers</c> row <see cref="ReaderName"/>) and, in one transaction, moves the cursor and writes one
/// outbox row per watch an entry newly flags: a crash before the commit writes neither (the changes are read again), after
/// it both, so nothing is lost or told twice across restarts. Every instance runs it; the cursor only moves from where its
/// reader found it (a conditional update, which on PostgreSQL waits for the other instance's commit and then matches
/// nothing), so of two instances reading the same changes one writes the notices and the other writes nothing.
/// </summary>
public sealed class WatchNotifier(
    IServiceScopeFactory scopes,
    WatchMails mails,
    FlagNoticeBuilder notices,
    IOptions<WatchesOptions> options,
    TimeProvider time,
    ILogger<WatchNotifier> logger) : BackgroundService
{
    public const string ReaderName = "watches";

    /// <summary>Changes read in one transaction; a large list is told in several.</summary>
    private const int Batch = 1000;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The cursor starts at the list as it stands when watches first run: flags older than that are not news.
        try
        {
            await StartCursorAsync(cancellationToken);
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
        {
            logger.LogWarning("Could not start the watch notifier's cursor ({Reason}); its first run does", DatabaseFailures.Describe(ex));
        }

        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PeriodicRefresh.RunAsync(
        options.Value.NotifyInterval,
        async ct =>
        {
            while (await NotifyOnceAsync(ct) == Batch)
            {
            }
        },
        ex => logger.LogWarning(ex, "Could not read the change log for watches; the next run tries again"),
        stoppingToken);

    /// <summary>Reads one batch of changes after the cursor and tells the watches they flag; returns how many changes it read.</summary>
    public async Task<int> NotifyOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var cursor = await db.ChangeLogReaders.AsNoTracking().Where(r => r.Name == ReaderName).Select(r => (long?)r.Version)
            .SingleOrDefaultAsync(cancellationToken);
        if (cursor is not { } from)
        {
            await StartCursorAsync(cancellationToken);
            return 0;
        }

        // Looked at before a transaction is begun: on SQLite a transaction takes the write lock, which an idle tick need not.
        if (!await db.ChangeLog.AnyAsync(c => c.Version > from, cancellationToken))
        {
            return 0;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changes = await db.ChangeLog.AsNoTracking().Where(c => c.Version > from).OrderBy(c => c.Version).Take(Batch)
            .ToListAsync(cancellationToken);

        var to = changes[^1].Version;
        var claimed = await db.ChangeLogReaders.Where(r => r.Name == ReaderName && r.Version == from)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Version, to), cancellationToken);
        if (claimed == 0)
        {
            // Another instance read these changes and told their watches.
            await transaction.RollbackAsync(cancellationToken);
            return 0;
        }

        // Only an add makes an entry flagged: a new entry, or one that was cleared, expired or retracted and is flagged again.
        // An update of an entry that is flagged already (another list joining it) is not news to its owner.
        var flagged = changes.Where(c => c.Op == ChangeOps.Add && c.Status == EntryStatus.Active).Select(c => c.EntryId).Distinct().ToList();
        var told = flagged.Count == 0 ? 0 : await TellAsync(db, flagged, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (told > 0)
        {
            logger.LogInformation("Told {Count} watches that their identifier was flagged (list versions {From} to {To})", told, from + 1, to);
        }

        return changes.Count;
    }

    /// <summary>Adds an outbox row for every active watch one of these entries flags, if the entry is still flagged now.</summary>
    private async Task<int> TellAsync(FlagDbContext db, IReadOnlyList<long> entryIds, CancellationToken cancellationToken)
    {
        // Watches are few (each is verified by a reviewer): every active one is matched the way a lookup of it would match,
        // so a URL watch is told of a flag on its domain as well.
        var watches = await db.Watches.AsNoTracking().Where(w => w.Status == WatchStatuses.Active).ToListAsync(cancellationToken);
        if (watches.Count == 0)
        {
            return 0;
        }

        var byProbe = watches
            .SelectMany(w => Matching.Probes(w.Kind, w.Value).Select(p => (Probe: (p.EntryKind, p.Key), Watch: w)))
            .ToLookup(x => x.Probe, x => x.Watch);
        var now = time.GetUtcNow().UtcDateTime;
        var entries = await db.Entries.AsNoTracking()
            .Where(e => entryIds.Contains(e.Id) && e.Status == EntryStatus.Active)
            .ToListAsync(cancellationToken);
        var told = 0;
        foreach (var entry in entries.Where(e => e.ExpiresAt is null || e.ExpiresAt > now))
        {
            var owners = byProbe[(entry.Kind, entry.Value)].DistinctBy(w => w.Id).ToList();
            if (owners.Count == 0)
            {
                continue;
            }

            var sources = await SourcesAsync(db, entry, cancellationToken);
            foreach (var watch in owners)
            {
                var language = watch.Language == NoticeLanguages.English ? NoticeLanguages.English : NoticeLanguages.Chinese;
                var notice = notices.Build(watch.Kind, watch.Value, entry.Category, sources, language);
                var (subject, body) = mails.Flagged(watch, entry.Kind, entry.Value, notice, WatchSecrets.EndCode(watch.TokenHash));
                NotificationOutbox.Add(db, NotificationChannels.Email, watch.Email, watch.Language, WatchMails.FlaggedTemplate, subject, body,
                    WatchService.SubjectType, watch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), now);
                told++;
            }
        }

        return told;
    }

    /// <summary>
    /// The sources that flag the entry now, each list with its facts as committed: read here rather than from the lists held
    /// in memory, which this instance's follower may not have caught up with yet.
    /// </summary>
    private static async Task<IReadOnlyList<(MatchSource Source, ListNoticeFacts? List)>> SourcesAsync(
        FlagDbContext db, Entry entry, CancellationToken cancellationToken)
    {
        var sources = await db.EntrySources.AsNoTracking()
            .Where(s => s.EntryId == entry.Id && s.RemovedAt == null)
            .OrderBy(s => s.Id)
            .Select(s => new
            {
                Source = new MatchSource(s.SourceType, s.Label, s.ListId, s.AddedAt),
                List = s.List == null || s.List.RetractedAt != null
                    ? null
                    : new ListNoticeFacts(s.List.Id, s.List.Agency, s.List.Reference, s.List.Title, s.List.PublishedOn, s.List.NoticeReason, s.List.NoticeContact),
            })
            .ToListAsync(cancellationToken);
        return [.. sources.Select(s => (s.Source, s.List))];
    }

    private async Task StartCursorAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        if (await db.ChangeLogReaders.AnyAsync(r => r.Name == ReaderName, cancellationToken))
        {
            return;
        }

        var version = await db.ListState.AsNoTracking().Select(s => s.Version).SingleAsync(cancellationToken);
        db.ChangeLogReaders.Add(new ChangeLogReader { Name = ReaderName, Version = version });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            // Another instance started it an instant earlier.
        }
    }
}
