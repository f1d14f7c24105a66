using FlagApi.Demo;
using FlagApi.Identifiers;
using Microsoft.Extensions.Options;

namespace FlagApi.Data;

/// <summary>
/// Runs before the index loads and before the server listens: brings the schema and the stored keys up to date (when
/// <c>Database:MigrateOnStart</c>), refuses to serve a schema or keys behind or newer than this build, and seeds the demo list.
/// </summary>
public sealed class DatabaseStartup(IServiceProvider services, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        try
        {
            await MigrateIfConfiguredAsync(scope.ServiceProvider, cancellationToken);
        }
        catch (SchemaMismatchException refused)
        {
            // The host's own report of a failed start is a stack trace; the operator needs this sentence first.
            logger.LogCritical("{Refusal}", refused.Message);
            throw;
        }

        await DemoList.SeedIfEnabledAsync(scope.ServiceProvider, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task MigrateIfConfiguredAsync(IServiceProvider scoped, CancellationToken cancellationToken)
    {
        var options = scoped.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var migrator = scoped.GetRequiredService<SchemaMigrator>();
        var rekeyer = scoped.GetRequiredService<IdentifierRekeyer>();
        var status = await migrator.StatusAsync(cancellationToken);
        SchemaMismatchException.ThrowIfNewer(status);
        if (options.MigratesOnStart)
        {
            await migrator.ApplyAsync(cancellationToken: cancellationToken);
            await rekeyer.UpgradeAsync(cancellationToken);
            return;
        }

        if (status.Pending.Count > 0)
        {
            throw new SchemaMismatchException(
                $"The database schema is at version {status.CurrentVersion} but this build needs {status.LatestVersion}; " +
                $"missing migrations: {string.Join(", ", status.Pending.Select(m => m.Name))}. " +
                $"Run '{MigrateCommand.Invocation}' with this configuration first (or set Database:MigrateOnStart=true); " +
                "refusing to serve a database that is behind.");
        }

        var keys = await rekeyer.StatusAsync(cancellationToken);
        SchemaMismatchException.ThrowIfKeysNewer(keys);
        SchemaMismatchException.ThrowIfKeysBehind(keys);
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
                $"would miss the entries whose key changed. Run '{MigrateCommand.Invocation}' with this configuration first to re-key " +
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
