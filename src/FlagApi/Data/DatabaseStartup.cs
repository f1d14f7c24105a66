using FlagApi.Demo;
using Microsoft.Extensions.Options;

namespace FlagApi.Data;

/// <summary>
/// Runs before the index loads and before the server listens: brings the schema up to date (when
/// <c>Database:MigrateOnStart</c>), refuses to serve a schema that is behind or newer than this build, and seeds the demo list.
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
        var status = await migrator.StatusAsync(cancellationToken);
        SchemaMismatchException.ThrowIfNewer(status);
        if (options.MigratesOnStart)
        {
            await migrator.ApplyAsync(cancellationToken: cancellationToken);
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

/// <summary>The database's schema is not the one this build was written for; serving it would half-work.</summary>
public sealed class SchemaMismatchException(string message) : InvalidOperationException(message)
{
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
