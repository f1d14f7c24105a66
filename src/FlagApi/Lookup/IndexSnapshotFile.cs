using System.Security.Cryptography;

namespace FlagApi.Lookup;

/// <summary>
/// Which database state and code a snapshot was taken with: the list version and that version's change-log row (a
/// database restored from elsewhere, or created anew, has a different row or none), the schema version (a migration
/// may change entries without logging them), and the vocabulary (records hold enum values as numbers).
/// </summary>
internal readonly record struct SnapshotAnchor(long Version, long EntryId, long AtTicks, int Schema, long Vocabulary)
{
    /// <summary>A fingerprint of every enum a record stores by number, in number order.</summary>
    public static long CurrentVocabulary { get; } = Fingerprint(
        string.Join('|', Names<Identifiers.IdentifierKind>(), Names<Data.Category>(), Names<Data.Risk>(), Names<Data.EntryStatus>()));

    private static string Names<T>()
        where T : struct, Enum => string.Join(',', Enum.GetValues<T>().Select(v => $"{Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)}={v}"));

    private static long Fingerprint(string text) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}

/// <summary>
/// The list index saved to a file, so a restart reads one file instead of every row: at ten million entries that is
/// a few seconds against most of a minute. Written to a temporary file and renamed, so a crash leaves the old file or
/// the new one; a SHA-256 of the content closes the file, so a damaged one is noticed and the index loads from the database.
/// </summary>
internal static class IndexSnapshotFile
{
    private const int Format = 2;
    private static ReadOnlySpan<byte> Magic => "FLAGIDX\n"u8;

    public static void Write(string path, EntryTable table, SnapshotAnchor anchor)
    {
        var temporary = path + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
        {
            using (var hashed = new HashedStream(file))
            using (var writer = new BinaryWriter(hashed, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Magic);
                writer.Write(Format);
                writer.Write(anchor.Version);
                writer.Write(anchor.EntryId);
                writer.Write(anchor.AtTicks);
                writer.Write(anchor.Schema);
                writer.Write(anchor.Vocabulary);
                table.WriteTo(writer);
                writer.Flush();
                file.Write(hashed.Hash());
            }

            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The anchor a snapshot file names, without reading the rest; null if there is no file or it is of another format.</summary>
    public static SnapshotAnchor? ReadAnchor(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        using var reader = new BinaryReader(file);
        return ReadHeader(reader);
    }

    /// <summary>The table in the file; throws <see cref="InvalidDataException"/> when it is damaged or of another format.</summary>
    public static (EntryTable Table, SnapshotAnchor Anchor) Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        var (table, anchor, _) = Read(file);
        return (table, anchor);
    }

    /// <summary>
    /// A snapshot as <see cref="Write"/> wrote it, read from the start of <paramref name="source"/> to its end, with the
    /// SHA-256 of its content (the hash it ends with); throws <see cref="InvalidDataException"/> when it is damaged,
    /// of another format, or followed by anything.
    /// </summary>
    public static (EntryTable Table, SnapshotAnchor Anchor, byte[] Hash) Read(Stream source)
    {
        EntryTable table;
        SnapshotAnchor anchor;
        byte[] computed;
        try
        {
            using (var hashed = new HashedStream(source))
            using (var reader = new BinaryReader(hashed, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                anchor = ReadHeader(reader) ?? throw new InvalidDataException("The file is not an index snapshot of this format.");
                table = EntryTable.ReadFrom(reader);
                computed = hashed.Hash();
            }

            Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
            source.ReadExactly(stored);
            if (!stored.SequenceEqual(computed) || source.ReadByte() != -1)
            {
                throw new InvalidDataException("The snapshot's checksum does not match its content.");
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("The snapshot ends too soon.", ex);
        }

        return (table, anchor, computed);
    }

    /// <summary>The anchor and content hash of a whole snapshot file, read from its first and last bytes; null if it is of another format.</summary>
    public static (SnapshotAnchor Anchor, byte[] Hash)? ReadEnds(FileStream file)
    {
        if (file.Length < SHA256.HashSizeInBytes)
        {
            return null;
        }

        file.Position = 0;
        using var reader = new BinaryReader(file, System.Text.Encoding.UTF8, leaveOpen: true);
        if (ReadHeader(reader) is not { } anchor)
        {
            return null;
        }

        var hash = new byte[SHA256.HashSizeInBytes];
        file.Position = file.Length - hash.Length;
        file.ReadExactly(hash);
        file.Position = 0;
        return (anchor, hash);
    }

    private static SnapshotAnchor? ReadHeader(BinaryReader reader)
    {
        try
        {
            Span<byte> magic = stackalloc byte[Magic.Length];
            reader.BaseStream.ReadExactly(magic);
            return magic.SequenceEqual(Magic) && reader.ReadInt32() == Format
                ? new SnapshotAnchor(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64())
                : null;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>Passes bytes through to the file and hashes them on the way, in either direction.</summary>
    private sealed class HashedStream(Stream inner) : Stream
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] Hash() => hash.GetHashAndReset();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            hash.AppendData(buffer[..read]);
            return read;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
