using System.Globalization;
using System.Text;

namespace FlagApi.Tests.Fuzzing;

/// <summary>
/// Hostile values for request fields, drawn from one seeded <see cref="Random"/> so a run is replayed by its seed.
/// </summary>
internal sealed class HostileValues(Random random)
{
    public const int OneMegabyte = 1024 * 1024;

    private static readonly string[] Pieces =
    [
        "\0", "\u0001", "\u0007", "\u001b[31m", "\u007f", "\u0085", "\u009b", "\t", "\r\n", "\n",
        "\ud800", "\udfff", "\udc00\ud800", "😀", "𝐙", "\uFFFE", "\uFDD0", "\uFFFD",
        "\u0301", "e\u0301", "\u20dd", "\ufe0f", "\u200f", "\u202e", "\u2066", "\u200d", "\u200b", "\ufeff", "\u00ad",
        "１３８００１３８０００", "０", "ＥＶＩＬ", "＋", "：", "。", "\u3000",
        "%", "%25", "%2e%2e%2f", "%00", "%ff", "%u1234", "%C0%AE",
        "' OR '1'='1", "'; DROP TABLE entries;--", "\" OR \"\"=\"", "1; SELECT pg_sleep(10)--", "UNION SELECT * FROM api_keys", "' || (SELECT key_hash FROM api_keys) || '",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "${jndi:ldap://127.0.0.1/x}", "{{7*7}}", "<!--", "]]>",
        "../../etc/passwd", "..\\..\\windows\\win.ini", "%s%s%n", "\\u0000", "\\", "\"", "'", "`", "{", "}", "[", "]", ",", ":", "null", "true",
        "рaypal.com", "аррӏе.com", "xn--80ak6aa92e.com", "g00gle.com", "例子.测试", "www.ЕХАМРLЕ.com", "faceb᧐᧐k.com", "paypaI.com",
        "0x7f.1", "2130706433", "0177.0.0.1", "[::1]", "[fe80::1%eth0]", "127.1", "4294967296",
        "+86 138-0013-8000", "13800138000", "0086", "wechat:wxid_abc", "qq:123456", "bank_card:6222021234567890128",
        "http://evil.example/", "https://例子.测试/路径?查=询", "evil.example", "com.example.remote", "云客服",
        " ", "a", "Z", "0", "-1", "9223372036854775808", "1e309", "NaN", "-0",
    ];

    private static readonly string[] Kinds = ["phone", "url", "domain", "app", "account"];

    public Random Random { get; } = random;

    /// <summary>
    /// Whether the next string may be very long. Set for a few requests only, and spent by the first long string: a
    /// megabyte in every tenth request would make the run a test of the network stack instead of the API.
    /// </summary>
    public bool MayBeHuge { get; set; }

    public bool Chance(double probability) => Random.NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    /// <summary>A string of hostile pieces and random code units; rarely very long, and once in a while 1 MB.</summary>
    public string Text()
    {
        if (MayBeHuge && Chance(0.3))
        {
            MayBeHuge = false;
            return Repeat(Pick(Pieces), Chance(0.3) ? OneMegabyte : Random.Next(1_000, 20_000));
        }

        var builder = new StringBuilder();
        var parts = Random.Next(0, 6);
        for (var i = 0; i < parts; i++)
        {
            if (Chance(0.8))
            {
                builder.Append(Pick(Pieces));
            }
            else
            {
                builder.Append((char)Random.Next(0, 0x10000));
            }
        }

        return builder.ToString();
    }

    public string Kind() => Chance(0.85) ? Pick(Kinds) : Pick(["PHONE", "phone ", "ph\u043ene", "", "kind", "phone\0", "url;", "*", "0"]);

    /// <summary>A number, boolean, array or object standing where a string belongs.</summary>
    public object? WrongType() => Random.Next(8) switch
    {
        0 => Random.NextInt64(long.MinValue, long.MaxValue),
        1 => Pick([0.5, -1e308, 1e308, double.Epsilon]),
        2 => Chance(0.5),
        3 => new List<object?> { Text(), 1, null },
        4 => new Dictionary<string, object?> { ["$ne"] = null, ["__proto__"] = new Dictionary<string, object?>() },
        5 => new RawJson("123456789012345678901234567890"),
        6 => new List<object?>(),
        _ => new Dictionary<string, object?>(),
    };

    /// <summary>Thousands of nested arrays or objects: past every reader's depth limit.</summary>
    public RawJson DeeplyNested()
    {
        var depth = Chance(0.5) ? 10_000 : Random.Next(33, 200);
        return Chance(0.5)
            ? new RawJson(new string('[', depth) + new string(']', depth))
            : new RawJson(Repeat("{\"a\":", depth) + "1" + new string('}', depth));
    }

    public string Date() => Pick(
    [
        DateTime.UtcNow.AddDays(Random.Next(-400, 400)).ToString("O", CultureInfo.InvariantCulture), "2026-02-30", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "2026-13-01", "yesterday", "2026-01-01T25:00:00", "1970-01-01", "-2026-01-01", "2026-01-01T00:00:00+99:00",
        DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "\u0662\u0660\u0662\u0666-01-01", "2026-01-01\0",
    ]);

    public string Base64Content()
    {
        byte[] bytes = Random.Next(7) switch
        {
            0 => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13],
            1 => Encoding.ASCII.GetBytes("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj<<>>endobj\n%%EOF"),
            2 => Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>"),
            3 => [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F'],
            4 => [(byte)'M', (byte)'Z', 0x90, 0],
            5 => new byte[MayBeHuge ? (2 * OneMegabyte) + Random.Next(1, 1000) : Random.Next(0, 4096)],
            _ => [],
        };

        return Random.Next(6) switch
        {
            0 => "not base64 at all!",
            1 => Convert.ToBase64String(bytes).TrimEnd('='),
            2 => "data:image/png;base64," + Convert.ToBase64String(bytes),
            _ => Convert.ToBase64String(bytes),
        };
    }

    public string FileName() => Pick(
        ["photo.png", "scan.pdf", "id.jpg", "invoice.pdf.exe", "../../etc/passwd", "a\0.png", "CON", "\u202egnp.exe", "", new string('a', 5000) + ".png", "图片.jpeg", "photo.png"]);

    private static string Repeat(string piece, int length)
    {
        var builder = new StringBuilder(length + piece.Length);
        while (builder.Length < length)
        {
            builder.Append(piece.Length == 0 ? "x" : piece);
        }

        return builder.ToString();
    }
}

/// <summary>JSON text written as it is, such as a number no type can hold or thousands of nested arrays.</summary>
internal sealed record RawJson(string Text);

/// <summary>
/// Writes JSON by hand, because hostile bodies hold what serializers refuse to write: lone surrogates (as
/// <c>\ud800</c> escapes), duplicate names and raw text.
/// </summary>
internal static class JsonText
{
    public static string Write(object? value)
    {
        var builder = new StringBuilder();
        Write(builder, value);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case string text:
                WriteString(builder, text);
                break;
            case bool flag:
                builder.Append(flag ? "true" : "false");
                break;
            case long or int:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case double number:
                builder.Append(number.ToString("R", CultureInfo.InvariantCulture));
                break;
            case RawJson raw:
                builder.Append(raw.Text);
                break;
            case IEnumerable<KeyValuePair<string, object?>> members:
                builder.Append('{');
                var first = true;
                foreach (var (name, member) in members)
                {
                    builder.Append(first ? "" : ",");
                    first = false;
                    WriteString(builder, name);
                    builder.Append(':');
                    Write(builder, member);
                }

                builder.Append('}');
                break;
            case System.Collections.IEnumerable items:
                builder.Append('[');
                var firstItem = true;
                foreach (var item in items)
                {
                    builder.Append(firstItem ? "" : ",");
                    firstItem = false;
                    Write(builder, item);
                }

                builder.Append(']');
                break;
            default:
                throw new ArgumentException($"Cannot write {value.GetType()} as JSON.", nameof(value));
        }
    }

    private static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c is < ' ' or > '~')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('"');
    }
}
