using System.Text;

namespace FlagApi.Identifiers;

/// <summary>Byte-level helpers for URL canonicalization: input to bytes, repeated unescaping, escaping.</summary>
internal static class UrlEscaping
{
    /// <summary>
    /// The bytes a URL string stands for. U+0080–U+009F become single bytes: C1 controls never occur in text
    /// a person types, only in bytes decoded as Latin-1, which is how the Safe Browsing vector
    /// <c>http://\x01\x80.com/</c> spells the byte 0x80. Every other non-ASCII character (ü, 例) is text and
    /// becomes its UTF-8 bytes; a lone surrogate becomes U+FFFD.
    /// </summary>
    public static byte[] ToBytes(string text)
    {
        var buffer = new byte[text.Length * 3];
        var length = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c <= '\u009F')
            {
                buffer[length++] = (byte)c;
                i++;
                continue;
            }

            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed);
            length += rune.EncodeToUtf8(buffer.AsSpan(length));
            i += Math.Max(consumed, 1);
        }

        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Percent-unescapes until no escape is left (Safe Browsing v4: "repeatedly percent-unescape the URL until it
    /// has no more percent-escapes"). Escapes cannot overlap, so reducing on a stack reaches the same result as
    /// repeated passes, in one linear pass: <c>%25%32%35</c> → <c>%</c>.
    /// </summary>
    public static byte[] UnescapeRepeatedly(ReadOnlySpan<byte> input)
    {
        var output = new byte[input.Length];
        var n = 0;
        foreach (var b in input)
        {
            output[n++] = b;
            while (n >= 3 && output[n - 3] == '%' && IsHex(output[n - 2]) && IsHex(output[n - 1]))
            {
                var value = (byte)((HexValue(output[n - 2]) << 4) | HexValue(output[n - 1]));
                n -= 3;
                output[n++] = value;
            }
        }

        return output.AsSpan(0, n).ToArray();
    }

    /// <summary>Safe Browsing v4: percent-escape bytes &lt;= 0x20, &gt;= 0x7F, '#' and '%', with uppercase hex.</summary>
    public static void AppendEscaped(StringBuilder builder, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b <= 0x20 || b >= 0x7F || b == '#' || b == '%')
            {
                builder.Append('%').Append(UpperHex[b >> 4]).Append(UpperHex[b & 0xF]);
            }
            else
            {
                builder.Append((char)b);
            }
        }
    }

    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        AppendEscaped(builder, bytes);
        return builder.ToString();
    }

    public static bool IsHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F');

    private static int HexValue(byte b) => b switch
    {
        <= (byte)'9' => b - '0',
        >= (byte)'a' => b - 'a' + 10,
        _ => b - 'A' + 10,
    };

    private const string UpperHex = "0123456789ABCDEF";
}
