namespace FlagApi;

/// <summary>
/// A command the service runs instead of serving (<c>dotnet FlagApi.dll NAME …</c>). Each capability registers its own in
/// its <c>Add…</c> method and declares its name with <see cref="CommandLine.Declare"/>, so that the command line, which only
/// finds them, uses no capability.
/// </summary>
public interface ICommand
{
    /// <summary>The word that invokes the command, the first argument after the host's own.</summary>
    string Name { get; }

    /// <summary>Runs the command with its arguments (those after its name) and answers the process's exit code.</summary>
    Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter errorOutput, CancellationToken cancellationToken = default);
}
