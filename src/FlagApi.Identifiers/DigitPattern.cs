namespace FlagApi.Identifiers;

/// <summary>
/// One of libphonenumber's number patterns compiled to a deterministic automaton over the ten digits. The patterns
/// use a small part of regular expressions (digits, <c>\d</c>, digit classes, groups, <c>|</c>, <c>?</c>,
/// <c>{n}</c>, <c>{n,m}</c>); .NET's regex engine took seconds to compile China's landline pattern and hundreds of
/// nanoseconds to match it, where the automaton takes a table look-up per digit. It also answers what the engine
/// cannot: which lengths a number that begins with given digits can have.
/// </summary>
internal sealed class DigitPattern
{
    // Past this many automaton states a pattern is refused rather than built; libphonenumber's largest has far fewer.
    private const int MaxStates = 200_000;

    private readonly int[] next;
    private readonly bool[] accept;
    private readonly uint[] lengthsAhead;

    private DigitPattern(int[] next, bool[] accept, uint[] lengthsAhead)
    {
        this.next = next;
        this.accept = accept;
        this.lengthsAhead = lengthsAhead;
    }

    /// <summary>The whole of <paramref name="digits"/> matches.</summary>
    public bool Matches(ReadOnlySpan<char> digits)
    {
        var state = Run(digits);
        return state >= 0 && accept[state];
    }

    /// <summary>Some start of <paramref name="digits"/> matches (a regex's lookingAt).</summary>
    public bool MatchesStart(ReadOnlySpan<char> digits)
    {
        var state = 0;
        foreach (var c in digits)
        {
            if (accept[state])
            {
                return true;
            }

            if ((uint)(c - '0') > 9 || (state = next[(state * 10) + c - '0']) < 0)
            {
                return false;
            }
        }

        return accept[state];
    }

    /// <summary>The lengths (bit n: length n) of the matching strings that begin with <paramref name="start"/>.</summary>
    public uint LengthsBeginningWith(ReadOnlySpan<char> start)
    {
        var state = Run(start);
        return state < 0 || start.Length >= 32 ? 0 : lengthsAhead[state] << start.Length;
    }

    /// <summary>A matching string of <paramref name="length"/> digits that begins with <paramref name="start"/>, or null.</summary>
    public string? Complete(string start, int length)
    {
        var state = Run(start);
        var more = length - start.Length;
        if (state < 0 || more < 0 || more >= 32 || (lengthsAhead[state] & (1u << more)) == 0)
        {
            return null;
        }

        var text = new char[length];
        start.CopyTo(text);
        for (var at = start.Length; at < length; at++)
        {
            more--;
            for (var digit = 0; digit < 10; digit++)
            {
                var to = next[(state * 10) + digit];
                if (to >= 0 && (lengthsAhead[to] & (1u << more)) != 0)
                {
                    text[at] = (char)('0' + digit);
                    state = to;
                    break;
                }
            }
        }

        return new string(text);
    }

    private int Run(ReadOnlySpan<char> digits)
    {
        var state = 0;
        foreach (var c in digits)
        {
            if ((uint)(c - '0') > 9 || (state = next[(state * 10) + c - '0']) < 0)
            {
                return -1;
            }
        }

        return state;
    }

    public static DigitPattern Compile(string pattern)
    {
        var nfa = new Nfa();
        var parser = new Parser(pattern);
        var start = nfa.Build(parser.Parse(), Nfa.Accept);
        return nfa.Determinize(start);
    }

    private abstract record Node;

    private sealed record Digits(int Mask) : Node;

    private sealed record Sequence(IReadOnlyList<Node> Items) : Node;

    private sealed record Choice(IReadOnlyList<Node> Options) : Node;

    private sealed record Repeat(Node Item, int Min, int Max) : Node;

    private sealed class Parser(string text)
    {
        private int at;

        public Node Parse()
        {
            var node = ParseChoice();
            if (at != text.Length)
            {
                throw Unsupported();
            }

            return node;
        }

        private Node ParseChoice()
        {
            var options = new List<Node> { ParseSequence() };
            while (Peek() == '|')
            {
                at++;
                options.Add(ParseSequence());
            }

            return options.Count == 1 ? options[0] : new Choice(options);
        }

        private Sequence ParseSequence()
        {
            var items = new List<Node>();
            while (at < text.Length && Peek() is not ('|' or ')'))
            {
                items.Add(ParseRepeat());
            }

            return new Sequence(items);
        }

        private Node ParseRepeat()
        {
            var item = ParseAtom();
            while (true)
            {
                if (Peek() == '?')
                {
                    at++;
                    item = new Repeat(item, 0, 1);
                }
                else if (Peek() == '{')
                {
                    at++;
                    var min = Number();
                    var max = min;
                    if (Peek() == ',')
                    {
                        at++;
                        max = Number();
                    }

                    Expect('}');
                    item = new Repeat(item, min, max);
                }
                else
                {
                    return item;
                }
            }
        }

        private Node ParseAtom()
        {
            var c = Peek();
            at++;
            switch (c)
            {
                case '(':
                    if (Peek() == '?')
                    {
                        at++;
                        Expect(':');
                    }

                    var inner = ParseChoice();
                    Expect(')');
                    return inner;
                case '[':
                    var mask = 0;
                    while (Peek() != ']')
                    {
                        var low = DigitAt();
                        var high = low;
                        if (Peek() == '-')
                        {
                            at++;
                            high = DigitAt();
                        }

                        for (var digit = low; digit <= high; digit++)
                        {
                            mask |= 1 << digit;
                        }
                    }

                    at++;
                    return new Digits(mask);
                case '\\':
                    Expect('d');
                    return new Digits(0x3FF);
                case >= '0' and <= '9':
                    return new Digits(1 << (c - '0'));
                default:
                    throw Unsupported();
            }
        }

        private int DigitAt()
        {
            var c = Peek();
            at++;
            return c is >= '0' and <= '9' ? c - '0' : throw Unsupported();
        }

        private int Number()
        {
            var begin = at;
            while (Peek() is >= '0' and <= '9')
            {
                at++;
            }

            return begin < at ? int.Parse(text.AsSpan(begin, at - begin), System.Globalization.CultureInfo.InvariantCulture) : throw Unsupported();
        }

        private void Expect(char c)
        {
            if (Peek() != c)
            {
                throw Unsupported();
            }

            at++;
        }

        private char Peek() => at < text.Length ? text[at] : '\0';

        private FormatException Unsupported() => new($"The number pattern '{text}' uses syntax beyond digits, \\d, classes, groups, |, ? and {{n,m}} (at {at}).");
    }

    /// <summary>A Thompson automaton: digit nodes that consume one digit of a mask, and splits that consume none.</summary>
    private sealed class Nfa
    {
        public const int Accept = 0;

        private readonly List<int> masks = [0];
        private readonly List<int> first = [-1];
        private readonly List<int> second = [-1];

        public int Build(Node node, int then)
        {
            switch (node)
            {
                case Digits digits:
                    return Add(digits.Mask, then, -1);
                case Sequence sequence:
                    for (var i = sequence.Items.Count - 1; i >= 0; i--)
                    {
                        then = Build(sequence.Items[i], then);
                    }

                    return then;
                case Choice choice:
                    var start = Build(choice.Options[^1], then);
                    for (var i = choice.Options.Count - 2; i >= 0; i--)
                    {
                        start = Add(0, Build(choice.Options[i], then), start);
                    }

                    return start;
                case Repeat repeat:
                    var rest = then;
                    for (var i = repeat.Min; i < repeat.Max; i++)
                    {
                        rest = Add(0, Build(repeat.Item, rest), then);
                    }

                    for (var i = 0; i < repeat.Min; i++)
                    {
                        rest = Build(repeat.Item, rest);
                    }

                    return rest;
                default:
                    throw new ArgumentOutOfRangeException(nameof(node));
            }
        }

        private int Add(int mask, int out1, int out2)
        {
            masks.Add(mask);
            first.Add(out1);
            second.Add(out2);
            return masks.Count - 1;
        }

        /// <summary>The subset construction; states are sets of digit nodes (and the accepting node) closed over splits.</summary>
        public DigitPattern Determinize(int start)
        {
            var states = new List<int[]>();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var transitions = new List<int>();
            int StateOf(SortedSet<int> set)
            {
                var key = string.Join(',', set);
                if (!index.TryGetValue(key, out var id))
                {
                    id = states.Count;
                    if (id >= MaxStates)
                    {
                        throw new FormatException("A number pattern has too many states to compile.");
                    }

                    index[key] = id;
                    states.Add([.. set]);
                    transitions.AddRange(Enumerable.Repeat(-2, 10));
                }

                return id;
            }

            var initial = new SortedSet<int>();
            Close(start, initial);
            StateOf(initial);
            for (var state = 0; state < states.Count; state++)
            {
                for (var digit = 0; digit < 10; digit++)
                {
                    var target = new SortedSet<int>();
                    foreach (var node in states[state])
                    {
                        if (node != Accept && (masks[node] & (1 << digit)) != 0)
                        {
                            Close(first[node], target);
                        }
                    }

                    transitions[(state * 10) + digit] = target.Count == 0 ? -1 : StateOf(target);
                }
            }

            var accepting = states.Select(set => set.Contains(Accept)).ToArray();
            var table = transitions.ToArray();

            // The patterns have no unbounded repetition, so the automaton has no cycle and each state's lengths ahead
            // follow from its successors'.
            var ahead = new uint[states.Count];
            var done = new bool[states.Count];
            uint Ahead(int state)
            {
                if (!done[state])
                {
                    var lengths = accepting[state] ? 1u : 0u;
                    for (var digit = 0; digit < 10; digit++)
                    {
                        var to = table[(state * 10) + digit];
                        if (to >= 0)
                        {
                            lengths |= Ahead(to) << 1;
                        }
                    }

                    ahead[state] = lengths;
                    done[state] = true;
                }

                return ahead[state];
            }

            for (var state = states.Count - 1; state >= 0; state--)
            {
                Ahead(state);
            }

            return new DigitPattern(table, accepting, ahead);
        }

        private void Close(int node, SortedSet<int> into)
        {
            if (node < 0)
            {
                return;
            }

            if (node == Accept || masks[node] != 0)
            {
                into.Add(node);
                return;
            }

            Close(first[node], into);
            Close(second[node], into);
        }
    }
}
