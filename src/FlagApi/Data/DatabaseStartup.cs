using FlagApi.Identifiers;
using Microsoft.Extensions.Options;

namespace FlagApi.Data;

/// <summary>
/// Brings the schema and the stored keys up to date (when <c>Database:MigrateOnStart</c>) and refuses to serve a schema or
/// keys behind or newer than this build, before anything reads the database. By construction, not by the order of lines in
/// Program.cs: the host runs every hosted service's <see cref="IHostedLifecycleService.StartingAsync"/> before any
/// <see cref="IHostedService.StartAsync"/>, and the loaders (the lookup index, protections, keys, report signals) load in
/// StartAsync. A service that must write while the service starts (the demo list) runs in StartingAsync and waits for
/// <see cref="ReadyAsync"/>, which checks and migrates once, whichever asks first.
/// </summary>
public sealed class DatabaseStartup(IServiceProvider services, ILogger<DatabaseStartup> logger) : IHostedLifecycleService
{
    private readonly Lazy<Task> ready = new(() => PrepareAsync(services, logger), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Completes once the schema and the keys fit this build; throws <see cref="SchemaMismatchException"/> when they do not.</summary>
    public Task ReadyAsync(CancellationToken cancellationToken = default) => ready.Value.WaitAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => ReadyAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task PrepareAsync(IServiceProvider services, ILogger logger)
    {
        await using var scope = services.CreateAsyncScope();
        try
        {
            await MigrateIfConfiguredAsync(scope.ServiceProvider, CancellationToken.None);
        }
        catch (SchemaMismatchException refused)
        {
            // The host's own report of a failed start is a stack trace; the operator needs this sentence first.
            logger.LogCritical("{Refusal}", refused.Message);
            throw;
        }
        catch (Exception failure) when (DatabaseFailures.IsUnavailable(failure))
        {
            var provider = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider;
            logger.LogCritical("Cannot reach the {Database} database ({Reason}); not starting. Check ConnectionStrings:FlagApi and that the database is running.",
                provider.DisplayName(), DatabaseFailures.Describe(failure));
            throw;
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
