namespace FlagApi.Identifiers;

/// <summary>Safe Browsing v4 URL canonicalization and suffix/prefix expressions. Placeholder until the rules land.</summary>
public static class Urls
{
    /// <summary>The canonical URL, e.g. <c>http://www.google.com/</c>.</summary>
    public static CanonicalResult Canonicalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CanonicalResult.Invalid("invalid_url", "URL rules are not implemented yet.");
    }

    /// <summary>The full expression of a canonical URL: host, path and query without scheme, e.g. <c>a.b.c/1/2.html?param=1</c>.</summary>
    public static string Expression(string canonicalUrl) => throw new NotImplementedException();

    /// <summary>The host of a canonical URL.</summary>
    public static string Host(string canonicalUrl) => throw new NotImplementedException();

    /// <summary>Every suffix/prefix expression of a canonical URL (at most 5 host suffixes × 6 path prefixes).</summary>
    public static IReadOnlyList<string> Expressions(string canonicalUrl) => throw new NotImplementedException();
}
