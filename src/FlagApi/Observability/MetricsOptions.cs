using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace FlagApi.Observability;

/// <summary>The <c>Metrics</c> section: whether <c>/metrics</c> is served, to whom, and how often the database figures are read.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serves <c>/metrics</c>. The meter itself is always there for <c>dotnet-counters</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Networks (<c>10.0.0.0/8</c>) or addresses whose connections may read <c>/metrics</c>; the peer address, never <c>X-Forwarded-For</c>.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>How often the appeal counts and the database's list version are read for the gauges.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Also exports ASP.NET Core's, Kestrel's and the runtime's own meters (request durations, connections, GC, thread pool).</summary>
    public bool FrameworkMeters { get; set; } = true;
}

/// <summary>Who may read <c>/metrics</c>, parsed once from <see cref="MetricsOptions.AllowedNetworks"/>.</summary>
public sealed class MetricsAccess(IOptions<MetricsOptions> options)
{
    private readonly IReadOnlyList<IPNetwork> networks = [.. options.Value.AllowedNetworks.Select(n => TryParseNetwork(n, out var network) ? network : throw new OptionsValidationException(
        MetricsOptions.Section, typeof(MetricsOptions), [$"Metrics:AllowedNetworks: '{n}' is not a network."]))];

    public bool Allows(IPAddress? peer)
    {
        if (peer is null)
        {
            return false;
        }

        // Kestrel's dual-mode sockets report IPv4 peers as ::ffff:a.b.c.d.
        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        foreach (var network in networks)
        {
            if (network.Contains(peer))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A network in CIDR notation (<c>10.0.0.0/8</c>, <c>fd00::/8</c>) or a single address.</summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        text = text?.Trim();
        if (IPNetwork.TryParse(text, out network))
        {
            // 10.1.2.3/8 is refused rather than read as 10.0.0.0/8: whoever wrote it may have meant the one host.
            return IPAddress.TryParse(text.AsSpan(0, text!.IndexOf('/', StringComparison.Ordinal)), out var written) && written.Equals(network.BaseAddress);
        }

        if (text is not null && !text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }
}

internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        List<string> failures = [];
        foreach (var network in options.AllowedNetworks)
        {
            if (!MetricsAccess.TryParseNetwork(network, out _))
            {
                failures.Add($"Metrics:AllowedNetworks: '{network}' is neither an IP address nor a network in CIDR notation "
                    + "(127.0.0.0/8, 10.0.0.0/8, ::1/128); a network's address must have no bits set past its prefix (10.0.0.0/8, not 10.1.2.3/8).");
            }
        }

        if (options.Enabled && options.AllowedNetworks.Count == 0)
        {
            failures.Add("Metrics:AllowedNetworks is empty, so no scraper could read /metrics: list the networks of the scrapers "
                + "(127.0.0.0/8 and ::1/128 for this machine) or set Metrics:Enabled to false.");
        }

        if (options.RefreshInterval <= TimeSpan.Zero)
        {
            failures.Add("Metrics:RefreshInterval must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
