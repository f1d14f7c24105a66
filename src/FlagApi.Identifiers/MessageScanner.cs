using System.Globalization;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>
/// One identifier found in a message: its kind, where it stands in the message (UTF-16 code units, as written, with any
/// obfuscation) and its canonical form by the same rules as a single lookup.
/// </summary>
public sealed record MessageItem(IdentifierKind Kind, int Start, int Length, string Text, string Canonical);

/// <summary>
/// Finds the phone numbers, links, bare domains, listed app names and <c>platform:id</c> accounts in a message a person
/// received, such as a fraud SMS pasted whole. Every candidate is canonicalized with <see cref="Identifier.Canonicalize"/>
/// and dropped when the rules refuse it, so what is found is exactly what a lookup of that kind would accept.
/// </summary>
/// <remarks>
/// <para>
/// The obfuscations fraud messages use to slip past keyword filters are read through: full-width letters, digits and
/// dots, <c>。</c>, <c>点</c> and <c>[.]</c> between the labels of a host, spaces inside <c>http</c> (<c>h t t p s://</c>)
/// and <c>hxxp</c>, invisible format characters, and numbers split by spaces or dashes. A span still points at the
/// text as written.
/// </para>
/// <para>
/// A message is full of digits that are no phone numbers. A run of digits is taken as a number only when the phone rules
/// accept it, it has at least 7 digits (a 5- or 6-digit China service number such as 95588 stands alone), letters do not
/// touch it, and its context does not say otherwise: a verification code, an order or card number named before it, a
/// currency sign before it, a unit or a decimal part after it, or the shape of a date.
/// </para>
/// <para>
/// Where candidates overlap, links are taken first, then accounts, bare domains, phone numbers and app names.
/// </para>
/// </remarks>
public static class MessageScanner
{
    public static IReadOnlyList<MessageItem> Scan(string text, IdentifierOptions? options = null, ListedAppNames? apps = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scan = new MessageScan(text, options ?? IdentifierOptions.Default, apps ?? ListedAppNames.None);
        scan.FindLinks();
        scan.FindAccounts();
        scan.FindBareHosts();
        scan.FindPhones();
        scan.FindAppNames();
        return scan.Items;
    }
}

internal sealed class MessageScan(string text, IdentifierOptions options, ListedAppNames apps)
{
    private const int MinPhoneDigits = 7;
    private const int MinServiceNumberDigits = 5;
    private const int MaxAliasLength = 12;

    // A number with every digit spaced out, a country code and a trunk prefix: +86 0 1 3 8 … has 14 groups.
    private const int MaxPhoneGroups = 16;

    // Reading a candidate the rules refuse costs up to a third of a millisecond; 5,000 characters of lone digits and spaces
    // would otherwise make 30,000 candidates. A real message, even one with a hundred numbers, needs a few hundred; past
    // the budget the rest of the message is not searched for phone numbers.
    private const int MaxPhoneAttempts = 2_000;

    // What a message names right before a number that is not a phone number.
    private static readonly string[] CodeWords =
    [
        "验证码", "校验码", "动态码", "确认码", "密码", "取件码", "提货码", "取货码", "订单号", "订单", "单号", "运单号", "快递单号", "编号",
        "尾号", "卡号", "账号", "帐号", "工号", "流水号", "交易号", "code", "otp", "pin", "order", "ref", "no.", "id",
    ];

    // What follows an amount, a date, a count or a measure.
    private static readonly string[] Units =
    [
        "元", "块", "万", "亿", "千", "百", "%", "％", "年", "月", "日", "天", "次", "个", "笔", "件", "人", "岁", "秒", "分钟", "小时",
        "rmb", "usd", "yuan", "cny",
    ];

    private static readonly string[] Currencies = ["¥", "￥", "$", "€", "£", "rmb", "usd", "cny", "hkd"];

    private readonly bool[] claimed = new bool[text.Length];
    private readonly List<MessageItem> items = [];
    private LinkView? view;
    private int phoneAttempts;

    public IReadOnlyList<MessageItem> Items => [.. items.OrderBy(i => i.Start)];

    private LinkView View => view ??= LinkView.Of(text);

    /// <summary>Links written with a scheme, however it is spaced or defanged.</summary>
    public void FindLinks()
    {
        var v = View.Text;
        for (var i = 0; i < v.Length; i++)
        {
            if ((i > 0 && char.IsAsciiLetter(v[i - 1])) || !TryReadScheme(v, i, out var secure, out var restStart))
            {
                continue;
            }

            var restEnd = TrimTrailingPunctuation(v, restStart, ReadUrlRest(v, restStart));
            if (restEnd > restStart && Add(IdentifierKind.Url, View.From[i], View.To[restEnd - 1], (secure ? "https://" : "http://") + v[restStart..restEnd]))
            {
                i = restEnd - 1;
            }
        }
    }

    /// <summary><c>platform:id</c>, the platform by any name the account rules know (<c>微信：</c>, <c>QQ:</c>, <c>tg:</c>).</summary>
    public void FindAccounts()
    {
        for (var colon = 0; colon < text.Length; colon++)
        {
            if (text[colon] is not (':' or '：' or '∶') || claimed[colon] || FindPlatform(colon) is not { } platformStart)
            {
                continue;
            }

            var idStart = colon + 1;
            while (idStart < text.Length && idStart - colon <= 2 && text[idStart] is ' ' or '\u3000')
            {
                idStart++;
            }

            var idEnd = idStart;
            while (idEnd < text.Length && (IsAccountIdChar(text[idEnd]) || IsSpaceBetweenDigits(idEnd)))
            {
                idEnd++;
            }

            while (idEnd > idStart && text[idEnd - 1] is '.' or '-' or '。')
            {
                idEnd--;
            }

            if (idEnd > idStart)
            {
                Add(IdentifierKind.Account, platformStart, idEnd, text[platformStart..idEnd]);
            }
        }
    }

    /// <summary>Host names without a scheme (<c>www.evil.com</c>, <c>evil点com/pay</c>) under a top-level domain the Public Suffix List names.</summary>
    public void FindBareHosts()
    {
        var v = View.Text;
        for (var i = 0; i < v.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(v[i]) || (i > 0 && (IsLabelChar(v[i - 1]) || v[i - 1] is '.' or '@' or '/')) || claimed[View.From[i]])
            {
                continue;
            }

            var (hostEnd, labels, lastLabel) = ReadHost(v, i);
            if (labels < 2 || (hostEnd < v.Length && v[hostEnd] == '@'))
            {
                i = hostEnd - 1;
                continue;
            }

            var host = HostNames.LowerAscii(v[i..hostEnd]);
            if (apps.PackageIds.Contains(host))
            {
                Add(IdentifierKind.App, View.From[i], View.To[hostEnd - 1], host);
            }
            else if (IsTopLevel(host.AsSpan(lastLabel - i)))
            {
                var end = EndOfPath(v, hostEnd);
                if (end > hostEnd)
                {
                    Add(IdentifierKind.Url, View.From[i], View.To[end - 1], v[i..end]);
                }
                else
                {
                    Add(IdentifierKind.Domain, View.From[i], View.To[hostEnd - 1], host);
                }
            }

            i = hostEnd - 1;
        }
    }

    public void FindPhones()
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (claimed[i] || !IsDigit(i))
            {
                continue;
            }

            var start = i;
            if (start > 0 && text[start - 1] is '+' or '＋')
            {
                start--;
            }

            if (start > 0 && text[start - 1] is '(' or '（')
            {
                start--;
            }

            var groups = ReadDigitGroups(i);
            var end = groups[^1].End;
            var touchesWord = (start > 0 && IsWordChar(text[start - 1])) || (end < text.Length && IsWordChar(text[end]));
            if (!touchesWord)
            {
                TakePhones(start, groups);
            }

            i = end - 1;
        }
    }

    /// <summary>Names of listed apps, compared as the app rules fold them (case, width, spaces and symbols aside).</summary>
    public void FindAppNames()
    {
        var folded = new StringBuilder(text.Length);
        var from = new List<int>(text.Length);
        var to = new List<int>(text.Length);
        var breakBefore = new List<bool>(text.Length);
        var pendingBreak = true;
        Span<char> chars = stackalloc char[2];
        for (var i = 0; i < text.Length;)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed);
            if (!claimed[i] && AppText.TryNormalizeKC(rune.ToString(), out var normal))
            {
                foreach (var part in normal.ToLowerInvariant().EnumerateRunes())
                {
                    if (!Apps.IsNameRune(part))
                    {
                        pendingBreak = true;
                        continue;
                    }

                    foreach (var c in chars[..part.EncodeToUtf16(chars)])
                    {
                        folded.Append(c);
                        from.Add(i);
                        to.Add(i + consumed);
                        breakBefore.Add(pendingBreak);
                        pendingBreak = false;
                    }
                }
            }
            else
            {
                pendingBreak = true;
            }

            i += consumed;
        }

        var name = folded.ToString();
        bool Joined(int at) => at > 0 && at < name.Length && !breakBefore[at] && char.IsAsciiLetterOrDigit(name[at - 1]) && char.IsAsciiLetterOrDigit(name[at]);
        for (var j = 0; j < name.Length; j++)
        {
            if (Joined(j) || apps.LongestAt(name.AsSpan(j), length => !Joined(j + length)) is not { } found)
            {
                continue;
            }

            if (Add(IdentifierKind.App, from[j], to[j + found.Length - 1], text[from[j]..to[j + found.Length - 1]], found))
            {
                j += found.Length - 1;
            }
        }
    }

    /// <summary>
    /// Canonicalizes a candidate and keeps it when the rules accept it (and, for an app name, when it is the listed
    /// name) and none of its text was taken by an earlier find.
    /// </summary>
    private bool Add(IdentifierKind kind, int start, int end, string value, string? expected = null)
    {
        if (claimed.AsSpan(start, end - start).Contains(true))
        {
            return false;
        }

        var canonical = Identifier.Canonicalize(kind, value, options);
        if (!canonical.IsValid || (expected is not null && canonical.Value != expected))
        {
            return false;
        }

        claimed.AsSpan(start, end - start).Fill(true);
        items.Add(new MessageItem(kind, start, end - start, text[start..end], canonical.Value!));
        return true;
    }

    // h t t p s : / /, hxxps://, with up to two spaces between any two of its characters.
    private static bool TryReadScheme(string v, int at, out bool secure, out int restStart)
    {
        secure = false;
        restStart = at;
        string[] pattern = ["h", "tx", "tx", "p", "s", ":", "/", "/"];
        var p = at;
        for (var k = 0; k < pattern.Length; k++)
        {
            var q = p;
            if (k > 0)
            {
                while (q < v.Length && q - p < 2 && v[q] == ' ')
                {
                    q++;
                }
            }

            if (q < v.Length && pattern[k].Contains(char.ToLowerInvariant(v[q]), StringComparison.Ordinal))
            {
                secure |= k == 4;
                p = q + 1;
            }
            else if (k != 4)
            {
                return false;
            }
        }

        restStart = p;
        return true;
    }

    private static int ReadUrlRest(string v, int at)
    {
        var p = at;
        while (p < v.Length && v[p] is > ' ' and < '\u007F' && "<>\"'`{}|\\^".IndexOf(v[p], StringComparison.Ordinal) < 0)
        {
            p++;
        }

        return p;
    }

    private static int TrimTrailingPunctuation(string v, int start, int end)
    {
        while (end > start && (v[end - 1] is '.' or ',' or ';' or ':' or '!' or '?' or ']' or '}'
            || (v[end - 1] == ')' && v.AsSpan(start, end - start).IndexOf('(') < 0)))
        {
            end--;
        }

        return end;
    }

    private static (int End, int Labels, int LastLabel) ReadHost(string v, int at)
    {
        var p = at;
        var labels = 0;
        var lastLabel = at;
        while (true)
        {
            var labelStart = p;
            while (p < v.Length && IsLabelChar(v[p]))
            {
                p++;
            }

            labels++;
            lastLabel = labelStart;
            if (p + 1 < v.Length && v[p] == '.' && IsLabelChar(v[p + 1]))
            {
                p++;
                continue;
            }

            return (p, labels, lastLabel);
        }
    }

    // A port and a path make a bare host a link: evil.com/pay, www.evil.com:8080/x.
    private static int EndOfPath(string v, int hostEnd)
    {
        var p = hostEnd;
        if (p + 1 < v.Length && v[p] == ':' && char.IsAsciiDigit(v[p + 1]))
        {
            p++;
            while (p < v.Length && char.IsAsciiDigit(v[p]))
            {
                p++;
            }
        }

        if (p >= v.Length || v[p] != '/')
        {
            return hostEnd;
        }

        return TrimTrailingPunctuation(v, hostEnd, ReadUrlRest(v, p));
    }

    private static bool IsTopLevel(ReadOnlySpan<char> label) =>
        (label.StartsWith("xn--") || !label.ContainsAnyExcept(AsciiLowercase)) && PublicSuffixes.IsListedTopLevel(label);

    private static readonly System.Buffers.SearchValues<char> AsciiLowercase = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz");

    private static bool IsLabelChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private int? FindPlatform(int colon)
    {
        var end = colon;
        while (end > 0 && text[end - 1] is ' ' or '\u3000')
        {
            end--;
        }

        var start = end;
        while (start > 0 && end - start < MaxAliasLength && (char.IsLetterOrDigit(text[start - 1]) || text[start - 1] is '_' or '-'))
        {
            start--;
        }

        // Longest first (支付宝账号 before 账号); an ASCII name is taken only as a whole word (not "line" of "Deadline").
        for (var from = start; from < end; from++)
        {
            var midWord = from > 0 && char.IsAsciiLetterOrDigit(text[from]) && char.IsAsciiLetterOrDigit(text[from - 1]);
            if (!midWord && !claimed[from] && AccountPlatforms.Resolve(text[from..end]) is not null)
            {
                return from;
            }
        }

        return null;
    }

    // An id is ASCII or its full-width form; a Chinese comma or full stop ends it, and so does any other script.
    private static bool IsAccountIdChar(char c) =>
        (c is > ' ' and < '\u007F' && ",;:!?()<>\"'[]{}|`".IndexOf(c, StringComparison.Ordinal) < 0)
        || (c is >= '\uFF01' and <= '\uFF5E' && c is not ('，' or '！' or '？' or '；' or '（' or '）' or '：'));

    private bool IsSpaceBetweenDigits(int at) =>
        text[at] == ' ' && at > 0 && char.IsAsciiDigit(text[at - 1]) && at + 1 < text.Length && char.IsAsciiDigit(text[at + 1]);

    private bool IsDigit(int at) => char.GetUnicodeCategory(text[at]) == UnicodeCategory.DecimalDigitNumber;

    private static bool IsPhoneSeparator(char c) =>
        c is ' ' or '\u00A0' or '\u3000' or '-' or '.' or '．' or '(' or ')' or '（' or '）' or '\u2212' or '\uFE58' or '\uFE63' or '\uFF0D'
            or (>= '\u2010' and <= '\u2015')
        || char.GetUnicodeCategory(c) == UnicodeCategory.Format;

    /// <summary>
    /// Groups of digits joined by at most three separators. A dot joins only groups of three digits or more on both
    /// sides, so that 3.5 and 1280.00 stay amounts.
    /// </summary>
    private List<(int Start, int End, int Digits)> ReadDigitGroups(int at)
    {
        var groups = new List<(int Start, int End, int Digits)>();
        var p = at;
        while (true)
        {
            var start = p;
            while (p < text.Length && !claimed[p] && IsDigit(p))
            {
                p++;
            }

            groups.Add((start, p, p - start));
            var q = p;
            var dot = false;
            while (q < text.Length && q - p < 3 && !claimed[q] && IsPhoneSeparator(text[q]))
            {
                dot |= text[q] is '.' or '．';
                q++;
            }

            if (q == p || q >= text.Length || claimed[q] || !IsDigit(q))
            {
                return groups;
            }

            if (dot && (p - start < 3 || CountDigits(q) < 3))
            {
                return groups;
            }

            p = q;
        }
    }

    private int CountDigits(int at)
    {
        var p = at;
        while (p < text.Length && IsDigit(p))
        {
            p++;
        }

        return p - at;
    }

    /// <summary>
    /// Splits a run of digit groups into the longest numbers the phone rules accept, from the left. A candidate spans at
    /// most <see cref="MaxPhoneGroups"/> groups and 20 digits, and a message gets at most <see cref="MaxPhoneAttempts"/>
    /// candidates read, so that no message costs more than a fraction of a second.
    /// </summary>
    private void TakePhones(int runStart, List<(int Start, int End, int Digits)> groups)
    {
        var first = LooksLikeDate(groups) ? Math.Min(3, groups.Count) : 0;
        for (var s = first; s < groups.Count;)
        {
            var last = s;
            var digits = groups[s].Digits;
            while (last + 1 < groups.Count && last + 1 - s < MaxPhoneGroups && digits + groups[last + 1].Digits <= PhoneChinaRules.MaxSmsSenderDigits)
            {
                last++;
                digits += groups[last].Digits;
            }

            var taken = false;
            for (var e = last + 1; e > s && digits >= MinServiceNumberDigits; digits -= groups[--e].Digits)
            {
                var start = s == 0 ? runStart : groups[s].Start;
                var end = groups[e - 1].End;
                if ((digits < MinPhoneDigits && e != s + 1) || !IsPlausibleContext(start, end))
                {
                    continue;
                }

                if (++phoneAttempts > MaxPhoneAttempts)
                {
                    return;
                }

                var candidate = Identifier.Canonicalize(IdentifierKind.Phone, text[start..end], options);
                if (candidate.IsValid && (digits >= MinPhoneDigits || (e == s + 1 && IsServiceNumber(candidate.Value!)))
                    && Add(IdentifierKind.Phone, start, end, text[start..end]))
                {
                    s = e;
                    taken = true;
                    break;
                }
            }

            if (!taken)
            {
                s++;
            }
        }
    }

    private static bool IsServiceNumber(string canonical) => Phones.Describe(canonical)?.Kind == PhoneNumberKind.ShortService;

    // 2024-05-12, 2024.5.12: a year of 19xx or 20xx, then a month.
    private bool LooksLikeDate(List<(int Start, int End, int Digits)> groups) =>
        groups.Count >= 2 && groups[0].Digits == 4 && text.AsSpan(groups[0].Start, 2) is "19" or "20" && groups[1].Digits is 1 or 2;

    private bool IsPlausibleContext(int start, int end)
    {
        var before = start;
        while (before > 0 && text[before - 1] is ' ' or '\u3000' or ':' or '：' or '#' or '＃' or '为' or '是')
        {
            before--;
        }

        var lead = text.AsSpan(Math.Max(0, before - 8), before - Math.Max(0, before - 8)).ToString().ToLowerInvariant();
        foreach (var word in CodeWords)
        {
            if (lead.EndsWith(word, StringComparison.Ordinal) && !(char.IsAsciiLetter(word[0]) && lead.Length > word.Length && char.IsAsciiLetter(lead[^(word.Length + 1)])))
            {
                return false;
            }
        }

        foreach (var currency in Currencies)
        {
            if (lead.EndsWith(currency, StringComparison.Ordinal))
            {
                return false;
            }
        }

        var after = end;
        while (after < text.Length && text[after] is ' ' or '\u3000')
        {
            after++;
        }

        var tail = text.AsSpan(after, Math.Min(4, text.Length - after)).ToString().ToLowerInvariant();
        if (tail.Length >= 2 && tail[0] is '.' or '．' && char.IsDigit(tail[1]))
        {
            return false;
        }

        foreach (var unit in Units)
        {
            if (tail.StartsWith(unit, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The message as a link reader sees it: full-width ASCII as ASCII, the ideographic space as a space, a dot written
    /// as 。, ．, ｡, 点, 點 or [.] between two characters of a host as a dot, format characters gone. Each character keeps
    /// the range of the message it came from.
    /// </summary>
    private sealed class LinkView
    {
        private LinkView(string text, int[] from, int[] to)
        {
            Text = text;
            From = from;
            To = to;
        }

        public string Text { get; }

        public int[] From { get; }

        public int[] To { get; }

        public static LinkView Of(string message)
        {
            var text = new StringBuilder(message.Length);
            var from = new List<int>(message.Length);
            var to = new List<int>(message.Length);
            void Put(char c, int start, int end)
            {
                text.Append(c);
                from.Add(start);
                to.Add(end);
            }

            for (var i = 0; i < message.Length; i++)
            {
                var c = message[i];
                var previous = text.Length > 0 ? text[^1] : '\0';
                if (c == '[' && message.AsSpan(i).StartsWith("[.]") && IsLabelChar(previous))
                {
                    Put('.', i, i + 3);
                    i += 2;
                }
                else if (c is '。' or '．' or '｡' or '点' or '點' && IsLabelChar(previous) && i + 1 < message.Length && char.IsAsciiLetterOrDigit(Simple(message[i + 1])))
                {
                    Put('.', i, i + 1);
                }
                else if (char.GetUnicodeCategory(c) != UnicodeCategory.Format)
                {
                    Put(Simple(c), i, i + 1);
                }
            }

            return new LinkView(text.ToString(), [.. from], [.. to]);
        }

        private static char Simple(char c) => c switch
        {
            >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
            '\u3000' => ' ',
            _ => c,
        };
    }
}
