using FlagApi.Data;
using Microsoft.Extensions.Options;

namespace FlagApi;

/// <summary>
/// What the process needs before and around its host: the content root it is built on, and a failed start told to the
/// operator as one line rather than as a stack trace.
/// </summary>
public static class ServiceStart
{
    /// <summary>
    /// The content root, where <c>appsettings.json</c> is read and relative data folders are placed. One set by the host's own
    /// means (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>, <c>DOTNET_CONTENTROOT</c>) stands, and null says so.
    /// Otherwise it is the folder of this assembly, not the working directory: <c>dotnet /srv/flagapi/FlagApi.dll</c> started
    /// from anywhere (a systemd unit without <c>WorkingDirectory=</c>) reads the settings published beside it.
    /// </summary>
    public static string? ContentRoot(string[] hostArgs)
    {
        var configured = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(hostArgs)
            .Build()[HostDefaults.ContentRootKey];
        return string.IsNullOrWhiteSpace(configured) ? AppContext.BaseDirectory : null;
    }

    /// <summary>
    /// True when this app is the process (<c>dotnet FlagApi.dll</c>), false when a test host runs its entry point
    /// (WebApplicationFactory), which must see a failed start as the exception it is.
    /// </summary>
    public static bool IsOwnProcess => System.Reflection.Assembly.GetEntryAssembly() == typeof(ServiceStart).Assembly;

    /// <summary>
    /// The one line an operator needs when the start failed on its configuration (a value that does not validate or does not
    /// convert), on a database this build must not serve, or on one that could lose acknowledged writes; null for any other
    /// failure, which keeps its stack trace.
    /// </summary>
    public static string? Refusal(Exception failure) => failure switch
    {
        OptionsValidationException invalid => Configuration(invalid.Failures),
        AggregateException { InnerExceptions: var inner } when inner.Count > 0 && inner.All(e => e is OptionsValidationException) =>
            Configuration(inner.Cast<OptionsValidationException>().SelectMany(e => e.Failures)),
        InvalidOperationException when failure.TargetSite?.DeclaringType?.Assembly == typeof(ConfigurationBinder).Assembly =>
            $"The configuration is not valid: {OneLine(failure.Message)}",
        SchemaMismatchException refused => OneLine(refused.Message),
        UndurableCommitsException refused => OneLine(refused.Message),
        _ => null,
    };

    private static string Configuration(IEnumerable<string> failures) =>
        $"The configuration is not valid: {string.Join(" ", failures.Distinct(StringComparer.Ordinal).Select(OneLine))}";

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
