using FlagApi.Data;
using FlagApi.Health;
using FlagApi.Keys;
using FlagApi.Lists;

namespace FlagApi;

/// <summary>
/// The service's commands besides serving: <c>import</c> (a list file), <c>keys</c> (API keys), <c>migrate</c> (the schema)
/// and <c>probe</c> (the container's health check).
/// </summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public static bool IsInvoked(string[] args) =>
        args.Length > 0 && args[0] is ImportCommand.Name or KeysCommand.Name or MigrateCommand.Name or ProbeCommand.Name;

    /// <summary>Strips a command's own arguments so the host's configuration does not read them as settings.</summary>
    // A command does not watch its configuration files: the watcher sees every write under the content root, the
    // SQLite database's included when the data folder is inside it (an import of a million rows ran 11 % slower).
    public static string[] HostArguments(string[] args) => IsInvoked(args) ? ["--hostBuilder:reloadConfigOnChange=false"] : args;

    public static Task<int> RunAsync(IServiceProvider services, string[] args) => args[0] switch
    {
        ImportCommand.Name => ImportCommand.RunAsync(services, args, Console.Out, Console.Error),
        MigrateCommand.Name => MigrateCommand.RunAsync(services, args[1..], Console.Out, Console.Error),
        ProbeCommand.Name => ProbeCommand.RunAsync(services.GetRequiredService<IConfiguration>(), args[1..], Console.Out, Console.Error),
        _ => KeysCommand.RunAsync(services, args[1..], Console.Out, Console.Error),
    };

    /// <summary>Reads <c>--name value</c> pairs, each of the allowed names at most once.</summary>
    public static bool TryParseOptions(string[] args, IReadOnlyCollection<string> allowed, out Dictionary<string, string> options, out string problem)
    {
        options = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!allowed.Contains(name))
            {
                problem = $"Unknown option '{name}'; the options are {string.Join(", ", allowed)}.";
                return false;
            }

            if (i + 1 >= args.Length || string.IsNullOrWhiteSpace(args[i + 1]))
            {
                problem = $"{name} needs a value.";
                return false;
            }

            if (!options.TryAdd(name, args[++i].Trim()))
            {
                problem = $"{name} is given twice.";
                return false;
            }
        }

        return true;
    }
}
