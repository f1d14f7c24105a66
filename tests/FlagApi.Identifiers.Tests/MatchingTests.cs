using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

public class MatchingTests
{
    /// <summary>
    /// Allowed bytes per character of input: at most 30 expressions, each no longer than the input, plus their list.
    /// Building every suffix of a 4,096-character host of 2,044 labels (the algorithm this replaced) took 8 MB.
    /// </summary>
    private const int BytesPerCharacter = 80;

    /// <summary>What does not grow with the input: the parents that fit in a DNS name (at most 127 of 253 characters or fewer).</summary>
    private const int FixedBytes = 64 * 1024;

    /// <summary>
    /// (what is built, the shape of the host, about how many characters of input). Not longer: should the cost turn
    /// quadratic again, 16,384 characters already hold 128 MB.
    /// </summary>
    public static TheoryData<string, string, int> HugeInputs => new()
    {
        { "url probes", "short labels", 4_096 },
        { "url probes", "short labels", 16_384 },
        { "url probes", "one label", 16_384 },
        { "url probes", "long labels", 16_384 },
        { "url probes", "short labels and a long path", 16_384 },
        { "domain probes", "short labels", 4_096 },
        { "domain probes", "short labels", 16_384 },
        { "domain probes", "one label", 16_384 },
        { "url expressions", "short labels", 16_384 },
        { "domain parents", "short labels", 4_096 },
        { "domain parents", "short labels", 16_384 },
        { "domain parents", "long labels", 16_384 },
    };

    /// <summary>
    /// Lookups probe a bounded number of keys, so their cost must follow the input's length, not its square: counted
    /// in bytes allocated rather than time, so that a slow machine cannot fail it and a regression cannot pass it.
    /// </summary>
    [Theory]
    [MemberData(nameof(HugeInputs))]
    public void KeysOfAHugeInputCostMemoryInProportionToItsLength(string built, string shape, int length)
    {
        var host = shape switch
        {
            "short labels" or "short labels and a long path" => string.Concat(Enumerable.Repeat("a.", length / 2)) + "example",
            "one label" => new string('a', length) + ".example",
            "long labels" => string.Join('.', Enumerable.Repeat(new string('a', 1_000), length / 1_000)) + ".example",
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
        var path = shape.EndsWith("long path", StringComparison.Ordinal) ? string.Concat(Enumerable.Repeat("/b", length / 2)) + "?q" : "/";
        Func<int> build = built switch
        {
            "url probes" => () => Matching.Probes(IdentifierKind.Url, "http://" + host + path).Count,
            "domain probes" => () => Matching.Probes(IdentifierKind.Domain, host).Count,
            "url expressions" => () => Urls.Expressions("http://" + host + path).Count,
            "domain parents" => () => Domains.SelfAndParents(host).Count,
            _ => throw new ArgumentOutOfRangeException(nameof(built)),
        };
        var input = host.Length + path.Length;

        _ = build(); // the first run also brings in whatever is built once
        var before = GC.GetAllocatedBytesForCurrentThread();
        var keys = build();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Each call builds its input string first (UTF-16: two bytes a character), which is counted too.
        Assert.InRange(allocated, 0, ((long)BytesPerCharacter * input) + FixedBytes);
        Assert.InRange(keys, 1, 300);
    }
}
