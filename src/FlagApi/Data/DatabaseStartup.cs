using FlagApi.Identifiers;
using Microsoft.Extensions.Options;

namespace FlagApi.Data;

/// <summary>
/// Brings the schema and the stored keys up to date (when <c>Database:MigrateOnStart</c>) and refuses to serve a schema or
/// keys behind or newer than this build, or a database under which an acknowledged write could be lost
/// (<see cref="DurabilityCheck"/>, unless <c>Database:RequireDurableCommits</c> is false), before anything reads the
/// database. By construction, not by the order of lines in Program.cs: the host runs every hosted service's
/// <see cref="IHostedLifecycleService.StartingAsync"/> before any <see cref="IHostedService.StartAsync"/>, and the loaders
/// (the lookup index, protections, keys, report signals) load in StartAsync through <see cref="StartOrDeferAsync"/>.
/// </summary>
/// <remarks>
/// A database that cannot be reached at start (and <c>Database:WaitOnStart</c>, the default) does not stop the start: the
/// service listens, /health/ready answers 503 and lookups 503 <c>list_not_loaded</c>, and the check is tried again every
/// <c>Database:RetryAfterSeconds</c>. The loaders' starts wait, in the order they were asked for, and run once it passes.
/// A schema that does not fit this build still stops the service, then as now.
/// </remarks>
public sealed class DatabaseStartup(
    IServiceProvider services, IOptions<DatabaseOptions> options, IHostApplicationLifetime lifetime, ILogger<DatabaseStartup> logger)
    : IHostedLifecycleService, IDisposable
{
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object chain = new();
    private readonly CancellationTokenSource stopping = new();
    private Task? first;
    private Task deferred = Task.CompletedTask;

    /// <summary>True while the start waits for a database it could not reach; the loaders' starts run once it answers.</summary>
    public bool Waiting { get; private set; }

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        lock (chain)
        {
            first ??= FirstCheckAsync();
        }

        await first.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs a loader's start now, or, while the start waits for the database, once it answers, after the starts deferred
    /// before it (a bootstrap key before the keys load), retrying each while the database cannot be reached. Returns a
    /// task that completes when the start has run (at once when it ran now), for a loop that must not run before it.
    /// </summary>
    public async Task<Task> StartOrDeferAsync(string name, Func<CancellationToken, Task> start, CancellationToken cancellationToken)
    {
        await StartingAsync(cancellationToken);
        if (!Waiting)
        {
            await start(cancellationToken);
            return Task.CompletedTask;
        }

        lock (chain)
        {
            deferred = RunDeferredAsync(deferred, name, start);
            return deferred;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        stopping.Cancel();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => stopping.Dispose();

    private TimeSpan RetryInterval => TimeSpan.FromSeconds(options.Value.RetryAfterSeconds);

    private async Task FirstCheckAsync()
    {
        try
        {
            await PrepareAsync(logExpected: true);
            ready.TrySetResult();
        }
        catch (Exception failure) when (DatabaseFailures.IsUnavailable(failure) && options.Value.WaitOnStart)
        {
            Waiting = true;
            logger.LogWarning(
                "Cannot reach the {Database} database ({Reason}); starting without it: /health/ready answers 503 until it answers, tried again every {Seconds} s. Check ConnectionStrings:FlagApi and that the database is running.",
                options.Value.Provider.DisplayName(), DatabaseFailures.Describe(failure), options.Value.RetryAfterSeconds);
            _ = WaitForDatabaseAsync();
        }
    }

    private async Task WaitForDatabaseAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryInterval, stopping.Token);
                await PrepareAsync(logExpected: false);
                logger.LogInformation("The {Database} database answers; the schema fits this build. Loading.", options.Value.Provider.DisplayName());
                Waiting = false;
                ready.TrySetResult();
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception failure) when (DatabaseFailures.IsUnavailable(failure))
            {
                logger.LogDebug("The database still cannot be reached: {Reason}", DatabaseFailures.Describe(failure));
            }
            catch (Exception failure)
            {
                // A schema that does not fit, found once the database answers: as at a start that reached it, refuse to serve.
                ready.TrySetException(failure);
                lifetime.StopApplication();
                return;
            }
        }
    }

    private async Task RunDeferredAsync(Task previous, string name, Func<CancellationToken, Task> start)
    {
        try
        {
            await previous;
            await ready.Task.WaitAsync(stopping.Token);
            while (true)
            {
                try
                {
                    await start(stopping.Token);
                    return;
                }
                catch (Exception failure) when (DatabaseFailures.IsUnavailable(failure) && !stopping.IsCancellationRequested)
                {
                    logger.LogWarning("The {Loader} could not load ({Reason}); trying again in {Seconds} s", name, DatabaseFailures.Describe(failure), options.Value.RetryAfterSeconds);
                    await Task.Delay(RetryInterval, stopping.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception failure) when (ready.Task.IsFaulted)
        {
            logger.LogDebug(failure, "The {Loader} did not load: the start was refused", name);
        }
        catch (Exception failure)
        {
            logger.LogCritical(failure, "The {Loader} could not load after the database came back; stopping", name);
            lifetime.StopApplication();
        }
    }

    private async Task PrepareAsync(bool logExpected)
    {
        await using var scope = services.CreateAsyncScope();
        try
        {
            await MigrateIfConfiguredAsync(scope.ServiceProvider, CancellationToken.None);
            await CheckDurabilityAsync(scope.ServiceProvider);
        }
        catch (Exception refused) when (refused is SchemaMismatchException or UndurableCommitsException)
        {
            // The host's own report of a failed start is a stack trace; the operator needs this sentence first.
            logger.LogCritical("{Refusal}", refused.Message);
            throw;
        }
        catch (Exception failure) when (DatabaseFailures.IsUnavailable(failure) && logExpected && !options.Value.WaitOnStart)
        {
            logger.LogCritical("Cannot reach the {Database} database ({Reason}); not starting. Check ConnectionStrings:FlagApi and that the database is running.",
                options.Value.Provider.DisplayName(), DatabaseFailures.Describe(failure));
            throw;
        }
    }

    /// <summary>
    /// Refuses a database under which an acknowledged write could be lost, unless <c>Database:RequireDurableCommits</c> is
    /// false; what is accepted, or chosen (SQLite's synchronous NORMAL), is said once at each start.
    /// </summary>
    private async Task CheckDurabilityAsync(IServiceProvider scoped)
    {
        var required = options.Value.RequireDurableCommits;
        var risks = await DurabilityCheck.RisksAsync(scoped, CancellationToken.None);
        if (required && risks.Where(r => !r.Chosen).Select(r => r.Refusal).ToList() is { Count: > 0 } refusals)
        {
            throw new UndurableCommitsException(string.Join(" ", refusals));
        }

        foreach (var risk in risks)
        {
            logger.LogWarning("{Risk}", risk.Warning(required));
        }
    }

    public static async Task MigrateIfConfiguredAsync(IServiceProvider scoped, CancellationToken cancellationToken)
    {
        var options = scoped.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var migrator = scoped.GetRequiredService<SchemaMigrator>();
        var keys = scoped.GetRequiredService<IStoredKeys>();
        var status = await migrator.StatusAsync(cancellationToken);
        SchemaMismatchException.ThrowIfNewer(status);
        if (options.MigratesOnStart)
        {
            await migrator.ApplyAsync(cancellationToken: cancellationToken);
            await keys.UpgradeAsync(cancellationToken);
            return;
        }

        if (status.Pending.Count > 0)
        {
            throw new SchemaMismatchException(
                $"The database schema is at version {status.CurrentVersion} but this build needs {status.LatestVersion}; " +
                $"missing migrations: {string.Join(", ", status.Pending.Select(m => m.Name))}. " +
                $"Run '{SchemaMismatchException.MigrateInvocation}' with this configuration first (or set Database:MigrateOnStart=true); " +
                "refusing to serve a database that is behind.");
        }

        var stored = await keys.StatusAsync(cancellationToken);
        SchemaMismatchException.ThrowIfKeysNewer(stored);
        SchemaMismatchException.ThrowIfKeysBehind(stored);
    }
}

/// <summary>The database step of a command (<c>import</c>, <c>keys</c>): its refusals as one sentence for the operator, not a stack trace.</summary>
public static class CommandDatabase
{
    /// <summary>Migrates if configured; false, with why on <paramref name="error"/>, when the schema does not fit this build or the database cannot be reached.</summary>
    public static async Task<bool> PrepareAsync(IServiceProvider scoped, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            await DatabaseStartup.MigrateIfConfiguredAsync(scoped, cancellationToken);
            return true;
        }
        catch (SchemaMismatchException refused)
        {
            await error.WriteLineAsync(refused.Message);
        }
        catch (Exception failure) when (DatabaseFailures.IsUnavailable(failure))
        {
            await error.WriteLineAsync($"The database cannot be reached: {DatabaseFailures.Describe(failure)}");
        }

        return false;
    }
}

/// <summary>The database's schema, or the rules its keys were made by, are not the ones this build was written for; serving it would half-work.</summary>
public sealed class SchemaMismatchException(string message) : InvalidOperationException(message)
{
    /// <summary>How an operator runs the migration these refusals ask for.</summary>
    public const string MigrateInvocation = "dotnet FlagApi.dll migrate";

    public static void ThrowIfKeysNewer(IReadOnlyList<KeyRulesStatus> keys)
    {
        if (keys.Where(k => k.Stored > k.Build).ToList() is { Count: > 0 } newer)
        {
            throw new SchemaMismatchException(
                $"The stored {Versions(newer)} were made by newer identifier rules than this build's: a newer release re-keyed this " +
                "database, and lookups by this build's rules would miss the entries whose key changed. Deploy that release again, or " +
                "restore the backup taken before it migrated. Refusing to serve keys this build was not written for.");
        }
    }

    public static void ThrowIfKeysBehind(IReadOnlyList<KeyRulesStatus> keys)
    {
        if (keys.Where(k => k.Stored < k.Build).ToList() is { Count: > 0 } behind)
        {
            throw new SchemaMismatchException(
                $"The stored {Versions(behind)} were made by older identifier rules than this build's, and lookups by the new rules " +
                $"would miss the entries whose key changed. Run '{MigrateInvocation}' with this configuration first to re-key " +
                "them (or set Database:MigrateOnStart=true); refusing to serve a database that is behind.");
        }
    }

    /// <summary>"phone keys (rules version 1; this build's: 2)".</summary>
    private static string Versions(IEnumerable<KeyRulesStatus> kinds) =>
        string.Join(" and ", kinds.Select(k => $"{k.Kind.ToWire()} keys (rules version {k.Stored}; this build's: {k.Build})"));

    public static void ThrowIfNewer(SchemaStatus status)
    {
        if (status.IsNewerThanBuild)
        {
            throw new SchemaMismatchException(
                $"The database schema is newer than this build: it has migrations this build does not know " +
                $"({string.Join(", ", status.Unknown)}; this build ends at version {status.LatestVersion}). " +
                "A newer release migrated this database, and the migrations are not reversible: deploy that release again, " +
                "or restore the backup taken before it migrated. Refusing to serve a schema this build was not written for.");
        }
    }
}
