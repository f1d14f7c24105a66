using System.Buffers;
using System.Text;
using System.Text.Json;

namespace FlagApi.Lists;

public enum ListFileFormat
{
    Csv,
    Json,
}

/// <summary>One row of a list file as written, before validation; <see cref="Line"/> is where it starts.</summary>
public sealed record ListFileRow(int Line, string? Kind, string? Value, string? Category, string? Risk, string? Note, string? ExpiresAt);

/// <summary>A row that cannot be published, by line number, with a stable code and a reason.</summary>
public sealed record RowError(int Line, string Code, string Detail);

/// <summary>
/// The rows of a list file; rows that could not even be read as rows (<see cref="RowErrors"/>);
/// or the reason the file as a whole cannot be read.
/// </summary>
public sealed record ListFileContent(IReadOnlyList<ListFileRow> Rows, IReadOnlyList<RowError> RowErrors, RowError? FileError)
{
    /// <summary>A JSON list's other top-level properties with plain values (an upload's title, reference, publication date).</summary>
    public IReadOnlyDictionary<string, string?> Properties { get; init; } = new Dictionary<string, string?>();

    public static ListFileContent Failed(RowError error) => new([], [], error);
}

/// <summary>
/// Reads a list file: CSV with header <c>kind,value,category,risk,note</c> (optionally <c>expires_at</c>),
/// or JSON <c>{"entries":[{kind,value,category,risk,note,expiresAt}]}</c>.
/// </summary>
public static class ListFile
{
    private static readonly string[] CsvColumns = ["kind", "value", "category", "risk", "note", "expires_at"];

    public static ListFileFormat? GuessFormat(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" or ".txt" => ListFileFormat.Csv,
        ".json" => ListFileFormat.Json,
        _ => null,
    };

    /// <summary>The most rows a list may hold when the caller sets no limit of its own.</summary>
    public const int Unlimited = int.MaxValue;

    /// <summary>
    /// Reads a list as it arrives: the body is never held whole in memory, only its rows. More than
    /// <paramref name="maxRows"/> rows stops reading with the file error <c>too_many_rows</c>.
    /// </summary>
    public static async Task<ListFileContent> ReadAsync(Stream stream, ListFileFormat format, int maxRows = Unlimited, CancellationToken cancellationToken = default)
    {
        try
        {
            return format == ListFileFormat.Csv
                ? await ReadCsvAsync(stream, maxRows, cancellationToken)
                : await new JsonListReader(stream, maxRows).ReadAsync(cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            return ListFileContent.Failed(new RowError(0, "invalid_encoding", "The file is not valid UTF-8; save it as UTF-8 (with or without a byte order mark)."));
        }
    }

    public static ListFileContent ReadCsv(ReadOnlySpan<byte> utf8) => ReadBuffered(utf8, ListFileFormat.Csv);

    public static ListFileContent ReadJson(ReadOnlySpan<byte> utf8) => ReadBuffered(utf8, ListFileFormat.Json);

    private static ListFileContent ReadBuffered(ReadOnlySpan<byte> utf8, ListFileFormat format)
    {
        using var stream = new MemoryStream(utf8.ToArray(), writable: false);

        // A memory stream completes every read synchronously.
        return ReadAsync(stream, format).GetAwaiter().GetResult();
    }

    internal static RowError TooManyRows(int maxRows, int line) => new(line, "too_many_rows",
        $"The list has more than {maxRows} rows, the most one list may hold; split it into several lists.");

    private static async Task<ListFileContent> ReadCsvAsync(Stream stream, int maxRows, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024, leaveOpen: true);
        var parser = new CsvParser(text);
        var (header, headerLine, error) = await parser.ReadRecordAsync(cancellationToken);
        if (header is null)
        {
            return ListFileContent.Failed(error ?? new RowError(1, "missing_header", "The file is empty; the first line must be the header kind,value,category,risk,note."));
        }

        var columns = new int[CsvColumns.Length];
        Array.Fill(columns, -1);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim().ToLowerInvariant().Replace("expiresat", "expires_at", StringComparison.Ordinal);
            var index = Array.IndexOf(CsvColumns, name);
            if (index < 0)
            {
                return ListFileContent.Failed(new RowError(headerLine, "unknown_column",
                    $"The header names a column '{header[i]}' that lists do not have; the columns are {string.Join(",", CsvColumns)}."));
            }

            if (columns[index] >= 0)
            {
                return ListFileContent.Failed(new RowError(headerLine, "duplicate_column", $"The header names the column '{name}' twice."));
            }

            columns[index] = i;
        }

        if (columns[0] < 0 || columns[1] < 0)
        {
            return ListFileContent.Failed(new RowError(headerLine, "missing_header",
                "The first line must be a header naming at least the columns kind and value (kind,value,category,risk,note)."));
        }

        var rows = new List<ListFileRow>();
        var rowErrors = new List<RowError>();
        while (true)
        {
            var (fields, line, recordError) = await parser.ReadRecordAsync(cancellationToken);
            if (fields is null)
            {
                return recordError is null ? new ListFileContent(rows, rowErrors, null) : ListFileContent.Failed(recordError);
            }

            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // blank line
            }

            if (rows.Count + rowErrors.Count >= maxRows)
            {
                return ListFileContent.Failed(TooManyRows(maxRows, line));
            }

            if (fields.Count > header.Count)
            {
                rowErrors.Add(new RowError(line, "too_many_fields",
                    $"Line {line} has {fields.Count} fields but the header has {header.Count}; quote values that contain commas."));
                continue;
            }

            string? Field(int column) => columns[column] >= 0 && columns[column] < fields.Count ? fields[columns[column]] : null;
            rows.Add(new ListFileRow(line, Field(0)?.Trim(), Field(1), Field(2)?.Trim(), Field(3)?.Trim(), Field(4), Field(5)?.Trim()));
        }
    }

    private static ListFileRow ReadJsonRow(ref Utf8JsonReader reader, int line, out RowError? error)
    {
        string? kind = null, value = null, category = null, risk = null, note = null, expires = null;
        error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            string? text;
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    text = reader.GetString();
                    break;
                case JsonTokenType.Number:
                    // QQ numbers and short service numbers are often written as JSON numbers.
                    text = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                    break;
                case JsonTokenType.Null:
                    text = null;
                    break;
                default:
                    // The entry has arrived whole (see JsonListReader), so skipping its nested value cannot run out of data.
                    reader.TrySkip();
                    error ??= new RowError(line, "invalid_field", $"Field '{name}' of the entry on line {line} must be a string.");
                    continue;
            }

            switch (name)
            {
                case "kind": kind = text?.Trim(); break;
                case "value": value = text; break;
                case "category": category = text?.Trim(); break;
                case "risk": risk = text?.Trim(); break;
                case "note": note = text; break;
                case "expiresAt" or "expires_at": expires = text?.Trim(); break;
                default: break; // Unknown fields are ignored, as JSON readers usually do.
            }
        }

        return new ListFileRow(line, kind, value, category, risk, note, expires);
    }

    /// <summary>
    /// Reads <c>{"entries":[…], …}</c> block by block with <see cref="Utf8JsonReader"/>: each entry is
    /// parsed once it has arrived whole, and a block boundary inside one rewinds to its start.
    /// Other top-level properties with plain values are kept (the upload's title and reference).
    /// </summary>
    private sealed class JsonListReader(Stream stream, int maxRows)
    {
        private const int MaxBufferBytes = 4 * 1024 * 1024;

        private readonly List<ListFileRow> rows = [];
        private readonly List<RowError> rowErrors = [];
        private readonly Dictionary<string, string?> properties = new(StringComparer.Ordinal);
        private byte[] buffer = new byte[64 * 1024];
        private int length;
        private bool final;
        private bool started;
        private JsonReaderState state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
        private int lineOfBufferStart = 1;
        private Stage stage = Stage.Start;
        private bool sawEntries;

        private enum Stage
        {
            Start,
            Object,
            Entries,
            Done,
        }

        public async Task<ListFileContent> ReadAsync(CancellationToken cancellationToken)
        {
            try
            {
                while (true)
                {
                    await FillAsync(cancellationToken);
                    var consumed = Parse(out var failure);
                    if (failure is not null)
                    {
                        return failure;
                    }

                    if (stage == Stage.Done)
                    {
                        return new ListFileContent(rows, rowErrors, null) { Properties = properties };
                    }

                    if (final)
                    {
                        return Fail(lineOfBufferStart, "The file must be a JSON object {\"entries\":[…]}.");
                    }

                    if (consumed == 0 && length == buffer.Length)
                    {
                        if (buffer.Length >= MaxBufferBytes)
                        {
                            return Fail(lineOfBufferStart, $"An entry near line {lineOfBufferStart} is larger than {MaxBufferBytes / 1024 / 1024} MB.");
                        }

                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    Shift(consumed);
                }
            }
            catch (JsonException ex)
            {
                var line = lineOfBufferStart + (int)(ex.LineNumber ?? 0);
                return Fail(line, $"The file is not valid JSON (line {line}): {ex.Message.Split(" LineNumber", 2)[0]}");
            }
            catch (InvalidOperationException)
            {
                return ListFileContent.Failed(new RowError(0, "invalid_encoding", "The file is not valid UTF-8; save it as UTF-8."));
            }
        }

        private static ListFileContent Fail(int line, string detail) => ListFileContent.Failed(new RowError(line, "invalid_json", detail));

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            while (length < buffer.Length && !final)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                final = read == 0;
                length += read;
            }

            if (!started && length >= 3 && buffer.AsSpan(0, 3).SequenceEqual("\uFEFF"u8))
            {
                Shift(3);
            }

            started = true;
        }

        private void Shift(int consumed)
        {
            lineOfBufferStart += buffer.AsSpan(0, consumed).Count((byte)'\n');
            buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
            length -= consumed;
        }

        /// <summary>Parses what the buffer holds; returns how many bytes were used up by whole units (entries, properties).</summary>
        private int Parse(out ListFileContent? failure)
        {
            failure = null;
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, state);
            var checkpoint = 0L;
            var checkpointState = state;
            var lineCounted = 0L;
            var line = lineOfBufferStart;
            while (stage != Stage.Done)
            {
                if (!reader.Read())
                {
                    break;
                }

                switch (stage)
                {
                    case Stage.Start when reader.TokenType != JsonTokenType.StartObject:
                        failure = Fail(LineAt(ref reader), "The file must be a JSON object {\"entries\":[…]}.");
                        return 0;
                    case Stage.Start:
                        stage = Stage.Object;
                        break;
                    case Stage.Object when reader.TokenType == JsonTokenType.EndObject:
                        if (!sawEntries)
                        {
                            failure = Fail(1, "The file has no \"entries\" array.");
                            return 0;
                        }

                        stage = Stage.Done;
                        break;
                    case Stage.Object:
                        var name = reader.GetString()!;
                        if (!reader.Read())
                        {
                            return Rewind();
                        }

                        if (name == "entries")
                        {
                            if (reader.TokenType != JsonTokenType.StartArray)
                            {
                                failure = Fail(LineAt(ref reader), "\"entries\" must be an array of objects.");
                                return 0;
                            }

                            sawEntries = true;
                            stage = Stage.Entries;
                        }
                        else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        {
                            if (!reader.TrySkip())
                            {
                                return Rewind();
                            }
                        }
                        else
                        {
                            properties[name] = reader.TokenType switch
                            {
                                JsonTokenType.String => reader.GetString(),
                                JsonTokenType.Null => null,
                                _ => Encoding.UTF8.GetString(reader.ValueSpan),
                            };
                        }

                        break;
                    case Stage.Entries when reader.TokenType == JsonTokenType.EndArray:
                        stage = Stage.Object;
                        break;
                    case Stage.Entries:
                        var entryLine = LineAt(ref reader);
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            failure = Fail(entryLine, $"Entry {rows.Count + rowErrors.Count + 1} on line {entryLine} is not an object {{kind, value, category, risk, note}}.");
                            return 0;
                        }

                        var entry = reader;
                        if (!reader.TrySkip())
                        {
                            return Rewind();
                        }

                        if (rows.Count + rowErrors.Count >= maxRows)
                        {
                            failure = ListFileContent.Failed(TooManyRows(maxRows, entryLine));
                            return 0;
                        }

                        var row = ReadJsonRow(ref entry, entryLine, out var typeError);
                        if (typeError is not null)
                        {
                            rowErrors.Add(typeError);
                        }
                        else
                        {
                            rows.Add(row);
                        }

                        break;
                }

                checkpoint = reader.BytesConsumed;
                checkpointState = reader.CurrentState;
            }

            state = checkpointState;
            return (int)checkpoint;

            int Rewind()
            {
                state = checkpointState;
                return (int)checkpoint;
            }

            int LineAt(ref Utf8JsonReader at)
            {
                if (at.TokenStartIndex > lineCounted)
                {
                    line += buffer.AsSpan((int)lineCounted, (int)(at.TokenStartIndex - lineCounted)).Count((byte)'\n');
                    lineCounted = at.TokenStartIndex;
                }

                return line;
            }
        }
    }

    /// <summary>RFC 4180 CSV read as it arrives: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private sealed class CsvParser(TextReader reader)
    {
        private readonly char[] buffer = new char[16 * 1024];
        private int position;
        private int length;
        private bool ended;
        private int line = 1;

        /// <summary>The next record and the line it starts on; null fields at the end of the file or on an <c>error</c>.</summary>
        public async ValueTask<(List<string>? Fields, int Line, RowError? Error)> ReadRecordAsync(CancellationToken cancellationToken)
        {
            var startLine = line;
            if (!await MoreAsync(cancellationToken))
            {
                return (null, startLine, null);
            }

            var fields = new List<string>();
            var field = new StringBuilder();
            while (true)
            {
                if (buffer[position] == '"' && field.Length == 0)
                {
                    position++;
                    while (true)
                    {
                        if (!await MoreAsync(cancellationToken))
                        {
                            return (null, startLine, new RowError(startLine, "invalid_csv", $"A quoted field that starts on line {startLine} is never closed."));
                        }

                        var c = buffer[position++];
                        if (c == '"')
                        {
                            if (await MoreAsync(cancellationToken) && buffer[position] == '"')
                            {
                                field.Append('"');
                                position++;
                                continue;
                            }

                            break;
                        }

                        if (c == '\n')
                        {
                            line++;
                        }

                        field.Append(c);
                    }

                    if (await MoreAsync(cancellationToken) && buffer[position] is not (',' or '\r' or '\n'))
                    {
                        return (null, startLine, new RowError(line, "invalid_csv", $"Line {line} has text after a closing quote; double quotes inside a quoted field (\"\")."));
                    }
                }

                while (await MoreAsync(cancellationToken) && buffer[position] is not (',' or '\r' or '\n'))
                {
                    field.Append(buffer[position++]);
                }

                fields.Add(field.ToString());
                field.Clear();
                if (!await MoreAsync(cancellationToken))
                {
                    return (fields, startLine, null);
                }

                var separator = buffer[position++];
                if (separator == ',')
                {
                    if (!await MoreAsync(cancellationToken))
                    {
                        fields.Add(string.Empty);
                        return (fields, startLine, null);
                    }

                    continue;
                }

                if (separator == '\r' && await MoreAsync(cancellationToken) && buffer[position] == '\n')
                {
                    position++;
                }

                line++;
                return (fields, startLine, null);
            }
        }

        /// <summary>Whether a character is available at <see cref="position"/>, reading the next block when the buffer is used up.</summary>
        private ValueTask<bool> MoreAsync(CancellationToken cancellationToken) =>
            position < length ? ValueTask.FromResult(true) : FillAsync(cancellationToken);

        private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (ended)
            {
                return false;
            }

            length = await reader.ReadAsync(buffer.AsMemory(), cancellationToken);
            position = 0;
            ended = length == 0;
            return !ended;
        }
    }
}
