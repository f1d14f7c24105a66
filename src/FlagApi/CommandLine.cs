using System.Collections.Concurrent;

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

    /// <summary>The option of the host a command line may start with: <c>dotnet run</c> passes the project folder this way (FlagApi.csproj).</summary>
    public const string ContentRootOption = "--contentRoot";

    /// <summary>The names of the commands, known before the host is built: it is built differently for a command.</summary>
    private static readonly ConcurrentDictionary<string, bool> Declared = new(StringComparer.Ordinal);

    /// <summary>
    /// Declares a command's name. Each <see cref="ICommand"/> declares its own from a module initializer, which runs when
    /// the assembly loads: <see cref="HostArguments"/> needs the names before the host builder exists, and the
    /// capabilities' <c>Add…</c> methods, which register the commands themselves, need that builder.
    /// </summary>
    public static void Declare(string name) => Declared.TryAdd(name, true);

    public static bool IsInvoked(string[] args) => CommandArguments(args) is [var name, ..] && Declared.ContainsKey(name);

    /// <summary>
    /// Strips a command's own arguments so the host's configuration does not read them as settings; a leading
    /// <c>--contentRoot DIR</c> stays the host's.
    /// </summary>
    // A command does not watch its configuration files: the watcher sees every write under the content root, the
    // SQLite database's included when the data folder is inside it (an import of a million rows ran 11 % slower).
    public static string[] HostArguments(string[] args) =>
        IsInvoked(args) ? [.. args[..LeadingHostArguments(args)], "--hostBuilder:reloadConfigOnChange=false"] : args;

    /// <summary>The command and its arguments: the command line without the host's leading <c>--contentRoot DIR</c>.</summary>
    public static string[] CommandArguments(string[] args) => args[LeadingHostArguments(args)..];

    public static Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var command = CommandArguments(args);
        var registered = services.GetServices<ICommand>().SingleOrDefault(c => c.Name == command[0])
            ?? throw new InvalidOperationException($"The command '{command[0]}' is declared but not registered: its capability's Add method registers it as an ICommand.");
        return registered.RunAsync(services, command[1..], Console.Out, Console.Error);
    }

    /// <summary>
    /// A path the caller typed, made absolute against the working directory the command was started in. <c>dotnet run</c>
    /// starts the app in the caller's folder (FlagApi.csproj sets <c>RunWorkingDirectory</c>), not the project's.
    /// </summary>
    public static string CallerPath(string path) => Path.GetFullPath(path, Environment.CurrentDirectory);

    private static int LeadingHostArguments(string[] args) => args switch
    {
        [var option, _, ..] when option.Equals(ContentRootOption, StringComparison.OrdinalIgnoreCase) => 2,
        [var option, ..] when option.StartsWith(ContentRootOption + "=", StringComparison.OrdinalIgnoreCase) => 1,
        _ => 0,
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
