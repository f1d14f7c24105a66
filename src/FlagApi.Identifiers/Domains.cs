using System.Buffers;

namespace FlagApi.Identifiers;

/// <summary>
/// Domains: lowercase ASCII (punycode), no trailing dot. A pasted URL counts as its host. Underscores are allowed
/// (real DNS names carry them, e.g. <c>_dmarc.example</c>, and fraud kits use them in subdomains); an IP address is
/// accepted in any spelling and kept as its canonical form, as a URL host would be, and a name that only looks
/// numeric (<c>1.2.3.09</c>) stays a name, as in a URL.
/// </summary>
public static class Domains
{
    private const string InvalidCode = "invalid_domain";
    private static readonly SearchValues<char> UrlSyntax = SearchValues.Create(":/\\?#@");

    public static CanonicalResult Canonicalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var text = Trim(input);
        if (text.Length == 0)
        {
            return Invalid("The domain is empty.");
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            var bare = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
            if (HostNames.TryCanonicalIPv6(bare, out var ipv6))
            {
                return CanonicalResult.Ok(ipv6);
            }
        }

        if (text.AsSpan().IndexOfAny(UrlSyntax) >= 0)
        {
            // A pasted URL (https://evil.example/path, evil.example:8080) stands for its host.
            var url = Urls.Canonicalize(text);
            if (!url.IsValid)
            {
                return Invalid(url.ErrorDetail!);
            }

            text = Urls.Host(url.Value!);
            if (text.StartsWith('['))
            {
                return CanonicalResult.Ok(text);
            }
        }

        return CanonicalizeName(text);
    }

    /// <summary>
    /// The host itself and every parent domain of at least two labels; an IP address only itself. A parent that
    /// could not be a domain entry is left out: one longer than DNS allows (so a long input has few, short parents
    /// and this stays linear in its length), and one that reads as an IPv4 address (<c>1.2.3.4</c> and
    /// <c>2.3.4</c> above the name <c>a.1.2.3.4</c>), which is an address, not a parent of the name.
    /// </summary>
    public static IReadOnlyList<string> SelfAndParents(string canonicalHost)
    {
        ArgumentNullException.ThrowIfNull(canonicalHost);
        var hosts = new List<string> { canonicalHost };
        if (canonicalHost.StartsWith('[') || HostNames.IsDottedQuad(canonicalHost))
        {
            return hosts;
        }

        var firstFitting = Math.Max(0, canonicalHost.Length - HostNames.MaxNameLength - 1);
        for (var dot = canonicalHost.IndexOf('.', firstFitting); dot >= 0; dot = canonicalHost.IndexOf('.', dot + 1))
        {
            var parent = canonicalHost.AsSpan(dot + 1);
            if (!parent.Contains('.'))
            {
                break;
            }

            if (!HostNames.IsIPv4(parent))
            {
                hosts.Add(parent.ToString());
            }
        }

        return hosts;
    }

    private static CanonicalResult CanonicalizeName(string text)
    {
        text = HostNames.MapIdeographicDots(text);

        // One trailing dot is the DNS root (Evil.Example. is evil.example); anything more is an empty label.
        if (text.EndsWith('.'))
        {
            text = text[..^1];
        }

        if (text.Length == 0)
        {
            return Invalid("The domain has no labels, only a dot.");
        }

        var labels = text.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label.Length == 0)
            {
                return Invalid("The domain has an empty label: two dots in a row, or a dot at the start.");
            }

            if (!HostNames.TryLabelToAscii(label, out var ascii))
            {
                var bad = FirstDisallowed(label);
                return bad is null
                    ? Invalid($"“{Shorten(label)}” is not a valid internationalized domain label.")
                    : Disallowed(bad.Value);
            }

            var disallowed = FirstDisallowed(ascii);
            if (disallowed is not null)
            {
                return Disallowed(disallowed.Value);
            }

            if (ascii.StartsWith("xn--", StringComparison.Ordinal) && !HostNames.IsValidPunycode(ascii))
            {
                return Invalid($"“{Shorten(ascii)}” is not valid punycode.");
            }

            // RFC 1035: a label has at most 63 octets, a name at most 253 characters written out.
            if (ascii.Length > HostNames.MaxLabelLength)
            {
                return Invalid($"The label “{Shorten(ascii)}” is {ascii.Length} characters long; DNS allows at most {HostNames.MaxLabelLength}.");
            }

            // RFC 952 and RFC 1123: a host name label neither starts nor ends with a hyphen. (IDNA already refuses an
            // internationalized label that does.)
            if (ascii.StartsWith('-') || ascii.EndsWith('-'))
            {
                return Invalid($"The label “{Shorten(ascii)}” starts or ends with a hyphen; a host name label may not (RFC 1123).");
            }

            labels[i] = ascii;
        }

        var name = string.Join('.', labels);
        if (HostNames.TryParseIPv4(name, out var dotted))
        {
            return CanonicalResult.Ok(dotted);
        }

        if (name.Length > HostNames.MaxNameLength)
        {
            return Invalid($"The domain is {name.Length} characters long; DNS allows at most {HostNames.MaxNameLength}.");
        }

        if (labels.Length < 2)
        {
            return Invalid($"A domain needs at least two labels, like evil.example; “{Shorten(name)}” has one.");
        }

        return CanonicalResult.Ok(name);
    }

    /// <summary>Host names hold letters, digits, hyphens and underscores; the first other character, if any.</summary>
    private static char? FirstDisallowed(string label)
    {
        for (var i = 0; i < label.Length; i++)
        {
            var c = label[i];
            if (char.IsHighSurrogate(c) && i + 1 < label.Length && char.IsLowSurrogate(label[i + 1]))
            {
                i++;
                continue;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (c > '\u007F' && !char.IsSurrogate(c))))
            {
                return c;
            }
        }

        return null;
    }

    private static CanonicalResult Disallowed(char c) => c switch
    {
        '*' => Invalid("Wildcards are not needed: a flagged domain already covers all of its subdomains, so give the domain itself, as in evil.example."),
        ' ' => Invalid("The domain contains a space, which host names cannot contain."),
        _ when char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) =>
            Invalid($"The domain contains the character U+{(int)c:X4}, which host names cannot contain."),
        _ => Invalid($"The domain contains “{c}”, which host names cannot contain; only letters, digits, hyphens and underscores are allowed."),
    };

    private static string Trim(string input)
    {
        var start = 0;
        var end = input.Length;
        while (start < end && Urls.IsSpace(input[start]))
        {
            start++;
        }

        while (end > start && Urls.IsSpace(input[end - 1]))
        {
            end--;
        }

        return input[start..end];
    }

    private static string Shorten(string text)
    {
        var shortened = text.Length <= 40 ? text : text[..40] + "…";
        return string.Create(shortened.Length, shortened, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || char.IsSurrogate(source[i]) ? '\uFFFD' : source[i];
            }
        });
    }

    private static CanonicalResult Invalid(string detail) => CanonicalResult.Invalid(InvalidCode, detail);
}
