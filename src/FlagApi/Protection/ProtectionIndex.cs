using FlagApi.Data;
using FlagApi.Identifiers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Protection;

public sealed class ProtectionOptions
{
    public const string Section = "Protection";

    /// <summary>How often protections and overrides changed by another instance are read from the database.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The active protected identifiers and overrides, in memory so that lookups never wait on the database.
/// Loaded before the service answers; this process's own changes apply at once, other instances' when their change
/// notice is heard, and within <see cref="ProtectionOptions.RefreshInterval"/> when it is not.
/// </summary>
public sealed class ProtectionIndex(IServiceScopeFactory scopes, IOptions<ProtectionOptions> options, DatabaseStartup startup, ILogger<ProtectionIndex> logger) : BackgroundService, IChangeFollower
{
    // Completes when the first load has run; the refresh loop starts after it (at once, unless the start waits for the database).
    private Task loaded = Task.CompletedTask;

    /// <summary>The topic of the change notice a protection or override added or removed sends.</summary>
    public const string Topic = "protection";

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly RefreshSignal changed = new();
    private volatile ProtectionSet? current;

    public bool IsLoaded => current is not null;

    public string ChangeTopic => Topic;

    public void Heard(string? detail) => changed.Raise();

    /// <summary>The current snapshot; empty until the first load.</summary>
    public ProtectionSet Current => current ?? ProtectionSet.Empty;

    /// <summary>
    /// Whether an entry may be flagged (see <see cref="ProtectionSet.Check"/>). Refuses to answer before the
    /// allowlist is loaded rather than let a protected identifier through.
    /// </summary>
    public ProtectionRefusal? Check(IdentifierKind kind, string key) =>
        (current ?? throw new InvalidOperationException("The protected identifiers are not loaded yet; call EnsureLoadedAsync first.")).Check(kind, key);

    /// <summary>The protected identifier a lookup is or lies under, for the lookup's answer.</summary>
    public ProtectedItem? Covering(IdentifierKind kind, string canonical) => Current.Covering(kind, canonical);

    /// <summary>Loads the allowlist if no snapshot is held yet: for writers that run outside the served app (the import command, the demo list at startup).</summary>
    public async Task EnsureLoadedAsync(CancellationToken cancellationToken = default)
    {
        if (current is null)
        {
            await ReloadAsync(cancellationToken);
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        loaded = await startup.StartOrDeferAsync("protected identifiers", ReloadAsync, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        gate.Dispose();
        base.Dispose();
    }

    /// <summary>Reloads the protected identifiers after this process committed a change; see <see cref="PeriodicRefresh.AfterWriteAsync"/>.</summary>
    public Task ReloadAfterWriteAsync() => PeriodicRefresh.AfterWriteAsync(ReloadAsync, logger);

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var items = await db.ProtectedIdentifiers.AsNoTracking()
                .Where(p => p.RemovedAt == null)
                .OrderBy(p => p.Id)
                .Select(p => new ProtectedItem(p.Id, p.Kind, p.Value, p.Display, p.Reason))
                .ToListAsync(cancellationToken);
            var overrides = await db.ProtectionOverrides.AsNoTracking()
                .Where(o => o.RemovedAt == null)
                .Select(o => new { o.Kind, o.Value })
                .ToListAsync(cancellationToken);
            var loaded = current is null;
            current = new ProtectionSet(items, overrides.Select(o => (o.Kind, o.Value)));
            if (loaded)
            {
                logger.LogInformation("Loaded {Count} protected identifiers and {Overrides} overrides", items.Count, overrides.Count);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PeriodicRefresh.RunAsync(
        options.Value.RefreshInterval,
        ReloadAsync,
        ex => logger.LogWarning(ex, "Could not refresh the protected identifiers; the previous set stays in force"),
        stoppingToken,
        changed,
        after: loaded);
}
