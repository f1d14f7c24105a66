using FlagApi.Identifiers;

namespace FlagApi.Identifiers.Tests;

/// <summary>
/// The Rice-delta coder against the vectors Chromium's Safe Browsing v4 decoder is tested with (its
/// <c>v4_rice_unittest.cc</c>: the same first value, parameter, count and bytes give the same integers), and in round trips.
/// </summary>
public class RiceDeltaTests
{
    // Chromium's TestDecoderIntegersWithMultipleValues: 5, then differences 15 and 9 with k = 2.
    private static readonly byte[] SmallVector = [0xf7, 0x02];

    // Chromium's TestDecoderPrefixesWithMultipleValues: three differences with k = 28 (96 bits; its 13th byte is padding).
    private static readonly byte[] PrefixVector = [0xbf, 0xa8, 0x3f, 0xfb, 0x0f, 0x0f, 0x5e, 0x27, 0xe6, 0xc3, 0x1d, 0xc6, 0x38];

    [Fact]
    public void DecodesTheReferenceDecodersSmallIntegers()
    {
        var values = RiceDelta.Decode(new RiceDeltaEncoding(5, 2, 2, Convert.ToBase64String(SmallVector)));

        Assert.Equal([5u, 20u, 29u], values);
    }

    [Fact]
    public void EncodesThemToTheSameBytes()
    {
        var encoding = RiceDelta.Encode([5u, 20u, 29u], 2);

        Assert.Equal(new RiceDeltaEncoding(5, 2, 2, Convert.ToBase64String(SmallVector)), encoding);
    }

    [Fact]
    public void DecodesTheReferenceDecodersHashPrefixes()
    {
        var values = RiceDelta.Decode(new RiceDeltaEncoding(5, 28, 3, Convert.ToBase64String(PrefixVector)));

        Assert.Equal([5u, 0x6ff67f56u, 0x81316fceu, 0xad934c0cu], values);

        // As prefixes: the little-endian bytes of each value.
        Assert.Equal(0xad934c0cu, RiceDelta.PrefixValue([0x0c, 0x4c, 0x93, 0xad]));
        Span<byte> prefix = stackalloc byte[4];
        RiceDelta.WritePrefix(5, prefix);
        Assert.Equal([0x05, 0x00, 0x00, 0x00], prefix.ToArray());
    }

    [Fact]
    public void EncodesThemToTheSameBitsWithoutThePadding()
    {
        var encoding = RiceDelta.Encode([5u, 0x6ff67f56u, 0x81316fceu, 0xad934c0cu], 28);

        Assert.Equal(PrefixVector[..12], Convert.FromBase64String(encoding.EncodedData));
        Assert.Equal((5L, 28, 3), (encoding.FirstValue, encoding.RiceParameter, encoding.NumEntries));
    }

    [Fact]
    public void OneValueIsTheFirstValueAlone()
    {
        var encoding = RiceDelta.Encode([0x69F67F51u]);

        Assert.Equal(new RiceDeltaEncoding(0x69F67F51u, 0, 0, ""), encoding);
        Assert.Equal([0x69F67F51u], RiceDelta.Decode(encoding!));
        Assert.Null(RiceDelta.Encode([]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(50_000)]
    public void RandomSetsComeBackExactly(int count)
    {
        var random = new Random(count);
        for (var round = 0; round < 20; round++)
        {
            // Repeats and both ends of the range included.
            var values = Enumerable.Range(0, count).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToList();
            if (round % 2 == 0 && count > 2)
            {
                values[0] = 0;
                values[1] = uint.MaxValue;
                values[^1] = values[^2];
            }

            var ascending = values.Order().ToArray();
            var encoding = RiceDelta.Encode(ascending)!;

            Assert.InRange(encoding.RiceParameter, count == 1 ? 0 : RiceDelta.MinParameter, RiceDelta.MaxParameter);
            Assert.Equal(ascending, RiceDelta.Decode(encoding));
        }
    }

    [Fact]
    public void TheChosenParameterIsAsShortAsAnyOther()
    {
        var random = new Random(7);
        foreach (var (count, spread) in new[] { (100, 1L << 32), (5000, 1L << 32), (5000, 100_000L), (300, 2_000L), (40, 1L << 20) })
        {
            var ascending = Enumerable.Range(0, count).Select(_ => (uint)random.NextInt64(0, spread)).Order().ToArray();
            var chosen = Convert.FromBase64String(RiceDelta.Encode(ascending)!.EncodedData).Length;
            for (var k = RiceDelta.MinParameter; k <= RiceDelta.MaxParameter; k++)
            {
                Assert.True(chosen <= Convert.FromBase64String(RiceDelta.Encode(ascending, k).EncodedData).Length, $"k = {k} is shorter for {count} values over {spread}");
            }
        }
    }

    [Fact]
    public void AMillionRandomPrefixesTakeUnderOnePointEightMegabytes()
    {
        // Safe Browsing's figure is about 1.7 MB per million: 32-bit prefixes spread evenly cost about 14 bits each.
        var random = new Random(1);
        var ascending = new uint[1_000_000];
        for (var i = 0; i < ascending.Length; i++)
        {
            ascending[i] = (uint)random.NextInt64(0, 1L << 32);
        }

        Array.Sort(ascending);
        var encoding = RiceDelta.Encode(ascending)!;

        Assert.InRange(Convert.FromBase64String(encoding.EncodedData).Length, 1_650_000, 1_800_000);
        Assert.Equal(12, encoding.RiceParameter);
    }

    [Fact]
    public void ValuesOutOfOrderAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => RiceDelta.Encode([3u, 2u]));

        Assert.Contains("not ascending", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => RiceDelta.Encode([1u, 2u], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiceDelta.Encode([1u, 2u], 29));
    }

    public static TheoryData<RiceDeltaEncoding, string> Malformed => new()
    {
        { new RiceDeltaEncoding(5, 28, 3, Convert.ToBase64String([0xbf, 0xa8, 0x3f, 0xfb, 0xfc, 0xfb, 0x5e, 0x27, 0xe6, 0xc3, 0x1d, 0xc6, 0x38])), "passes 2^32 - 1" },
        { new RiceDeltaEncoding(-1, 0, 0, ""), "not a 32-bit" },
        { new RiceDeltaEncoding(1L << 32, 0, 0, ""), "not a 32-bit" },
        { new RiceDeltaEncoding(5, 2, -1, ""), "negative" },
        { new RiceDeltaEncoding(5, 1, 1, "AA=="), "outside 2 to 28" },
        { new RiceDeltaEncoding(5, 29, 1, "AA=="), "outside 2 to 28" },
        { new RiceDeltaEncoding(5, 2, 1, "not base64!"), "not base64" },
        { new RiceDeltaEncoding(5, 2, 1, ""), "too few" },
        { new RiceDeltaEncoding(5, 2, int.MaxValue, "AAAA"), "too few" },

        // Enough bits for the count, but a unary run of 1s that never ends.
        { new RiceDeltaEncoding(5, 2, 2, Convert.ToBase64String([0xff, 0xff])), "ends before" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedCodingsAreRefusedWithTheReason(RiceDeltaEncoding encoding, string reason)
    {
        var error = Assert.Throws<FormatException>(() => RiceDelta.Decode(encoding));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
