using System.Text;

namespace FlagApi.Identifiers;

/// <summary>
/// Safe Browsing v4 URL canonicalization and suffix/prefix expressions
/// (developers.google.com/safe-browsing/v4/urls-hashing).
/// </summary>
public static class Urls
{
    private const string InvalidCode = "invalid_url";

    /// <summary>The canonical URL, e.g. <c>http://www.google.com/</c>.</summary>
    public static CanonicalResult Canonicalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);

        // Safe Browsing v4: tab, CR and LF go first, wherever they are; their escapes (%0A) stay.
        var text = TrimSpace(RemoveTabsAndNewlines(input));
        if (text.Length == 0)
        {
            return Invalid("The URL is empty.");
        }

        // The fragment goes before unescaping, so an escaped '#' (%23) stays part of the URL.
        var fragment = text.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            text = text[..fragment];
        }

        ReadOnlySpan<byte> rest = UrlEscaping.ToBytes(text);

        // The structure is read before unescaping, as browsers read it: in http://good.example%2F@evil.example/ the
        // browser goes to evil.example, and so must the lookup.
        var scheme = "http";
        var schemeGiven = false;
        // "www.google.com:8080/" is a host and port, not a scheme: no scheme has a dot, nearly every host name does.
        var colon = SchemeLength(rest);
        if (colon > 0 && rest[..colon].IndexOf((byte)'.') < 0)
        {
            scheme = HostNames.LowerAscii(Encoding.ASCII.GetString(rest[..colon]));
            if (scheme is not ("http" or "https"))
            {
                return Invalid($"Only http and https URLs are accepted; this one starts with “{Shorten(scheme)}:”.");
            }

            rest = rest[(colon + 1)..];
            if (rest.Length < 2 || !IsSlash(rest[0]) || !IsSlash(rest[1]))
            {
                return Invalid($"After “{scheme}:” a URL needs “//” and a host name, as in {scheme}://example.com/.");
            }

            rest = rest[2..];
            schemeGiven = true;
        }
        else if (rest.Length >= 2 && IsSlash(rest[0]) && IsSlash(rest[1]))
        {
            rest = rest[2..];
            schemeGiven = true;
        }

        // Browsers end the authority at a backslash too, so http://evil.example\@good.example/ is on evil.example.
        var authorityEnd = rest.IndexOfAny("/\\?"u8);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        rest = authorityEnd < 0 ? [] : rest[authorityEnd..];

        // User name and password are not part of any expression (Safe Browsing v4: "discarded").
        var at = authority.LastIndexOf((byte)'@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (!TrySplitPort(authority, out var host, out var portError))
        {
            return Invalid(portError);
        }

        if (!HostNames.TryCanonicalUrlHost(UrlEscaping.UnescapeRepeatedly(host), out var canonicalHost, out var hostError))
        {
            return Invalid(hostError);
        }

        // Without a scheme, free text ("call me", "evil") would pass as a host: a bare host needs a dot.
        if (!schemeGiven && !canonicalHost.Contains('.', StringComparison.Ordinal) && canonicalHost[0] != '[')
        {
            return Invalid("Without http:// or https:// in front, a URL needs a host name with a dot in it, such as example.com.");
        }

        var builder = new StringBuilder(scheme.Length + 3 + canonicalHost.Length + rest.Length + 1);
        builder.Append(scheme).Append("://").Append(canonicalHost);

        // Path and query are unescaped before they are told apart, so an escaped '?' (%3F) starts the query: a
        // canonical path then never holds a '?' that would read as a query the second time.
        var tail = UrlEscaping.UnescapeRepeatedly(rest);
        var queryStart = Array.IndexOf(tail, (byte)'?');
        AppendCanonicalPath(builder, queryStart < 0 ? tail : tail[..queryStart]);
        if (queryStart >= 0)
        {
            // Safe Browsing v4: the path rules do not apply to the query; it is only unescaped and escaped.
            builder.Append('?');
            UrlEscaping.AppendEscaped(builder, tail.AsSpan(queryStart + 1));
        }

        return CanonicalResult.Ok(builder.ToString());
    }

    /// <summary>The full expression of a canonical URL: host, path and query without scheme, e.g. <c>a.b.c/1/2.html?param=1</c>.</summary>
    public static string Expression(string canonicalUrl)
    {
        ArgumentNullException.ThrowIfNull(canonicalUrl);
        var separator = canonicalUrl.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new ArgumentException("Expected a canonical URL such as http://example.com/; canonicalize the input first.", nameof(canonicalUrl));
        }

        return canonicalUrl[(separator + 3)..];
    }

    /// <summary>The host of a canonical URL.</summary>
    public static string Host(string canonicalUrl)
    {
        var expression = Expression(canonicalUrl);
        var slash = expression.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? expression : expression[..slash];
    }

    /// <summary>Every suffix/prefix expression of a canonical URL (at most 5 host suffixes × 6 path prefixes).</summary>
    public static IReadOnlyList<string> Expressions(string canonicalUrl)
    {
        var expression = Expression(canonicalUrl);
        var slash = expression.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? expression : expression[..slash];
        var pathAndQuery = slash < 0 ? "/" : expression[slash..];

        var paths = PathPrefixes(pathAndQuery);
        var expressions = new List<string>();
        foreach (var suffix in HostSuffixes(host))
        {
            foreach (var path in paths)
            {
                var candidate = suffix + path;
                if (!expressions.Contains(candidate))
                {
                    expressions.Add(candidate);
                }
            }
        }

        return expressions;
    }

    /// <summary>
    /// Safe Browsing v4: the exact host, then up to four hosts formed from the last five components by removing the
    /// leading one, never the top-level domain alone; an IP address is not split. Only the last five components are
    /// looked at, so a host of thousands of labels costs no more than its own length. A suffix that reads as an IPv4
    /// address (<c>3.4.5</c> of the name <c>1.2.3.4.5</c>) is an address, not a parent of the name, and is left out.
    /// </summary>
    private static List<string> HostSuffixes(string host)
    {
        var hosts = new List<string>(5) { host };
        if (host.StartsWith('[') || HostNames.IsDottedQuad(host))
        {
            return hosts;
        }

        // starts[k] is where the suffix of k + 2 components begins, for as many as the host has beyond its own.
        Span<int> starts = stackalloc int[4];
        var found = 0;
        var rest = host.AsSpan(0, Math.Max(host.LastIndexOf('.'), 0));
        while (found < starts.Length && rest.LastIndexOf('.') is var dot and >= 0)
        {
            starts[found++] = dot + 1;
            rest = rest[..dot];
        }

        for (var k = found - 1; k >= 0; k--)
        {
            var suffix = host.AsSpan(starts[k]);
            if (!HostNames.IsIPv4(suffix))
            {
                hosts.Add(suffix.ToString());
            }
        }

        return hosts;
    }

    /// <summary>
    /// Safe Browsing v4: the exact path with its query, the exact path without it, and up to four prefixes from
    /// <c>/</c> adding one directory at a time. An empty query (<c>/q?</c>) is kept, so that a URL's own expression
    /// is always among its expressions.
    /// </summary>
    private static List<string> PathPrefixes(string pathAndQuery)
    {
        var queryStart = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? pathAndQuery : pathAndQuery[..queryStart];
        var paths = new List<string>(6);
        if (queryStart >= 0)
        {
            paths.Add(pathAndQuery);
        }

        paths.Add(path);
        var end = 0;
        for (var count = 0; count < 4 && end >= 0; count++)
        {
            var prefix = path[..(end + 1)];
            if (!paths.Contains(prefix))
            {
                paths.Add(prefix);
            }

            end = path.IndexOf('/', end + 1);
        }

        return paths;
    }

    /// <summary>
    /// Safe Browsing v4: resolve <c>/./</c> and <c>/../</c>, collapse runs of slashes; then escape. A backslash is
    /// a slash, as browsers read it.
    /// </summary>
    private static void AppendCanonicalPath(StringBuilder builder, byte[] path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '\\')
            {
                path[i] = (byte)'/';
            }
        }

        var kept = new List<Range>();
        var endsInDirectory = true;
        var start = 0;
        while (start <= path.Length)
        {
            var slash = path.AsSpan(start).IndexOf((byte)'/');
            var end = slash < 0 ? path.Length : start + slash;
            var segment = path.AsSpan(start, end - start);
            if (segment.Length > 0)
            {
                var dots = segment.SequenceEqual("."u8) || segment.SequenceEqual(".."u8);
                if (segment.SequenceEqual(".."u8) && kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }
                else if (!dots)
                {
                    kept.Add(start..end);
                }

                endsInDirectory = dots || slash >= 0;
            }

            start = end + 1;
        }

        builder.Append('/');
        for (var i = 0; i < kept.Count; i++)
        {
            UrlEscaping.AppendEscaped(builder, path.AsSpan(kept[i]));
            if (i < kept.Count - 1 || endsInDirectory)
            {
                builder.Append('/');
            }
        }
    }

    /// <summary>Splits <c>host:port</c>; the port, a number or nothing, is dropped (Safe Browsing v4: "remove port").</summary>
    private static bool TrySplitPort(ReadOnlySpan<byte> authority, out ReadOnlySpan<byte> host, out string error)
    {
        host = authority;
        error = "";
        ReadOnlySpan<byte> port;
        if (authority.Length > 0 && authority[0] == '[')
        {
            var close = authority.IndexOf((byte)']');
            if (close < 0)
            {
                error = "The IPv6 address in brackets has no closing “]”.";
                return false;
            }

            host = authority[..(close + 1)];
            port = authority[(close + 1)..];
            if (port.Length > 0 && port[0] != ':')
            {
                error = "Only a port number may follow the closing “]” of an IPv6 address.";
                return false;
            }
        }
        else
        {
            var colon = authority.LastIndexOf((byte)':');
            if (colon < 0)
            {
                return true;
            }

            host = authority[..colon];
            port = authority[colon..];
        }

        if (port.Length > 1 && port[1..].ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            error = "The port after the host name is not a number.";
            return false;
        }

        return true;
    }

    /// <summary>The index of the colon ending a scheme (RFC 3986: a letter, then letters, digits, + - .), or -1.</summary>
    private static int SchemeLength(ReadOnlySpan<byte> text)
    {
        if (text.Length == 0 || !char.IsAsciiLetter((char)text[0]))
        {
            return -1;
        }

        for (var i = 1; i < text.Length; i++)
        {
            var c = (char)text[i];
            if (c == ':')
            {
                return i;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return -1;
            }
        }

        return -1;
    }

    private static bool IsSlash(byte b) => b is (byte)'/' or (byte)'\\';

    private static string RemoveTabsAndNewlines(string text) =>
        text.AsSpan().IndexOfAny('\t', '\r', '\n') < 0
            ? text
            : text.Replace("\t", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);

    /// <summary>Leading and trailing spaces and controls go, as in the vector <c>"  http://www.google.com/  "</c>; so does U+3000, the ideographic space pasted from Chinese text.</summary>
    private static string TrimSpace(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsSpace(text[start]))
        {
            start++;
        }

        while (end > start && IsSpace(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }

    internal static bool IsSpace(char c) => c <= ' ' || char.IsWhiteSpace(c);

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";

    private static CanonicalResult Invalid(string detail) => CanonicalResult.Invalid(InvalidCode, detail);
}
