using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>
/// The Public Suffix List: the suffixes under which anyone can register names, such as <c>com</c>, <c>com.cn</c> and
/// <c>github.io</c>. Read from the copy in <c>PublicSuffix/</c> (see its README for its licence and how to update
/// it). Both its ICANN and PRIVATE sections count: a hosting platform's suffix is as open to strangers as a
/// country's.
/// </summary>
public static class PublicSuffixes
{
    /// <summary>
    /// True when <paramref name="canonicalDomain"/> (lowercase punycode, as <see cref="Domains.Canonicalize"/> gives)
    /// is itself a public suffix, so that flagging it would flag every name registered under it. A name under no
    /// listed rule has its top-level label as its suffix (the list's implicit <c>*</c>); an IP address is no suffix.
    /// </summary>
    public static bool IsPublicSuffix(string canonicalDomain)
    {
        ArgumentNullException.ThrowIfNull(canonicalDomain);
        return !IsAddressOrEmpty(canonicalDomain) && List.SuffixStart(canonicalDomain) == 0;
    }

    /// <summary>
    /// The registrable domain <paramref name="canonicalDomain"/> lies in: its public suffix and one label more
    /// (<c>www.evil.com.cn</c> → <c>evil.com.cn</c>); null for a public suffix itself and for an IP address.
    /// </summary>
    public static string? RegistrableDomain(string canonicalDomain)
    {
        ArgumentNullException.ThrowIfNull(canonicalDomain);
        var suffix = IsAddressOrEmpty(canonicalDomain) ? 0 : List.SuffixStart(canonicalDomain);
        if (suffix < 2)
        {
            return null;
        }

        var start = canonicalDomain.LastIndexOf('.', suffix - 2) + 1;
        return start == 0 ? canonicalDomain : canonicalDomain[start..];
    }

    /// <summary>True when <paramref name="label"/> (lowercase ASCII) is a top-level domain the list names, such as <c>com</c> or <c>cn</c>.</summary>
    internal static bool IsListedTopLevel(ReadOnlySpan<char> label) => List.HasRule(label);

    internal static PublicSuffixList List => Loaded.List;

    private static bool IsAddressOrEmpty(string host) =>
        host.Length == 0 || host.StartsWith('[') || HostNames.IsIPv4(host);

    /// <summary>Holds the list, so that it is read once, on first use, and never by code that does not need it.</summary>
    private static class Loaded
    {
        public static readonly PublicSuffixList List = Read();

        private static PublicSuffixList Read()
        {
            using var stream = typeof(PublicSuffixes).Assembly.GetManifestResourceStream("FlagApi.Identifiers.public_suffix_list.dat")
                ?? throw new InvalidOperationException("The Public Suffix List is not embedded in FlagApi.Identifiers.");
            using var reader = new StreamReader(stream);
            return PublicSuffixList.Parse(reader);
        }
    }
}

/// <summary>The rules of a Public Suffix List file, and the list's algorithm for the public suffix of a domain.</summary>
internal sealed class PublicSuffixList
{
    private readonly FrozenDictionary<string, Rule>.AlternateLookup<ReadOnlySpan<char>> rules;

    private PublicSuffixList(FrozenDictionary<string, Rule> rules)
    {
        Count = rules.Count;
        this.rules = rules.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    [Flags]
    private enum Rule : byte
    {
        None = 0,

        /// <summary><c>com.cn</c>: the name itself is a suffix.</summary>
        Exact = 1,

        /// <summary><c>*.ck</c>, stored under <c>ck</c>: every name one label below it is a suffix.</summary>
        Wildcard = 2,

        /// <summary><c>!www.ck</c>, stored under <c>www.ck</c>: not a suffix after all; its parent is.</summary>
        Exception = 4,

        /// <summary><c>cn</c> of <c>com.cn</c>: a longer rule ends in this name, so a lookup goes on to the next label.</summary>
        Parent = 8,
    }

    /// <summary>Whether <paramref name="name"/> carries a rule or lies above one.</summary>
    public bool HasRule(ReadOnlySpan<char> name) => rules.TryGetValue(name, out _);

    /// <summary>How many names carry a rule or lie above one.</summary>
    public int Count { get; }

    /// <summary>
    /// Reads the file format: one rule a line up to the first white space, <c>//</c> comments, a leading <c>*.</c>
    /// for a wildcard and <c>!</c> for an exception. Rules written in Unicode are stored in punycode, as canonical
    /// domains are. A wildcard anywhere but in front is refused: the list has none, and the lookup does not handle one.
    /// </summary>
    public static PublicSuffixList Parse(TextReader reader)
    {
        var idn = new IdnMapping();
        var rules = new Dictionary<string, Rule>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.AsSpan().Trim();
            var space = text.IndexOfAny(' ', '\t');
            text = space < 0 ? text : text[..space];
            if (text.IsEmpty || text.StartsWith("//"))
            {
                continue;
            }

            var rule = Rule.Exact;
            if (text.StartsWith('!'))
            {
                rule = Rule.Exception;
                text = text[1..];
            }
            else if (text.StartsWith("*."))
            {
                rule = Rule.Wildcard;
                text = text[2..];
            }

            if (text.IsEmpty || text.Contains('*') || text.Contains('!'))
            {
                throw new InvalidDataException($"Line {lineNumber} of the Public Suffix List, “{line}”, is not a rule this reader understands.");
            }

            var name = Ascii.IsValid(text) ? HostNames.LowerAscii(text.ToString()) : idn.GetAscii(text.ToString());
            rules[name] = rules.GetValueOrDefault(name) | rule;
            for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = name.IndexOf('.', dot + 1))
            {
                var parent = name[(dot + 1)..];
                rules[parent] = rules.GetValueOrDefault(parent) | Rule.Parent;
            }
        }

        return new PublicSuffixList(rules.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// Where the public suffix of <paramref name="domain"/> starts (publicsuffix.org, "Algorithm"): an exception rule
    /// prevails and gives its parent; otherwise the matching rule of most labels, a wildcard matching any one label;
    /// with no rule, the last label alone. Walks from the right and stops where no longer rule can match, so a long
    /// domain costs no more than its last few labels; allocates nothing.
    /// </summary>
    public int SuffixStart(ReadOnlySpan<char> domain)
    {
        var longest = -1;
        var exception = -1;
        var wildcardBelow = false;
        var shorter = domain.Length;
        var end = domain.Length;
        while (true)
        {
            var start = domain[..end].LastIndexOf('.') + 1;
            if (wildcardBelow || longest < 0)
            {
                longest = start;
            }

            if (!rules.TryGetValue(domain[start..], out var rule))
            {
                break;
            }

            if ((rule & Rule.Exact) != 0)
            {
                longest = start;
            }

            if ((rule & Rule.Exception) != 0)
            {
                exception = shorter;
            }

            wildcardBelow = (rule & Rule.Wildcard) != 0;
            if (start == 0)
            {
                break;
            }

            shorter = start;
            end = start - 1;
        }

        return exception >= 0 ? exception : longest;
    }
}
