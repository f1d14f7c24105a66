using System.Collections.Frozen;
using FlagApi.Identifiers;

namespace FlagApi.Protection;

/// <summary>A protected identifier as the rule sees it: its canonical match key, how it is written, and why it is protected.</summary>
public sealed record ProtectedItem(long Id, IdentifierKind Kind, string Value, string Display, string Reason);

/// <summary>
/// Why an entry may not be flagged: the protected identifier it would flag, and a sentence saying so. No identifier
/// is named when the entry is a public suffix, which no admin protects: the Public Suffix List does.
/// </summary>
public sealed record ProtectionRefusal(ProtectedItem? Protected, string Detail);

/// <summary>
/// One snapshot of the allowlist and the admins' overrides, and the rule that decides what it protects.
/// </summary>
/// <remarks>
/// Phones, apps and accounts are protected on their exact key. A flagged domain covers all of its
/// subdomains, so a domain entry is refused when it is a protected domain or any parent of one
/// (<c>qq.com</c> when <c>weixin.qq.com</c> is protected, or <c>com</c>); a subdomain of a protected domain
/// is allowed, because fraud pages live on hosting platforms (<c>evil.github.io</c>). A URL entry whose
/// path is <c>/</c> covers its whole host and is judged as that host; a URL entry with a specific path
/// only flags that path and is allowed. An active override lets its exact (kind, key) through.
/// A public suffix (<c>com.cn</c>, <c>github.io</c>: a name of the Public Suffix List, under which anyone can
/// register names) is refused as a domain entry or a URL entry for its whole host, and no override lets it through:
/// it would flag every stranger's site under it.
/// </remarks>
public sealed class ProtectionSet
{
    private const string OverrideHint = " It cannot be flagged unless an admin overrides protection for this entry.";

    private readonly FrozenDictionary<(IdentifierKind Kind, string Value), ProtectedItem> exact;

    /// <summary>Every proper parent of a protected domain, down to its top-level label, and the protected domain under it.</summary>
    private readonly FrozenDictionary<string, ProtectedItem> parents;

    private readonly FrozenSet<(IdentifierKind Kind, string Value)> overrides;

    public ProtectionSet(IEnumerable<ProtectedItem> items, IEnumerable<(IdentifierKind Kind, string Value)> overrides)
    {
        var exactItems = new Dictionary<(IdentifierKind, string), ProtectedItem>();
        var parentItems = new Dictionary<string, ProtectedItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            exactItems.TryAdd((item.Kind, item.Value), item);
            if (item.Kind != IdentifierKind.Domain || IsAddress(item.Value))
            {
                continue;
            }

            for (var dot = item.Value.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = item.Value.IndexOf('.', dot + 1))
            {
                parentItems.TryAdd(item.Value[(dot + 1)..], item);
            }
        }

        exact = exactItems.ToFrozenDictionary();
        parents = parentItems.ToFrozenDictionary(StringComparer.Ordinal);
        this.overrides = overrides.ToFrozenSet();
        Count = exact.Count;
    }

    public static ProtectionSet Empty { get; } = new([], []);

    /// <summary>How many identifiers are protected.</summary>
    public int Count { get; }

    /// <summary>Whether an entry of <paramref name="kind"/> stored under <paramref name="key"/> (<see cref="Matching.EntryKey"/>) may be flagged.</summary>
    public ProtectionRefusal? Check(IdentifierKind kind, string key) =>
        PublicSuffix(kind, key) ?? (overrides.Contains((kind, key)) ? null : CheckIgnoringOverrides(kind, key));

    /// <summary>The refusal of an entry that would flag a whole public suffix, which nothing can override; otherwise null.</summary>
    public static ProtectionRefusal? PublicSuffix(IdentifierKind kind, string key)
    {
        switch (kind)
        {
            case IdentifierKind.Domain when PublicSuffixes.IsPublicSuffix(key):
                return new ProtectionRefusal(null,
                    $"domain {key} is a public suffix (Public Suffix List): anyone can register names under it, so flagging it would flag every site under it. Flag the domain registered under it instead, such as evil.{key}; no override can let a public suffix be flagged.");

            case IdentifierKind.Url when WholeHost(key) is { } host && PublicSuffixes.IsPublicSuffix(host):
                return new ProtectionRefusal(null,
                    $"url {key} would flag every page on {host}, a public suffix (Public Suffix List) under which anyone can register names. Flag the specific site or pages instead; no override can let a public suffix be flagged.");

            default:
                return null;
        }
    }

    /// <summary>What <see cref="Check"/> would refuse, public suffixes aside, without any override: the protected identifier an override would set aside.</summary>
    public ProtectionRefusal? CheckIgnoringOverrides(IdentifierKind kind, string key)
    {
        if (exact.TryGetValue((kind, key), out var item))
        {
            var instead = kind == IdentifierKind.Domain ? " Flag the specific subdomain or pages instead." : string.Empty;
            return new ProtectionRefusal(item, $"{kind.ToWire()} {key} is protected ({Describe(item)}).{instead}{OverrideHint}");
        }

        switch (kind)
        {
            case IdentifierKind.Domain when parents.TryGetValue(key, out var child):
                return new ProtectionRefusal(child,
                    $"domain {key} would flag all of its subdomains, among them the protected domain {child.Value} ({Describe(child)}); flag the specific subdomain instead.{OverrideHint}");

            case IdentifierKind.Url when WholeHost(key) is { } host:
                if (exact.TryGetValue((IdentifierKind.Domain, host), out var protectedHost))
                {
                    return new ProtectionRefusal(protectedHost,
                        $"url {key} would flag every page on {host}, a protected domain ({Describe(protectedHost)}); flag the specific pages instead.{OverrideHint}");
                }

                if (parents.TryGetValue(host, out var under))
                {
                    return new ProtectionRefusal(under,
                        $"url {key} would flag every page on {host} and its subdomains, among them the protected domain {under.Value} ({Describe(under)}); flag the specific pages instead.{OverrideHint}");
                }

                return null;

            default:
                return null;
        }
    }

    /// <summary>
    /// The protected identifier a lookup of <paramref name="canonical"/> is, or lies under: phones, apps and
    /// accounts exactly; a domain or URL when its host is a protected domain or a subdomain of one (the most
    /// specific protected domain is named).
    /// </summary>
    public ProtectedItem? Covering(IdentifierKind kind, string canonical)
    {
        switch (kind)
        {
            case IdentifierKind.Domain:
                return CoveringHost(canonical);
            case IdentifierKind.Url:
                return exact.GetValueOrDefault((IdentifierKind.Url, Matching.EntryKey(kind, canonical))) ?? CoveringHost(Urls.Host(canonical));
            default:
                return exact.GetValueOrDefault((kind, canonical));
        }
    }

    private ProtectedItem? CoveringHost(string host)
    {
        if (exact.TryGetValue((IdentifierKind.Domain, host), out var item))
        {
            return item;
        }

        if (IsAddress(host))
        {
            return null;
        }

        for (var dot = host.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = host.IndexOf('.', dot + 1))
        {
            if (exact.TryGetValue((IdentifierKind.Domain, host[(dot + 1)..]), out var parent))
            {
                return parent;
            }
        }

        return null;
    }

    /// <summary>The host of a URL entry key that is the host and <c>/</c> alone, i.e. flags every page on it; otherwise null.</summary>
    private static string? WholeHost(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash == key.Length - 1 ? key[..slash] : null;
    }

    /// <summary>IP addresses are hosts with no parents: <c>2.3.4</c> is not above <c>1.2.3.4</c>.</summary>
    private static bool IsAddress(string host) =>
        host.StartsWith('[') || (host.Split('.') is { Length: 4 } labels && labels.All(l => l.Length > 0 && l.All(char.IsAsciiDigit)));

    private static string Describe(ProtectedItem item) =>
        item.Display == item.Value ? item.Reason : $"{item.Display}: {item.Reason}";
}
