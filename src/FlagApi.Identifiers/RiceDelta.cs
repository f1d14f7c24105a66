using System.Buffers.Binary;

namespace FlagApi.Identifiers;

/// <summary>
/// Ascending 32-bit integers as Safe Browsing v4's <c>RiceDeltaEncoding</c> carries them: the first value as it is, every
/// later one as its difference from the one before, Rice-Golomb coded with parameter <see cref="RiceParameter"/>.
/// </summary>
/// <param name="FirstValue">The smallest value; with <see cref="NumEntries"/> 0 the only one.</param>
/// <param name="RiceParameter">k, 2 to 28: a difference d is written as d &gt;&gt; k in unary (that many 1 bits, then a 0) and then its low k bits; 0 when <see cref="NumEntries"/> is 0.</param>
/// <param name="NumEntries">How many differences <see cref="EncodedData"/> holds: one fewer than the values.</param>
/// <param name="EncodedData">The coded differences, base64; bits fill each byte from its least significant bit, and a value's k low bits go least significant first.</param>
public sealed record RiceDeltaEncoding(long FirstValue, int RiceParameter, int NumEntries, string EncodedData);

/// <summary>
/// Rice-Golomb delta coding of sorted 32-bit values, bit for bit as Safe Browsing v4 ships hash prefixes and removal
/// indices (a test decodes the reference decoder's own vectors). A 4-byte hash prefix is the little-endian integer of
/// its bytes (<see cref="PrefixValue"/>), so prefixes are coded in integer order, not in the byte order the checksum uses.
/// </summary>
public static class RiceDelta
{
    public const int MinParameter = 2;
    public const int MaxParameter = 28;

    /// <summary>The integer a 4-byte prefix stands for: its bytes read little-endian.</summary>
    public static uint PrefixValue(ReadOnlySpan<byte> prefix) => BinaryPrimitives.ReadUInt32LittleEndian(prefix);

    /// <summary>The 4 bytes of a prefix from its integer.</summary>
    public static void WritePrefix(uint value, Span<byte> prefix) => BinaryPrimitives.WriteUInt32LittleEndian(prefix, value);

    /// <summary>
    /// Codes <paramref name="ascending"/> (sorted, repeats allowed) with the parameter that makes the data shortest;
    /// null for no values, which the format cannot express.
    /// </summary>
    public static RiceDeltaEncoding? Encode(ReadOnlySpan<uint> ascending) =>
        ascending.IsEmpty ? null : Encode(ascending, BestParameter(ascending));

    /// <summary>Codes <paramref name="ascending"/> with parameter <paramref name="riceParameter"/>.</summary>
    public static RiceDeltaEncoding Encode(ReadOnlySpan<uint> ascending, int riceParameter)
    {
        if (ascending.IsEmpty)
        {
            throw new ArgumentException("There is no value to code; the format needs at least one.", nameof(ascending));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(riceParameter, MinParameter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(riceParameter, MaxParameter);
        if (ascending.Length == 1)
        {
            return new RiceDeltaEncoding(ascending[0], 0, 0, "");
        }

        var bits = new BitWriter(checked((int)((TotalBits(ascending, riceParameter) + 7) / 8)));
        var mask = (1u << riceParameter) - 1;
        for (var i = 1; i < ascending.Length; i++)
        {
            var delta = Delta(ascending, i);
            bits.WriteOnes(delta >> riceParameter);
            bits.Write(delta & mask, riceParameter);
        }

        return new RiceDeltaEncoding(ascending[0], riceParameter, ascending.Length - 1, Convert.ToBase64String(bits.Bytes));
    }

    /// <summary>
    /// The values <paramref name="encoding"/> holds, ascending; a <see cref="FormatException"/> when it is not a well-formed
    /// coding of 32-bit values (a parameter out of range, too few bits, a value past 2^32 - 1, data that is not base64).
    /// </summary>
    public static uint[] Decode(RiceDeltaEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        if (encoding.FirstValue is < 0 or > uint.MaxValue)
        {
            throw new FormatException($"firstValue {encoding.FirstValue} is not a 32-bit unsigned value.");
        }

        if (encoding.NumEntries < 0)
        {
            throw new FormatException($"numEntries {encoding.NumEntries} is negative.");
        }

        if (encoding.NumEntries == 0)
        {
            return [(uint)encoding.FirstValue];
        }

        if (encoding.RiceParameter is < MinParameter or > MaxParameter)
        {
            throw new FormatException($"riceParameter {encoding.RiceParameter} is outside {MinParameter} to {MaxParameter}.");
        }

        byte[] data;
        try
        {
            data = Convert.FromBase64String(encoding.EncodedData ?? "");
        }
        catch (FormatException)
        {
            throw new FormatException("encodedData is not base64.");
        }

        // Every difference takes at least k + 1 bits: a count the data cannot hold is refused before anything is allocated.
        if ((long)encoding.NumEntries * (encoding.RiceParameter + 1) > (long)data.Length * 8)
        {
            throw new FormatException($"encodedData has {data.Length} bytes, too few for {encoding.NumEntries} entries with riceParameter {encoding.RiceParameter}.");
        }

        var values = new uint[encoding.NumEntries + 1];
        values[0] = (uint)encoding.FirstValue;
        var reader = new BitReader(data);
        ulong value = values[0];
        for (var i = 1; i < values.Length; i++)
        {
            var quotient = reader.ReadOnes();
            var remainder = reader.Read(encoding.RiceParameter);
            value += (quotient << encoding.RiceParameter) + remainder;
            if (value > uint.MaxValue)
            {
                throw new FormatException($"Entry {i} of encodedData passes 2^32 - 1.");
            }

            values[i] = (uint)value;
        }

        return values;
    }

    /// <summary>The parameter that codes <paramref name="ascending"/> in the fewest bits.</summary>
    public static int BestParameter(ReadOnlySpan<uint> ascending)
    {
        if (ascending.Length < 2)
        {
            return MinParameter;
        }

        // The best k lies near log2 of the mean difference; the bits are counted exactly for it and its neighbours.
        var mean = (double)(ascending[^1] - ascending[0]) / (ascending.Length - 1);
        var guess = Math.Clamp(mean < 2 ? MinParameter : (int)Math.Log2(mean), MinParameter, MaxParameter);
        var best = guess;
        var fewest = long.MaxValue;
        for (var k = Math.Max(MinParameter, guess - 2); k <= Math.Min(MaxParameter, guess + 2); k++)
        {
            var bits = TotalBits(ascending, k);
            if (bits < fewest)
            {
                (best, fewest) = (k, bits);
            }
        }

        return best;
    }

    private static long TotalBits(ReadOnlySpan<uint> ascending, int riceParameter)
    {
        long bits = (long)(ascending.Length - 1) * (riceParameter + 1);
        for (var i = 1; i < ascending.Length; i++)
        {
            bits += Delta(ascending, i) >> riceParameter;
        }

        return bits;
    }

    private static uint Delta(ReadOnlySpan<uint> ascending, int i) =>
        ascending[i] >= ascending[i - 1] ? ascending[i] - ascending[i - 1]
            : throw new ArgumentException($"The values are not ascending: {ascending[i]} follows {ascending[i - 1]}.", nameof(ascending));

    /// <summary>Writes bits into bytes from each byte's least significant bit.</summary>
    private ref struct BitWriter(int length)
    {
        private long position;

        public byte[] Bytes { get; } = new byte[length];

        public void WriteOnes(uint count)
        {
            for (var i = 0u; i < count; i++, position++)
            {
                SetBit();
            }

            // The 0 that ends the unary count is already in the zeroed array.
            position++;
        }

        public void Write(uint value, int count)
        {
            for (var i = 0; i < count; i++, position++)
            {
                if ((value >> i & 1) != 0)
                {
                    SetBit();
                }
            }
        }

        private readonly void SetBit() => Bytes[position >> 3] |= (byte)(1 << (int)(position & 7));
    }

    /// <summary>Reads bits from each byte's least significant bit; past the end it throws.</summary>
    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> data = data;
        private long position;

        public ulong ReadOnes()
        {
            ulong count = 0;
            while (Bit())
            {
                count++;
            }

            return count;
        }

        public ulong Read(int count)
        {
            ulong value = 0;
            for (var i = 0; i < count; i++)
            {
                if (Bit())
                {
                    value |= 1ul << i;
                }
            }

            return value;
        }

        private bool Bit()
        {
            if (position >> 3 >= data.Length)
            {
                throw new FormatException("encodedData ends before its last entry.");
            }

            var set = (data[(int)(position >> 3)] >> (int)(position & 7) & 1) != 0;
            position++;
            return set;
        }
    }
}
