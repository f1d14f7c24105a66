namespace FlagApi.Identifiers;

/// <summary>Domains: lowercase ASCII (punycode), no trailing dot. Placeholder until the rules land.</summary>
public static class Domains
{
    public static CanonicalResult Canonicalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CanonicalResult.Invalid("invalid_domain", "Domain rules are not implemented yet.");
    }

    /// <summary>The host itself and every parent domain of at least two labels; an IP address only itself.</summary>
    public static IReadOnlyList<string> SelfAndParents(string canonicalHost) => throw new NotImplementedException();
}
