using FlagApi.Demo;
using Microsoft.Extensions.Options;

namespace FlagApi.Data;

/// <summary>
/// Runs before the index loads and before the server listens: brings the schema up to date (when
/// <c>Database:MigrateOnStart</c>), refuses to serve a schema that is behind, and seeds the demo list.
/// </summary>
public sealed class DatabaseStartup(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await MigrateIfConfiguredAsync(scope.ServiceProvider, cancellationToken);
        await DemoList.SeedIfEnabledAsync(scope.ServiceProvider, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task MigrateIfConfiguredAsync(IServiceProvider scoped, CancellationToken cancellationToken)
    {
        var options = scoped.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var migrator = scoped.GetRequiredService<SchemaMigrator>();
        if (options.MigrateOnStart)
        {
            await migrator.MigrateAsync(cancellationToken: cancellationToken);
            return;
        }

        var current = await migrator.CurrentVersionAsync(cancellationToken);
        if (current < migrator.LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database schema is at version {current} but this build needs {migrator.LatestVersion}. " +
                "Run the migrations first (or set Database:MigrateOnStart=true); refusing to serve a database that is behind.");
        }
    }
}
