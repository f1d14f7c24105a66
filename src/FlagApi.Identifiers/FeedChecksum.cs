using System.Security.Cryptography;
using System.Text;

namespace FlagApi.Identifiers;

/// <summary>
/// The checksum of the active list that <c>GET /v1/feed/snapshot</c> serves, so that a client that keeps
/// a local copy (a snapshot plus the deltas of <c>GET /v1/feed/changes</c>) can prove its copy is exact.
/// </summary>
/// <remarks>
/// The canonical list is one line per active entry, <c>kind TAB value TAB category TAB risk LF</c>, encoded
/// as UTF-8 without a byte order mark, with the wire names the API uses (<c>phone</c>, <c>task_brushing</c>,
/// <c>high</c>) and the canonical value (the match key). Lines are ordered by kind, then value, comparing
/// the UTF-8 bytes (which is Unicode code point order). The checksum is the lowercase hex SHA-256 of the
/// concatenated lines; the empty list's is the SHA-256 of no bytes. Canonical values never hold a tab
/// or a line break, so the lines cannot be read two ways.
/// </remarks>
public static class FeedChecksum
{
    /// <summary>
    /// The checksum of a prefix set of <c>GET /v1/feed/prefixes</c>: lowercase hex SHA-256 of the 4-byte prefixes concatenated
    /// in byte order. <paramref name="ascending"/> holds each prefix as the big-endian integer of its bytes, ascending.
    /// </summary>
    public static string OfPrefixes(ReadOnlySpan<uint> ascending)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> block = stackalloc byte[4096];
        for (var i = 0; i < ascending.Length; i += block.Length / 4)
        {
            var n = Math.Min(block.Length / 4, ascending.Length - i);
            for (var j = 0; j < n; j++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(block[(j * 4)..], ascending[i + j]);
            }

            sha.AppendData(block[..(n * 4)]);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Orders (kind, value) pairs as the canonical list does.</summary>
    public static IComparer<(string Kind, string Value)> Order { get; } = new CanonicalOrder();

    /// <summary>The checksum of <paramref name="entries"/>, in any order.</summary>
    public static string Compute(IEnumerable<(string Kind, string Value, string Category, string Risk)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var builder = new Builder();
        foreach (var entry in entries.OrderBy(e => (e.Kind, e.Value), Order))
        {
            builder.Append(entry.Kind, entry.Value, entry.Category, entry.Risk);
        }

        return builder.Finish();
    }

    /// <summary>One line of the canonical list.</summary>
    public static string Line(string kind, string value, string category, string risk) =>
        string.Concat(kind, "\t", value, "\t", category, "\t", risk, "\n");

    /// <summary>Compares strings by Unicode code point, which is UTF-8 byte order (and not UTF-16 <c>CompareOrdinal</c> order).</summary>
    public static int CompareCodePoints(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        var left = a.EnumerateRunes();
        var right = b.EnumerateRunes();
        while (true)
        {
            var hasLeft = left.MoveNext();
            var hasRight = right.MoveNext();
            if (!hasLeft || !hasRight)
            {
                return hasLeft ? 1 : hasRight ? -1 : 0;
            }

            var order = left.Current.Value.CompareTo(right.Current.Value);
            if (order != 0)
            {
                return order;
            }
        }
    }

    /// <summary>Hashes a list that arrives line by line, already in canonical order (a streamed snapshot).</summary>
    public sealed class Builder : IDisposable
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private byte[] buffer = new byte[256];

        public long Count { get; private set; }

        public void Append(string kind, string value, string category, string risk)
        {
            var line = Line(kind, value, category, risk);
            var needed = Encoding.UTF8.GetMaxByteCount(line.Length);
            if (buffer.Length < needed)
            {
                buffer = new byte[Math.Max(needed, buffer.Length * 2)];
            }

            var written = Encoding.UTF8.GetBytes(line, buffer);
            hash.AppendData(buffer, 0, written);
            Count++;
        }

        /// <summary>The lowercase hex checksum of the lines appended so far.</summary>
        public string Finish() => Convert.ToHexStringLower(hash.GetCurrentHash());

        public void Dispose() => hash.Dispose();
    }

    private sealed class CanonicalOrder : IComparer<(string Kind, string Value)>
    {
        public int Compare((string Kind, string Value) x, (string Kind, string Value) y)
        {
            var kind = CompareCodePoints(x.Kind, y.Kind);
            return kind != 0 ? kind : CompareCodePoints(x.Value, y.Value);
        }
    }
}
