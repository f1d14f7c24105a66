using FsCheck;
using FsCheck.Fluent;

namespace FlagApi.Identifiers.Tests;

/// <summary>
/// FsCheck generators of text an attacker or a broken client would send: arbitrary UTF-16 (lone surrogates
/// included), and strings assembled from the pieces that have broken identifier parsers elsewhere.
/// </summary>
internal static class HostileText
{
    public static readonly string[] Pieces =
    [
        // Control characters, C1 controls, and the three Safe Browsing removes from URLs.
        "\0", "\u0001", "\u001f", "\u007f", "\u0085", "\u009b", "\t", "\r", "\n", "\r\n",
        // Broken and unusual UTF-16.
        "\ud800", "\udfff", "\udbff\udbff", "\udc00\ud800", "😀", "𝐙", "\U0010FFFF", "\uFFFE", "\uFDD0", "\uFFFD",
        // Combining and enclosing marks, variation selectors.
        "\u0301", "\u0308", "\u20dd", "\u034f", "\ufe0f", "\U000E0100", "e\u0301", "\u1100\u1161",
        // Full-width and ideographic forms.
        "１３８００１３８０００", "０", "９", "ＥＶＩＬ", "＋", "（", "）", "％", "／", "：", "。", "．", "｡", "\u3000", "＠", "？", "＃",
        // Bidi and invisible format characters.
        "\u200f", "\u200e", "\u202e", "\u2066", "\u2069", "\u200d", "\u200c", "\u200b", "\ufeff", "\u00ad", "\u2060",
        // Percent-escapes, whole, broken and nested.
        "%", "%%", "%2", "%25", "%2e", "%2E", "%2F", "%5C", "%3A", "%3F", "%23", "%40", "%00", "%ff", "%e4%be%8b", "%u1234", "%252e", "%25%32%35",
        // URL structure.
        "http://", "https://", "HTTP://", "//", "\\\\", "ftp://", "javascript:", "data:", ":", "::", "/", "\\", "?", "#", "@", ".", "..", "...", "/../", "/./", ":80", ":99999999999", "[", "]", "[::1]", "[fe80::1%eth0]", "[::ffff:1.2.3.4]", "[1:2:3:4:5:6:7:8:9]",
        // IPv4 in every spelling, valid and not.
        "127.0.0.1", "2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "0177.1", "127.1", "4294967295", "4294967296", "0x100000000", "1.2.3.4.5", "256.1.1.1", "1.2.3.", "08.1.2.3", "0x", "00000000000000000000000000001",
        // Internationalized and look-alike hosts.
        "例子", "例子.测试", "xn--fsqu00a", "xn--", "xn--a", "xn--zz-", "XN--FSQU00A", "ß", "ς", "İ", "ı", "K", "ﬁ", "а", "ԁ", "ο", "ρ", "рaypal", "paypaI", "g00gle", "аpple.com", "faceb᧐᧐k",
        ".com", ".example", ".cn", "evil.example", "www.", "a", "-", "_", "*",
        // Phone shapes.
        "+", "+86", "0086", "86", "138", "0013800138000", "+86 138-0013-8000", "(010) 8765-4321", "95555", "ext", "x", "转", "分机", "tel:", "٠١٢", "۳", "߀", "१२",
        // Account shapes.
        "wechat:", "qq:", "alipay:", "bank_card:", "usdt:", "usdt_trc20:", "usdt_erc20:", "微信:", "QQ：", "tg:", "telegram:", "wxid_", "live:", "paypal.me/", "wa.me/",
        "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", "0x52908400098527886E0F7030069857D2E4169EE7", "6222021234567890128", "2088",
        // Injection fragments that must stay inert text.
        "' OR 1=1--", "\"; DROP TABLE entries;--", "<script>alert(1)</script>", "${jndi:ldap://x}", "{{7*7}}", "../../etc/passwd", "%s%n", "\\u0000",
        " ", "  ", "0", "1", "9", "A", "z", "-", ",", ";", "=", "&", "+",
    ];

    public static readonly string[] Seeds =
    [
        "+86 138-0013-8000", "13800138000", "１３８００１３８０００", "(010) 8765-4321", "400-123-4567", "95555", "+1 (202) 555-0143", "+44 (0)20 7946 0958",
        "http://a.b.c/1/2.html?x=1", "Evil.Example.", "例子.测试", "https://xn--fsqu00a.xn--0zwm56d/path?q=1#frag", "http://3279880203/blah", "http://[2001:DB8::1]:8080/a/../b",
        "云客服", "及时服务", "com.example.remote", "云客服.apk", "Zoom.us",
        "wechat:wxid_abc", "qq:123456", "alipay:13800138000", "bank_card:6222 0212 3456 7890 128", "usdt:TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", "skype:live:.cid.0123abcd", "telegram:@durov_team",
    ];

    /// <summary>Any string at all, as FsCheck generates them.</summary>
    public static Gen<string> Arbitrary { get; } = ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "");

    /// <summary>Any UTF-16 code unit, so lone surrogates and unassigned code points come up often.</summary>
    public static Gen<string> CodeUnits { get; } =
        Gen.Choose(0, 0xFFFF).Select(c => (char)c).ArrayOf().Select(chars => new string(chars));

    /// <summary>A run of hostile pieces and random code units.</summary>
    public static Gen<string> Assembled { get; } =
        Gen.Frequency(
                (6, Gen.Elements(Pieces)),
                (2, Gen.Elements(Seeds)),
                (1, Gen.Choose(0, 0xFFFF).Select(c => ((char)c).ToString())))
            .ListOf()
            .Select(parts => string.Concat(parts));

    /// <summary>A realistic value with hostile pieces inserted, replaced or deleted at random places.</summary>
    public static Gen<string> Mutated { get; } =
        from seed in Gen.Elements(Seeds)
        from edits in Gen.Zip(Gen.Choose(0, 1000), Gen.Zip(Gen.Choose(0, 2), Gen.Elements(Pieces))).ListOf()
        select Apply(seed, edits);

    /// <summary>Very long input: past every length limit, to show they are enforced before any work.</summary>
    public static Gen<string> Long { get; } =
        from piece in Gen.Elements(Pieces.Concat(Seeds).ToArray())
        from count in Gen.Choose(300, 5000)
        from prefix in Gen.Elements("", "http://", "wechat:", "+86")
        select prefix + string.Concat(Enumerable.Repeat(piece, count));

    public static Gen<string> Any { get; } =
        Gen.Frequency((3, Arbitrary), (2, CodeUnits), (6, Assembled), (6, Mutated), (1, Long));

    /// <summary>Hostile text half the time, and half the time text shaped like the kind, so many values are valid.</summary>
    public static Gen<string> For(IdentifierKind kind) => Gen.Frequency((1, Any), (1, Decorated(Shaped(kind))));

    private static Gen<string> Shaped(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Phone => Phone,
        IdentifierKind.Url => Url,
        IdentifierKind.Domain => Domain,
        IdentifierKind.App => App,
        IdentifierKind.Account => Account,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static Gen<string> Digits(int min, int max) =>
        from length in Gen.Choose(min, max)
        from digits in Gen.Choose(0, 9).ArrayOf(length)
        select string.Concat(digits);

    private static readonly Gen<string> Phone = Gen.OneOf(
        from prefix in Gen.Elements("", "", "+86 ", "0086 ", "+86 (0)", "0", "86", "+1 ", "+44 (0)", "+49 ", "+81 ", "+7 8", "00", "+", "tel:+86", "011 ")
        from lead in Gen.Elements("1", "13", "138", "159", "10", "20", "400", "800", "95", "12", "2", "7", "")
        from digits in Digits(0, 12)
        select prefix + lead + digits,
        // Numbers of the right length for their range, so that enough of them pass for the properties to mean something.
        from prefix in Gen.Elements("", "+86 ", "0086 ", "86", "tel:+86", "0")
        from lead in Gen.Elements("138", "159", "186", "199", "146", "170", "1069", "10", "21", "755", "571")
        from digits in Digits(8, 8)
        select prefix + lead + digits);

    private static readonly string[] Labels =
    [
        "evil", "example", "www", "a", "b", "c", "x1", "pay-pal", "_dmarc", "xn--fsqu00a", "xn--0zwm56d", "例子", "测试", "ＥＶＩＬ", "рaypal",
        "аpple", "g00gle", "faß", "ǅ", "İstanbul", "ﬁnance", "com", "cn", "net", "0x7f", "0177", "1", "255", "4294967295", "127", "0",
    ];

    private static readonly Gen<string> Domain =
        from labels in Gen.Elements(Labels).NonEmptyListOf()
        from dot in Gen.Elements(".", ".", ".", "。", "．")
        from end in Gen.Elements("", "", ".")
        select string.Join(dot, labels) + end;

    private static readonly Gen<string> Url =
        from scheme in Gen.Elements("", "http://", "https://", "HTTP://", "//", "https:\\\\")
        from user in Gen.Elements("", "", "user@", "a:b@", "good.example%2F@")
        from host in Gen.Frequency((4, Domain), (1, Gen.Elements("3279880203", "0x7f.1", "0177.0.0.1", "127.1", "[2001:DB8::1]", "[::ffff:1.2.3.4]", "1.2.3.4")))
        from port in Gen.Elements("", "", ":8080", ":")
        from segments in Gen.Elements("a", "b", "..", ".", "", "%2e%2e", "%2F", "例", "%25%32%35", "x y", "%E4%BE%8B", "index.html", "\\").ListOf()
        from query in Gen.Elements("", "", "?", "?q=1", "?a=b&c=%20d", "?r?s", "?%3F")
        from fragment in Gen.Elements("", "", "#frag", "#%23")
        select scheme + user + host + port + "/" + string.Join("/", segments) + query + fragment;

    private static readonly Gen<string> App =
        Gen.OneOf(
            Gen.Elements("云客服", "及时服务", "Zoom", "Dr.Fone", "微信", "ＱＱ", "TeamViewer", "向日葵", "AnyDesk", "𝐙oom", "Ⓩoom", "云客服.apk", "e\u0301clair", "☎客服", "ǅemo")
                .ListOf().Select(parts => string.Join(" ", parts)),
            from segments in Gen.Elements("com", "example", "remote", "cn", "Evil-App", "app_2", "x").NonEmptyListOf()
            from end in Gen.Elements("", ".apk", ".ipa")
            select string.Join(".", segments) + end);

    private static readonly Gen<string> Account =
        from platform in Gen.Elements(
            "wechat", "WeChat", "微信", "wx", "qq", "QQ", "alipay", "支付宝", "bank_card", "银行卡", "weibo", "douyin", "kuaishou", "taobao", "telegram",
            "tg", "whatsapp", "line", "skype", "paypal", "usdt", "usdt_trc20", "usdt_erc20")
        from colon in Gen.Elements(":", ":", "：", " : ", "∶")
        from id in Gen.OneOf(
            Digits(4, 20),
            Gen.Elements("wxid_abc", "Durov_Team", "@durov_team", "live:.cid.0123abcd", "Name@Example.COM", "13800138000", "+8613800138000",
                "0086 138 0013 8000", "+44 20 7946 0958", "t.me/durov_team", "https://wa.me/8613800138000", "paypal.me/someone", "张三_abc",
                "6222 0212 3456 7890 128", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", "0x52908400098527886E0F7030069857D2E4169EE7",
                "0x52908400098527886e0f7030069857d2e4169ee7", "ＡＢＣdef123"),
            Gen.Elements("a", "b", "z", "_", "-", ".", "1", "9", "Q", "é", "张").ListOf().Select(parts => string.Concat(parts)))
        select platform + colon + id;

    /// <summary>Spaces, invisible characters and mixed widths around and inside a shaped value, as people paste them.</summary>
    private static Gen<string> Decorated(Gen<string> shaped) =>
        from value in shaped
        from before in Gen.Elements("", "", "", " ", "\u3000", "\ufeff", "\u200b")
        from after in Gen.Elements("", "", "", " ", "\t", "\u200f")
        from fullWidth in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        select before + (fullWidth ? ToFullWidth(value) : value) + after;

    private static string ToFullWidth(string value) =>
        string.Concat(value.Select(c => c is >= '!' and <= '~' ? (char)(c - '!' + '\uFF01') : c));

    public static string Show(string value)
    {
        var shown = new System.Text.StringBuilder();
        foreach (var c in value.Length > 300 ? value[..300] : value)
        {
            shown.Append(c is >= ' ' and < '\u007f' && c != '\\' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return value.Length > 300 ? $"\"{shown}…\" ({value.Length} chars)" : $"\"{shown}\"";
    }

    private static string Apply(string seed, IEnumerable<(int Position, (int Operation, string Piece) Edit)> edits)
    {
        var text = seed;
        foreach (var (position, (operation, piece)) in edits)
        {
            var at = text.Length == 0 ? 0 : position % (text.Length + 1);
            text = operation switch
            {
                0 => text.Insert(at, piece),
                1 when at < text.Length => text.Remove(at, 1).Insert(at, piece),
                _ when at < text.Length => text.Remove(at, 1),
                _ => text + piece,
            };
        }

        return text;
    }
}
