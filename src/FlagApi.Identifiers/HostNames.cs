using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace FlagApi.Identifiers;

/// <summary>Host-name rules shared by URLs and domains: IPv4 in every legal spelling, IPv6 literals, IDN.</summary>
internal static class HostNames
{
    public const int MaxNameLength = 253;
    public const int MaxLabelLength = 63;

    private static readonly SearchValues<char> UrlSyntax = SearchValues.Create("%/\\?#@:.[]");
    private static readonly SearchValues<byte> NotInHost = SearchValues.Create("/\\?@:[]"u8);

    /// <summary>
    /// Reads IPv4 the way inet_aton does (Safe Browsing v4: "any legal IP-address encoding, including octal, hex,
    /// and fewer than four components"): <c>3279880203</c>, <c>0xC3.0177.11</c>, <c>195.127.0.11</c>. A host that
    /// only looks numeric (<c>1.2.3.09</c>, <c>4294967296</c>) is no address, and Safe Browsing keeps it as a name.
    /// </summary>
    public static bool TryParseIPv4(ReadOnlySpan<char> host, out string dottedQuad)
    {
        dottedQuad = "";
        if (!TryReadIPv4(host, out var address))
        {
            return false;
        }

        Span<char> written = stackalloc char[15];
        dottedQuad = written[..WriteDottedQuad(written, address)].ToString();
        return true;
    }

    /// <summary>True when the host reads as an IPv4 address in any spelling; allocates nothing.</summary>
    public static bool IsIPv4(ReadOnlySpan<char> host) => TryReadIPv4(host, out _);

    /// <summary>True for a host already in canonical dotted-quad form.</summary>
    public static bool IsDottedQuad(ReadOnlySpan<char> host)
    {
        if (host.Length is < 7 or > 15 || !TryReadIPv4(host, out var address))
        {
            return false;
        }

        Span<char> written = stackalloc char[15];
        return host.SequenceEqual(written[..WriteDottedQuad(written, address)]);
    }

    private static int WriteDottedQuad(Span<char> destination, uint address)
    {
        destination.TryWrite(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}", out var length);
        return length;
    }

    private static bool TryReadIPv4(ReadOnlySpan<char> host, out uint address)
    {
        address = 0;
        var parts = host.Count('.') + 1;
        if (parts > 4)
        {
            return false;
        }

        ulong value = 0;
        var index = 0;
        foreach (var range in host.Split('.'))
        {
            if (!TryParseNumber(host[range], out var part))
            {
                return false;
            }

            if (++index < parts)
            {
                if (part > 255)
                {
                    return false;
                }

                value = (value << 8) | part;
            }
            else
            {
                // The last part fills every byte the earlier parts left: "1.2.515" is 1.2.2.3.
                var bits = 8 * (5 - parts);
                if (part > (1UL << bits) - 1)
                {
                    return false;
                }

                value = (value << bits) | part;
            }
        }

        address = (uint)value;
        return true;
    }

    /// <summary>
    /// The host an IPv6 literal stands for: the literal bracketed and normalized (leading zeros dropped, longest zero
    /// run as <c>::</c>, lowercase), <c>[2001:0DB8:0000::1]</c> → <c>[2001:db8::1]</c>; an IPv4-mapped address is the
    /// IPv4 host it maps, <c>::ffff:0102:0304</c> → <c>1.2.3.4</c>, since a connection to it reaches that host and an
    /// entry flagging 1.2.3.4 must meet it. Zone ids are not accepted.
    /// </summary>
    public static bool TryCanonicalIPv6(ReadOnlySpan<char> address, out string host)
    {
        host = "";
        if (address.Length is 0 or > 45 || !address.Contains(':'))
        {
            return false;
        }

        foreach (var c in address)
        {
            if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
            {
                return false;
            }
        }

        if (!IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        host = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4().ToString() : "[" + parsed + "]";
        return true;
    }

    /// <summary>UTS #46 treats these full stops as label separators; Chinese input methods type 。 and ．.</summary>
    public static string MapIdeographicDots(string text) =>
        text.Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');

    /// <summary>
    /// One label in ASCII: lowercased if ASCII already, else its IDNA punycode form (<c>例子</c> → <c>xn--fsqu00a</c>;
    /// full-width <c>ＥＶＩＬ</c> → <c>evil</c>). False when IDNA rejects the label, or when its mapping would produce
    /// a character that has a meaning in a URL (<c>％</c> → <c>%</c>, <c>／</c> → <c>/</c>): accepting those would let
    /// a canonical URL read differently the second time.
    /// </summary>
    public static bool TryLabelToAscii(string label, out string ascii)
    {
        if (Ascii.IsValid(label))
        {
            ascii = LowerAscii(label);
            return true;
        }

        ascii = "";
        string mapped;
        try
        {
            mapped = new IdnMapping().GetAscii(label);
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (mapped.Length == 0 || mapped.AsSpan().IndexOfAny(UrlSyntax) >= 0)
        {
            return false;
        }

        ascii = LowerAscii(mapped);
        return true;
    }

    /// <summary>True when an <c>xn--</c> label decodes to a valid internationalized label.</summary>
    public static bool IsValidPunycode(string label)
    {
        try
        {
            _ = new IdnMapping().GetUnicode(label);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// The canonical host of a URL from its fully unescaped bytes (Safe Browsing v4, "To canonicalize the hostname"):
    /// leading, trailing and repeated dots dropped, IPv4 as a dotted quad, IPv6 bracketed and normalized, IDN as
    /// punycode, lowercase, then escaped like the rest of the URL. Bytes that are not valid UTF-8 or not a valid IDN
    /// (the vector <c>\x01\x80.com</c>) stay bytes and are escaped: <c>%01%80.com</c>. A name longer than DNS allows
    /// is refused: no such host can be reached, and its expressions would only cost memory.
    /// </summary>
    public static bool TryCanonicalUrlHost(ReadOnlySpan<byte> host, out string canonical, out string error)
    {
        canonical = "";
        error = "";
        var forbidden = host.IndexOfAny(NotInHost);
        if (host.Length > 0 && host[0] == '[')
        {
            if (host[^1] != ']' || !TryCanonicalIPv6(Encoding.ASCII.GetString(host[1..^1]), out canonical))
            {
                error = "The host in brackets is not a valid IPv6 address.";
                return false;
            }

            return true;
        }

        if (forbidden >= 0)
        {
            error = host[forbidden] == ':'
                ? "An IPv6 address in a URL must be written in brackets, as in http://[2001:db8::1]/."
                : $"The host name contains “{(char)host[forbidden]}”, which cannot be part of a host name.";
            return false;
        }

        var name = CanonicalHostBytes(host);
        if (name.Length == 0)
        {
            error = "The URL has no host name.";
            return false;
        }

        if (TryParseIPv4(Encoding.Latin1.GetString(name), out var dotted))
        {
            canonical = dotted;
            return true;
        }

        if (DnsLengthError(name) is { } tooLong)
        {
            error = tooLong;
            return false;
        }

        canonical = UrlEscaping.Escape(name);
        return true;
    }

    /// <summary>RFC 1035: a label has at most 63 octets, a name at most 253 written out (255 on the wire).</summary>
    private static string? DnsLengthError(ReadOnlySpan<byte> name)
    {
        if (name.Length > MaxNameLength)
        {
            return $"The host name is {name.Length} characters long; DNS allows at most {MaxNameLength}.";
        }

        foreach (var range in name.Split((byte)'.'))
        {
            if (name[range].Length > MaxLabelLength)
            {
                return $"The host name has a label of {name[range].Length} characters; DNS allows at most {MaxLabelLength}.";
            }
        }

        return null;
    }

    /// <summary>
    /// The host label by label: a label that is valid UTF-8 and a valid IDN becomes its ASCII (punycode) form, any
    /// other label stays bytes with ASCII letters lowercased. Each label is decided on its own, so every host suffix
    /// of a canonical host is itself canonical and a flagged <c>例子.测试</c> meets the suffix of
    /// <c>\x80.例子.测试</c>. The ideographic full stops separate labels in both cases, as they do in text.
    /// </summary>
    private static byte[] CanonicalHostBytes(ReadOnlySpan<byte> host)
    {
        var output = new List<byte>(host.Length);
        while (true)
        {
            var (length, separatorLength) = NextLabel(host);
            var label = host[..length];
            if (!label.IsEmpty)
            {
                if (output.Count > 0)
                {
                    output.Add((byte)'.');
                }

                AppendLabel(output, label);
            }

            if (separatorLength == 0)
            {
                return [.. output];
            }

            host = host[(length + separatorLength)..];
        }
    }

    /// <summary>The length of the first label and of the separator after it (0 at the end of the host).</summary>
    private static (int Length, int SeparatorLength) NextLabel(ReadOnlySpan<byte> host)
    {
        for (var i = 0; i < host.Length; i++)
        {
            if (host[i] == '.')
            {
                return (i, 1);
            }

            var rest = host[i..];
            if (rest.StartsWith("\u3002"u8) || rest.StartsWith("\uFF0E"u8) || rest.StartsWith("\uFF61"u8))
            {
                return (i, 3);
            }
        }

        return (host.Length, 0);
    }

    private static void AppendLabel(List<byte> output, ReadOnlySpan<byte> label)
    {
        if (!Ascii.IsValid(label) && Utf8.IsValid(label) && TryLabelToAscii(Encoding.UTF8.GetString(label), out var ascii))
        {
            foreach (var c in ascii)
            {
                output.Add((byte)c);
            }

            return;
        }

        foreach (var b in label)
        {
            output.Add(b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b);
        }
    }

    public static string LowerAscii(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
            }
        });

    private static bool TryParseNumber(ReadOnlySpan<char> part, out ulong value)
    {
        value = 0;
        int radix;
        var digits = part;
        if (part.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            radix = 16;
            digits = digits[2..];
        }
        else if (part.Length > 1 && part[0] == '0')
        {
            radix = 8;
            digits = digits[1..];
        }
        else if (part.Length > 0)
        {
            radix = 10;
        }
        else
        {
            return false;
        }

        foreach (var c in digits)
        {
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                return false;
            }

            value = (value * (ulong)radix) + (ulong)digit;
            if (value > uint.MaxValue)
            {
                return false;
            }
        }

        return true;
    }
}
