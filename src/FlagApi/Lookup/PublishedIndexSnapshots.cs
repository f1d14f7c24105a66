using System.Data;
using System.Data.Common;
using System.Globalization;
using System.IO.Pipelines;
using FlagApi.Data;

namespace FlagApi.Lookup;

/// <summary>A complete snapshot in the database: where it is, what it was taken of, how long it is and the hash it ends with.</summary>
internal sealed record PublishedSnapshot(long Id, SnapshotAnchor Anchor, long Size, int ChunkCount, byte[] Hash);

/// <summary>
/// Snapshot files published to the database (migration 0010), so that an instance without a usable file of its own (a new
/// instance of a scaled-out deployment, a lost file) reads one instance's saved index in seconds instead of every entry:
/// at ten million entries the rows take most of a minute on SQLite, of which the database's own scan is a third.
/// The bytes are the file's, so the file's reader checks them; the rows only carry them and say what they were taken of.
/// </summary>
internal static class PublishedIndexSnapshots
{
    /// <summary>
    /// A row that fits one PostgreSQL heap page (8,160 bytes with its header and keys): a larger value is stored out of line
    /// in 2 KB TOAST pieces and put together again on every read. At 1M entries on a 2-core machine a new instance read
    /// the snapshot in 1.1 s from 4 MiB chunks and in 0.7 s from rows of a page. SQLite does not mind either way.
    /// </summary>
    public const int ChunkSize = 8000;

    /// <summary>Chunks written per transaction: a few MiB, so writers of the list wait for a publication only briefly.</summary>
    private const int ChunksPerTransaction = 512;

    /// <summary>How much the reading thread hands over at once.</summary>
    private const int HandOver = 1 << 20;

    /// <summary>A claim this old that never completed was left by a publisher that stopped; the next publisher removes it.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromHours(1);

    /// <summary>
    /// Publishes the snapshot file at <paramref name="path"/> unless the database holds the same snapshot or a newer one,
    /// one taken less than <paramref name="gap"/> ago, or one another instance is publishing now: every instance saves its
    /// file on its own clock, and without the gap each would publish a gigabyte per interval at ten million entries. A new
    /// instance catches up from the change log whatever the age. Returns the bytes written, 0 when it left it to another. The claim row is
    /// inserted first and, of two instances claiming the same snapshot at once, only one inserts it (a unique index and
    /// ON CONFLICT DO NOTHING); chunks follow one statement each, and the claim is marked complete last. Once complete,
    /// every older snapshot is removed.
    /// </summary>
    public static async Task<long> PublishAsync(DbConnection connection, string path, TimeSpan gap, CancellationToken cancellationToken)
    {
        // The file may be replaced by a newer save while it is read: the open handle keeps reading the one whose ends were read.
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1);
        if (IndexSnapshotFile.ReadEnds(file) is not { } ends)
        {
            return 0;
        }

        var (anchor, hash) = ends;

        var now = DateTime.UtcNow.Ticks;
        var abandoned = now - Abandoned.Ticks;
        await using (var held = connection.CreateCommand(null, """
            SELECT COUNT(*) FROM index_snapshots
            WHERE (completed_at_ticks IS NOT NULL OR claimed_at_ticks > @abandoned)
              AND (list_version > @version
                   OR (schema_version = @schema AND vocabulary = @vocabulary
                       AND (list_version = @version OR claimed_at_ticks > @recent OR completed_at_ticks IS NULL)))
            """))
        {
            AddAnchor(held, anchor);
            held.AddParameter("@abandoned", abandoned);
            held.AddParameter("@recent", now - gap.Ticks);
            if (Convert.ToInt64(await held.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0)
            {
                return 0;
            }
        }

        await RemoveAsync(connection, AbandonedClaims, c => c.AddParameter("@abandoned", abandoned), cancellationToken);
        var chunkCount = (int)((file.Length + ChunkSize - 1) / ChunkSize);
        long id;
        await using (var claim = connection.CreateCommand(null, ClaimSql(SqlDialect.Of(connection))))
        {
            AddAnchor(claim, anchor);
            claim.AddParameter("@entry", anchor.EntryId);
            claim.AddParameter("@at", anchor.AtTicks);
            claim.AddParameter("@size", file.Length);
            claim.AddParameter("@chunks", chunkCount);
            claim.AddParameter("@sha256", hash);
            claim.AddParameter("@now", now);
            if (await claim.ExecuteScalarAsync(cancellationToken) is not { } claimed)
            {
                return 0;
            }

            id = Convert.ToInt64(claimed, CultureInfo.InvariantCulture);
        }

        try
        {
            await WriteChunksAsync(connection, id, file, cancellationToken);
            await using var complete = connection.CreateCommand(null, "UPDATE index_snapshots SET completed_at_ticks = @now WHERE id = @id");
            complete.AddParameter("@now", DateTime.UtcNow.Ticks);
            complete.AddParameter("@id", id);
            if (await complete.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                // Another publisher took this claim for abandoned and removed it; what was written after that is removed below.
                throw new InvalidOperationException("The claim to publish the index snapshot was removed before it completed.");
            }
        }
        catch
        {
            try
            {
                await RemoveAsync(connection, FailedClaim, c => c.AddParameter("@id", id), CancellationToken.None);
            }
            catch (DbException)
            {
                // The next publisher removes the claim once it is abandoned; the first failure is the one to report.
            }

            throw;
        }

        // Chunks with no snapshot row are what a publisher wrote after its claim was removed.
        await RemoveAsync(connection, SupersededSnapshots, c =>
        {
            c.AddParameter("@id", id);
            c.AddParameter("@version", anchor.Version);
        }, cancellationToken);
        await using (var orphans = connection.CreateCommand(null, "DELETE FROM index_snapshot_chunks WHERE snapshot_id NOT IN (SELECT id FROM index_snapshots)"))
        {
            await orphans.ExecuteNonQueryAsync(cancellationToken);
        }

        return file.Length;
    }

    /// <summary>The newest complete snapshot taken with this schema and this build's vocabulary, or null.</summary>
    public static async Task<PublishedSnapshot?> NewestAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(null, SqlDialect.Of(connection).Limit(NewestSql, 1));
        command.AddParameter("@vocabulary", SnapshotAnchor.CurrentVocabulary);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var anchor = new SnapshotAnchor(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4), reader.GetInt64(5));
        return new PublishedSnapshot(reader.GetInt64(0), anchor, reader.GetInt64(6), reader.GetInt32(7), (byte[])reader.GetValue(8));
    }

    /// <summary>
    /// The table in <paramref name="snapshot"/>, streamed chunk by chunk through the file's reader and, when
    /// <paramref name="copyTo"/> is given, written to that file on the way, which is put in place only once everything
    /// checked out. The database is read on one thread and the table built on another, a few chunks apart at most: at ten
    /// million entries reading the rows takes a second or two that would otherwise come on top. Throws
    /// <see cref="InvalidDataException"/> when a chunk is missing or damaged, or the content is not what its row says.
    /// Blocking: run it off the request threads.
    /// </summary>
    public static EntryTable Read(DbConnection connection, PublishedSnapshot snapshot, string? copyTo)
    {
        var temporary = copyTo is null ? null : copyTo + ".tmp";
        try
        {
            EntryTable table;
            using (var copy = temporary is null ? null : OpenCopy(temporary))
            using (var command = connection.CreateCommand(null, "SELECT seq, data FROM index_snapshot_chunks WHERE snapshot_id = @id ORDER BY seq"))
            {
                command.AddParameter("@id", snapshot.Id);
                command.CommandTimeout = 600;
                using var reader = command.ExecuteReader(CommandBehavior.SequentialAccess);
                var pipe = new Pipe(new PipeOptions(
                    pauseWriterThreshold: 8L * HandOver, resumeWriterThreshold: 4L * HandOver, minimumSegmentSize: HandOver, useSynchronizationContext: false));
                var pumped = Task.Run(() => PumpAsync(reader, snapshot, copy, pipe.Writer));
                try
                {
                    using var content = pipe.Reader.AsStream();
                    var (read, anchor, hash) = IndexSnapshotFile.Read(content);
                    if (anchor != snapshot.Anchor || !hash.AsSpan().SequenceEqual(snapshot.Hash))
                    {
                        throw new InvalidDataException("The published snapshot's content is not of the anchor or hash its row names.");
                    }

                    table = read;
                }
                finally
                {
                    // Stops the pump if the table failed first; it must be done with the reader before the reader is closed.
                    pipe.Reader.Complete();
                    pumped.GetAwaiter().GetResult();
                }
            }

            // No flush to disk: a copy torn by a crash fails its checksum at the next start, which then reads the database's again.
            if (copyTo is not null)
            {
                File.Move(temporary!, copyTo, overwrite: true);
            }

            return table;
        }
        catch when (temporary is not null)
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Moves the chunks into <paramref name="writer"/> in order, checking that they come in order, all of them and no byte
    /// more than the row says; a failure completes the pipe with it, so the reader of the pipe throws it.
    /// </summary>
    private static async Task PumpAsync(DbDataReader reader, PublishedSnapshot snapshot, Stream? copy, PipeWriter writer)
    {
        try
        {
            var chunks = 0;
            long total = 0;
            long unflushed = 0;
            while (reader.Read())
            {
                if (Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture) != chunks++)
                {
                    throw new InvalidDataException($"The published snapshot's chunk {chunks - 1} is missing.");
                }

                using var data = reader.GetStream(1);
                while (true)
                {
                    // Whatever the segment has left: asking for more than that would start a new one for every row.
                    var memory = writer.GetMemory();
                    var read = data.Read(memory.Span);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                    if (total > snapshot.Size)
                    {
                        throw new InvalidDataException("The published snapshot is longer than its row says.");
                    }

                    copy?.Write(memory.Span[..read]);
                    writer.Advance(read);
                    unflushed += read;
                    if (unflushed >= HandOver)
                    {
                        unflushed = 0;
                        if ((await writer.FlushAsync()).IsCompleted)
                        {
                            return;
                        }
                    }
                }
            }

            if (chunks != snapshot.ChunkCount || total != snapshot.Size)
            {
                throw new InvalidDataException($"The published snapshot has {chunks} of {snapshot.ChunkCount} chunks, {total} of {snapshot.Size} bytes.");
            }

            await writer.CompleteAsync();
        }
        catch (Exception ex)
        {
            await writer.CompleteAsync(ex);
        }
    }

    private static FileStream OpenCopy(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
    }

    private static async Task WriteChunksAsync(DbConnection connection, long id, FileStream file, CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand(null, "INSERT INTO index_snapshot_chunks (snapshot_id, seq, data) VALUES (@id, @seq, @data)");
        insert.AddParameter("@id", id);
        var seq = insert.AddParameter("@seq", 0);
        var data = insert.AddParameter("@data", Array.Empty<byte>());
        var buffer = new byte[ChunkSize];
        for (var chunk = 0; ; chunk++)
        {
            var length = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            if (length == 0)
            {
                break;
            }

            if (chunk % ChunksPerTransaction == 0)
            {
                if (insert.Transaction is { } full)
                {
                    await full.CommitAsync(cancellationToken);
                    await full.DisposeAsync();
                }

                insert.Transaction = await connection.BeginTransactionAsync(cancellationToken);
            }

            seq.Value = chunk;
            data.Value = length == buffer.Length ? buffer : buffer[..length];
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (insert.Transaction is { } last)
        {
            await last.CommitAsync(cancellationToken);
            await last.DisposeAsync();
        }
    }

    private const string NewestSql =
        """
        SELECT id, list_version, change_entry_id, change_at_ticks, schema_version, vocabulary, size, chunk_count, sha256
        FROM index_snapshots
        WHERE completed_at_ticks IS NOT NULL AND vocabulary = @vocabulary
          AND schema_version = (SELECT COALESCE(MAX(version), 0) FROM schema_versions)
        ORDER BY list_version DESC
        """;

    private const string AbandonedClaims = "completed_at_ticks IS NULL AND claimed_at_ticks <= @abandoned";

    private const string FailedClaim = "id = @id";

    private const string SupersededSnapshots = "id <> @id AND list_version <= @version";

    /// <summary>Every statement built here, as <paramref name="dialect"/> words it (for the test that parses each provider's SQL).</summary>
    internal static IEnumerable<string> Statements(SqlDialect dialect) =>
        [dialect.Limit(NewestSql, 1), ClaimSql(dialect), .. ((string[])[AbandonedClaims, FailedClaim, SupersededSnapshots]).SelectMany(RemoveSql)];

    private static string ClaimSql(SqlDialect dialect) => dialect.InsertReturningIdUnlessConflict(
        "index_snapshots",
        "list_version, change_entry_id, change_at_ticks, schema_version, vocabulary, size, chunk_count, sha256, claimed_at_ticks",
        "@version, @entry, @at, @schema, @vocabulary, @size, @chunks, @sha256, @now",
        "list_version, schema_version, vocabulary");

    private static string[] RemoveSql(string condition) =>
    [
        $"DELETE FROM index_snapshot_chunks WHERE snapshot_id IN (SELECT id FROM index_snapshots WHERE {condition})",
        $"DELETE FROM index_snapshots WHERE {condition}",
    ];

    private static async Task RemoveAsync(DbConnection connection, string condition, Action<DbCommand> parameters, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var sql in RemoveSql(condition))
        {
            await using var command = connection.CreateCommand(transaction, sql);
            parameters(command);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static void AddAnchor(DbCommand command, SnapshotAnchor anchor)
    {
        command.AddParameter("@version", anchor.Version);
        command.AddParameter("@schema", anchor.Schema);
        command.AddParameter("@vocabulary", anchor.Vocabulary);
    }
}
