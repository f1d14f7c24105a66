using System.Globalization;
using System.Runtime.CompilerServices;
using FlagApi.Data;
using FlagApi.Problems;

namespace FlagApi.Keys;

/// <summary>
/// <c>dotnet run --project src/FlagApi -- keys create --role ROLE --name NAME [--agency AGENCY] [--tier TIER]</c>,
/// <c>keys list</c> and <c>keys revoke ID</c>: key management for a first deployment, before any admin key exists.
/// </summary>
public sealed class KeysCommand : ICommand
{
    public const string Name = "keys";

    string ICommand.Name => Name;

    Task<int> ICommand.RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter errorOutput, CancellationToken cancellationToken) =>
        RunAsync(services, args, output, errorOutput, cancellationToken);

    [ModuleInitializer]
    internal static void Declare() => CommandLine.Declare(Name);

    private const string UsageText =
        "usage: FlagApi keys create --role app|publisher|reviewer|admin --name NAME [--agency AGENCY] [--tier TIER]\n" +
        "       FlagApi keys list\n" +
        "       FlagApi keys revoke ID";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0)
        {
            await error.WriteLineAsync(UsageText);
            return CommandLine.Usage;
        }

        await using var scope = services.CreateAsyncScope();
        if (!await CommandDatabase.PrepareAsync(scope.ServiceProvider, error, cancellationToken))
        {
            return CommandLine.Failed;
        }

        var keys = scope.ServiceProvider.GetRequiredService<KeyService>();
        try
        {
            switch (args[0])
            {
                case "create":
                    if (!CommandLine.TryParseOptions(args[1..], ["--role", "--name", "--agency", "--tier"], out var options, out var problem)
                        || !Required(options, ["--role", "--name"], out problem))
                    {
                        await error.WriteLineAsync(problem);
                        await error.WriteLineAsync(UsageText);
                        return CommandLine.Usage;
                    }

                    var created = await keys.CreateAsync(
                        new CreateKeyRequest(options.GetValueOrDefault("--name"), options.GetValueOrDefault("--role"), options.GetValueOrDefault("--agency"), options.GetValueOrDefault("--tier")),
                        "keys-command", cancellationToken);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"Created key {created.Id} '{created.Name}' ({created.Role}{(created.Agency is null ? "" : ", " + created.Agency)}), prefix {created.Prefix}."));
                    await output.WriteLineAsync("The secret is shown this once; store it now:");
                    await output.WriteLineAsync(created.Key);
                    return CommandLine.Ok;
                case "list" when args.Length == 1:
                    foreach (var k in await keys.ListAsync(cancellationToken))
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"{k.Id}\t{k.Prefix}\t{k.Role}\t{k.Agency ?? "-"}\t{k.Name}\t{(k.RevokedAt is null ? "active" : "revoked " + k.RevokedAt.Value.ToString("u", CultureInfo.InvariantCulture))}"));
                    }

                    return CommandLine.Ok;
                case "revoke" when args.Length == 2 && long.TryParse(args[1], CultureInfo.InvariantCulture, out var id):
                    if (await keys.RevokeAsync(id, "keys-command", cancellationToken) is null)
                    {
                        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"There is no key with id {id}."));
                        return CommandLine.Failed;
                    }

                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Key {id} is revoked."));
                    return CommandLine.Ok;
                default:
                    await error.WriteLineAsync(UsageText);
                    return CommandLine.Usage;
            }
        }
        catch (ProblemException refused)
        {
            await error.WriteLineAsync($"{refused.Code}: {refused.Detail}");
            return CommandLine.Failed;
        }
    }

    private static bool Required(Dictionary<string, string> options, string[] names, out string problem)
    {
        var missing = names.Where(n => !options.ContainsKey(n)).ToList();
        problem = missing.Count == 0 ? string.Empty : $"keys create needs {string.Join(" and ", missing)}.";
        return missing.Count == 0;
    }
}
