using System.Globalization;
using System.Runtime.CompilerServices;

namespace FlagApi.Health;

/// <summary>
/// <c>dotnet FlagApi.dll probe [URL]</c>: asks a running instance whether it is ready and exits 0 only on 200.
/// The container's HEALTHCHECK uses it because the ASP.NET Core runtime image has neither curl nor wget.
/// Without a URL it probes <c>/health/ready</c> on the port this instance is configured to listen on.
/// </summary>
public sealed class ProbeCommand : ICommand
{
    public const string Name = "probe";

    string ICommand.Name => Name;

    Task<int> ICommand.RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter errorOutput, CancellationToken cancellationToken) =>
        RunAsync(services.GetRequiredService<IConfiguration>(), args, output, errorOutput, cancellationToken);

    [ModuleInitializer]
    internal static void Declare() => CommandLine.Declare(Name);

    public const string ReadyPath = "/health/ready";

    private const string UsageText =
        "usage: FlagApi probe [URL]\n" +
        "  Exits 0 when URL (default: /health/ready on the port from ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS) answers 200.";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(IConfiguration configuration, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length > 1 || (args.Length == 1 && !IsHttpAddress(args[0])))
        {
            await error.WriteLineAsync(UsageText);
            return CommandLine.Usage;
        }

        Uri target;
        if (args.Length == 1)
        {
            target = new Uri(args[0]);
        }
        else if (!TryDefaultTarget(configuration, out target, out var problem))
        {
            await error.WriteLineAsync(problem);
            return CommandLine.Usage;
        }

        // The probe talks to this machine's own process; a proxy from the environment must not carry it elsewhere.
        using var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(target, cancellationToken);
            var status = (int)response.StatusCode;
            if (status == StatusCodes.Status200OK)
            {
                await output.WriteLineAsync($"ready: {status} from {target}");
                return CommandLine.Ok;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            await error.WriteLineAsync($"not ready: {status} from {target} {Truncate(body)}");
            return CommandLine.Failed;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"not ready: {target} did not answer ({ex.Message})");
            return CommandLine.Failed;
        }
    }

    /// <summary>
    /// Where this instance's readiness answers, read the way Kestrel reads its addresses: the first http address of
    /// <c>urls</c>, else the first of <c>http_ports</c>, else Kestrel's default port 5000; any-address hosts become 127.0.0.1.
    /// </summary>
    public static bool TryDefaultTarget(IConfiguration configuration, out Uri target, out string problem)
    {
        target = null!;
        problem = string.Empty;
        int port;
        var host = "127.0.0.1";
        if (configuration["urls"] is { Length: > 0 } urls)
        {
            var address = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(BindingAddress.Parse)
                .FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp && !a.IsUnixPipe);
            if (address is null)
            {
                problem = $"ASPNETCORE_URLS ({urls}) has no http address to probe; pass the URL to probe.";
                return false;
            }

            port = address.Port;
            if (address.Host is not ("+" or "*" or "0.0.0.0" or "[::]" or "localhost"))
            {
                host = address.Host;
            }
        }
        else if (configuration["http_ports"] is { Length: > 0 } ports)
        {
            var first = ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                problem = $"ASPNETCORE_HTTP_PORTS ({ports}) does not start with a port number; pass the URL to probe.";
                return false;
            }
        }
        else
        {
            port = 5000;
        }

        if (port is <= 0 or > 65535)
        {
            problem = $"The configured port ({port}) is not one a probe can reach; pass the URL to probe.";
            return false;
        }

        target = new UriBuilder(Uri.UriSchemeHttp, host, port, ReadyPath).Uri;
        return true;
    }

    private static bool IsHttpAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static string Truncate(string body) => body.Length <= 500 ? body : body[..500];
}
