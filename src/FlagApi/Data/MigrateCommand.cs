using System.Globalization;
using Microsoft.Extensions.Options;

namespace FlagApi.Data;

/// <summary>
/// <c>dotnet FlagApi.dll migrate</c> (or <c>dotnet run --project src/FlagApi -- migrate</c>): applies the configured
/// provider's pending schema migrations, so a deployment on PostgreSQL migrates once, before its instances roll out.
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";

    public const string Invocation = "dotnet FlagApi.dll migrate";

    private const string UsageText =
        "usage: FlagApi migrate\n" +
        "Applies the pending schema migrations of the configured database (Database:Provider, ConnectionStrings:FlagApi).";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length > 0)
        {
            await error.WriteLineAsync(args[0] is "-h" or "--help" ? UsageText : $"migrate takes no arguments, got '{args[0]}'.\n{UsageText}");
            return CommandLine.Usage;
        }

        var provider = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider;
        await using var scope = services.CreateAsyncScope();
        var migrator = scope.ServiceProvider.GetRequiredService<SchemaMigrator>();
        try
        {
            var status = await migrator.StatusAsync(cancellationToken);
            SchemaMismatchException.ThrowIfNewer(status);
            if (status.Pending.Count == 0)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"The {provider} schema is current (version {status.LatestVersion}); nothing to apply."));
                return CommandLine.Ok;
            }

            var applied = await migrator.ApplyAsync(cancellationToken: cancellationToken);
            foreach (var migration in applied)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Applied version {migration.Version}: {migration.Name}"));
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"The {provider} schema is at version {status.LatestVersion} ({applied.Count} {(applied.Count == 1 ? "migration" : "migrations")} applied)."));
            return CommandLine.Ok;
        }
        catch (SchemaMismatchException refused)
        {
            await error.WriteLineAsync(refused.Message);
            return CommandLine.Failed;
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
        {
            await error.WriteLineAsync($"Cannot reach the {provider} database ({DatabaseFailures.Describe(ex)}); nothing was applied. " +
                "Check ConnectionStrings:FlagApi and that the database is running.");
            return CommandLine.Failed;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException)
        {
            // Each script commits with its version row, so the failed one left nothing and the schema stays where it was.
            await error.WriteLineAsync($"A migration failed ({ex.GetType().Name}: {ex.Message}); the failed migration left nothing behind. " +
                $"Run '{Invocation}' again once the cause is fixed.");
            return CommandLine.Failed;
        }
    }
}
