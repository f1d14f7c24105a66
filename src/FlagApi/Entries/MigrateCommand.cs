using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using FlagApi.Data;
using FlagApi.Identifiers;
using Microsoft.Extensions.Options;

namespace FlagApi.Entries;

/// <summary>
/// <c>dotnet FlagApi.dll migrate</c> (or <c>dotnet run --project src/FlagApi -- migrate</c>): applies the configured
/// provider's pending schema migrations, then re-keys stored identifiers whose rules changed, so a deployment on
/// PostgreSQL migrates once, before its instances roll out.
/// </summary>
public sealed class MigrateCommand : ICommand
{
    public const string Name = "migrate";

    string ICommand.Name => Name;

    Task<int> ICommand.RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter errorOutput, CancellationToken cancellationToken) =>
        RunAsync(services, args, output, errorOutput, cancellationToken);

    [ModuleInitializer]
    internal static void Declare() => CommandLine.Declare(Name);

    public const string Invocation = SchemaMismatchException.MigrateInvocation;

    private const string UsageText =
        "usage: FlagApi migrate\n" +
        "Applies the pending schema migrations of the configured database (Database:Provider, ConnectionStrings:FlagApi),\n" +
        "then re-keys the stored identifiers of every kind whose rules this build changed.";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length > 0)
        {
            await error.WriteLineAsync(args[0] is "-h" or "--help" ? UsageText : $"migrate takes no arguments, got '{args[0]}'.\n{UsageText}");
            return CommandLine.Usage;
        }

        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var provider = options.Provider;
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
            }
            else
            {
                var applied = await migrator.ApplyAsync(cancellationToken: cancellationToken);
                foreach (var migration in applied)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Applied version {migration.Version}: {migration.Name}"));
                }

                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"The {provider} schema is at version {status.LatestVersion} ({applied.Count} {(applied.Count == 1 ? "migration" : "migrations")} applied)."));
            }

            foreach (var rekeyed in await scope.ServiceProvider.GetRequiredService<IdentifierRekeyer>().UpgradeAsync(cancellationToken))
            {
                await output.WriteLineAsync(Describe(rekeyed));
            }

            // Said here too, so that a deployment learns of it before its instances refuse to start on it.
            foreach (var risk in await DurabilityCheck.RisksAsync(scope.ServiceProvider, cancellationToken))
            {
                await error.WriteLineAsync(risk.Warning(options.RequireDurableCommits));
            }

            return CommandLine.Ok;
        }
        catch (SchemaMismatchException refused)
        {
            await error.WriteLineAsync(refused.Message);
            return CommandLine.Failed;
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
        {
            await error.WriteLineAsync($"Cannot reach the {provider.DisplayName()} database ({DatabaseFailures.Describe(ex)}); nothing was applied. " +
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

    /// <summary>What re-keying one kind did, for the operator: counts, and the ids of what needs a person's eye.</summary>
    private static string Describe(RekeyResult result)
    {
        var kind = result.Kind.ToWire();
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"Re-keyed the {kind} entries from identifier rules version {result.FromVersion} to {result.ToVersion}: {result.Read} read, " +
            $"{result.Rekeyed} took a new key, {result.Merged.Count} merged into the entry holding theirs"));
        if (result.Kept.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {result.Kept.Count} invalid under the new rules, kept as they were (entries {string.Join(", ", result.Kept)})");
        }

        foreach (var rows in result.Others.Where(o => o.Rekeyed + o.Retired.Count + o.Kept.Count > 0))
        {
            text.Append(CultureInfo.InvariantCulture, $"; {rows.Table}: {rows.Rekeyed} took a new key");
            if (rows.Retired.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", {rows.Retired.Count} ended as another holds their new key (ids {string.Join(", ", rows.Retired)})");
            }

            if (rows.Kept.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", {rows.Kept.Count} kept their old key (ids {string.Join(", ", rows.Kept)})");
            }
        }

        return text.Append(CultureInfo.InvariantCulture, $". The list is at version {result.ListVersion}.").ToString();
    }
}
