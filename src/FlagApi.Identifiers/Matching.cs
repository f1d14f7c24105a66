namespace FlagApi.Identifiers;

/// <summary>
/// One key to probe in the index of flagged entries: which kind of entry it would be, its key,
/// and the expression of the looked-up identifier that produced it.
/// </summary>
public readonly record struct MatchProbe(IdentifierKind EntryKind, string Key);

/// <summary>
/// How canonical identifiers meet entries. An entry is stored under one key; a lookup probes a
/// small set of keys. Hashes for k-anonymity lookups are taken of the same keys.
/// </summary>
public static class Matching
{
    /// <summary>
    /// The key an entry is stored and hashed under. For URLs that is the Safe Browsing expression
    /// (host, path and query without scheme), so <c>http://</c> and <c>https://</c> spellings of
    /// one page are one entry; every other kind is keyed by its canonical form.
    /// </summary>
    public static string EntryKey(IdentifierKind kind, string canonical) =>
        kind == IdentifierKind.Url ? Urls.Expression(canonical) : canonical;

    /// <summary>
    /// The keys a lookup of <paramref name="canonical"/> probes, most specific first.
    /// A URL probes its Safe Browsing expressions and every domain entry on its host's suffixes;
    /// a domain probes itself, its parents, and URL entries that cover a whole host.
    /// </summary>
    public static IReadOnlyList<MatchProbe> Probes(IdentifierKind kind, string canonical)
    {
        switch (kind)
        {
            case IdentifierKind.Url:
            {
                var expressions = Urls.Expressions(canonical);
                var hosts = Domains.SelfAndParents(Urls.Host(canonical));
                var probes = new List<MatchProbe>(expressions.Count + hosts.Count);
                foreach (var expression in expressions)
                {
                    probes.Add(new MatchProbe(IdentifierKind.Url, expression));
                }

                foreach (var host in hosts)
                {
                    probes.Add(new MatchProbe(IdentifierKind.Domain, host));
                }

                return probes;
            }

            case IdentifierKind.Domain:
            {
                var hosts = Domains.SelfAndParents(canonical);
                var probes = new List<MatchProbe>(hosts.Count * 2);
                foreach (var host in hosts)
                {
                    probes.Add(new MatchProbe(IdentifierKind.Domain, host));
                    probes.Add(new MatchProbe(IdentifierKind.Url, host + "/"));
                }

                return probes;
            }

            default:
                return [new MatchProbe(kind, canonical)];
        }
    }
}
