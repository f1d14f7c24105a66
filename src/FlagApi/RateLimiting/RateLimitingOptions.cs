using System.Net;
using FlagApi.Keys;
using Microsoft.Extensions.Options;

namespace FlagApi.RateLimiting;

/// <summary>The <c>RateLimiting</c> section: per-tier budgets and the proxies whose <c>X-Forwarded-For</c> is believed.</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>The tiers every caller falls into by role; a key's own tier (its <c>tier</c> column) comes first.</summary>
    public static readonly IReadOnlyList<string> RoleTiers = [Roles.Anonymous, .. Roles.All];

    public bool Enabled { get; set; } = true;

    /// <summary>Addresses (<c>10.0.0.7</c>) and networks (<c>10.0.0.0/8</c>) of reverse proxies.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    public Dictionary<string, RateLimitTier> Tiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// With <c>ConnectionStrings:Redis</c> set, the longest a request waits for Redis to count it before this instance
    /// counts it alone: lookups are answered from memory in well under a millisecond, and a Redis that slow is down.
    /// </summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>After Redis failed, how long every request is counted by this instance alone before Redis is asked again.</summary>
    public TimeSpan RedisRetryInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class RateLimitTier
{
    public BudgetLimit? Lookup { get; set; }

    public BudgetLimit? Write { get; set; }

    public BudgetLimit? Appeal { get; set; }

    public BudgetLimit? Report { get; set; }

    public BudgetLimit? For(RateLimitBudget budget) =>
        budget == RateLimitBudget.Lookup ? Lookup
        : budget == RateLimitBudget.Write ? Write
        : budget == RateLimitBudget.Appeal ? Appeal
        : Report;
}

/// <summary><see cref="PermitLimit"/> requests per <see cref="Window"/>, with bursts of up to <see cref="PermitLimit"/>.</summary>
public sealed record BudgetLimit
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }
}

internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        List<string> failures = [];
        foreach (var proxy in options.TrustedProxies)
        {
            if (!TrustedProxy.TryParse(proxy, out _, out _))
            {
                failures.Add($"RateLimiting:TrustedProxies: '{proxy}' is neither an IP address nor a network in CIDR notation (10.0.0.0/8).");
            }
        }

        foreach (var tier in RateLimitingOptions.RoleTiers)
        {
            if (!options.Tiers.ContainsKey(tier))
            {
                failures.Add($"RateLimiting:Tiers:{tier} is missing: every role needs a tier of that name.");
            }
        }

        foreach (var (tierName, tier) in options.Tiers)
        {
            foreach (var budget in RateLimitBudget.All)
            {
                var section = $"RateLimiting:Tiers:{tierName}:{Capitalize(budget.Name)}";
                switch (tier?.For(budget))
                {
                    case null when RateLimitingOptions.RoleTiers.Contains(tierName):
                        failures.Add($"{section} is missing: a role's tier needs every budget (a key's own tier may leave one to its role).");
                        break;
                    case null:
                        break;
                    case { PermitLimit: < 1 }:
                        failures.Add($"{section}:PermitLimit must be at least 1.");
                        break;
                    case { Window: var window } when window < TimeSpan.FromSeconds(1) || window.Ticks % TimeSpan.TicksPerSecond != 0:
                        failures.Add($"{section}:Window must be a whole number of seconds, at least one (the RateLimit-Policy header has no finer unit).");
                        break;
                }
            }
        }

        if (options.RedisTimeout < TimeSpan.FromMilliseconds(10) || options.RedisTimeout > TimeSpan.FromSeconds(2))
        {
            failures.Add("RateLimiting:RedisTimeout must be from 00:00:00.010 to 00:00:02: every limited request may wait that long for Redis.");
        }

        if (options.RedisRetryInterval < TimeSpan.FromSeconds(1) || options.RedisRetryInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add("RateLimiting:RedisRetryInterval must be from 00:00:01 to 00:10:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Capitalize(string name) => char.ToUpperInvariant(name[0]) + name[1..];
}

internal static class TrustedProxy
{
    public static bool TryParse(string? text, out IPAddress? address, out IPNetwork? network)
    {
        address = null;
        network = null;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value.Contains('/', StringComparison.Ordinal))
        {
            if (IPNetwork.TryParse(value, out var parsed))
            {
                network = parsed;
                return true;
            }

            return false;
        }

        return IPAddress.TryParse(value, out address);
    }
}
