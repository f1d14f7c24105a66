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

    public static async Task<ListFileContent> ReadAsync(Stream stream, ListFileFormat format, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        return format == ListFileFormat.Csv ? ReadCsv(bytes.Span) : ReadJson(bytes.Span);
    }

    public static ListFileContent ReadCsv(ReadOnlySpan<byte> utf8)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8.StartsWith("\uFEFF"u8) ? utf8[3..] : utf8);
        }
        catch (DecoderFallbackException)
        {
            return ListFileContent.Failed(new RowError(0, "invalid_encoding", "The file is not valid UTF-8; save it as UTF-8 (with or without a byte order mark)."));
        }

        var parser = new CsvParser(text);
        if (!parser.TryReadRecord(out var header, out var headerLine, out var error))
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
        while (parser.TryReadRecord(out var fields, out var line, out error))
        {
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // blank line
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

        return error is null ? new ListFileContent(rows, rowErrors, null) : ListFileContent.Failed(error);
    }

    public static ListFileContent ReadJson(ReadOnlySpan<byte> utf8)
    {
        var rows = new List<ListFileRow>();
        var rowErrors = new List<RowError>();
        var lines = new LineCounter();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(1, "The file must be a JSON object {\"entries\":[…]}.");
            }

            var sawEntries = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("entries"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                sawEntries = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return Fail(lines.LineOf(utf8, reader.TokenStartIndex), "\"entries\" must be an array of objects.");
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var line = lines.LineOf(utf8, reader.TokenStartIndex);
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return Fail(line, $"Entry {rows.Count + 1} on line {line} is not an object {{kind, value, category, risk, note}}.");
                    }

                    var row = ReadJsonRow(ref reader, line, out var typeError);
                    if (typeError is not null)
                    {
                        rowErrors.Add(typeError);
                        continue;
                    }

                    rows.Add(row);
                }
            }

            return sawEntries ? new ListFileContent(rows, rowErrors, null) : Fail(1, "The file has no \"entries\" array.");
        }
        catch (JsonException ex)
        {
            return Fail((int)(ex.LineNumber ?? 0) + 1, $"The file is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}).");
        }

        static ListFileContent Fail(int line, string detail) => ListFileContent.Failed(new RowError(line, "invalid_json", detail));
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
                    reader.Skip();
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

    /// <summary>Turns byte offsets into line numbers, counting forward once through the file.</summary>
    private sealed class LineCounter
    {
        private long offset;
        private int line = 1;

        public int LineOf(ReadOnlySpan<byte> utf8, long position)
        {
            if (position > offset)
            {
                line += utf8[(int)offset..(int)position].Count((byte)'\n');
                offset = position;
            }

            return line;
        }
    }

    /// <summary>RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private sealed class CsvParser(string text)
    {
        private int position;
        private int line = 1;

        public bool TryReadRecord(out List<string> fields, out int startLine, out RowError? error)
        {
            fields = [];
            startLine = line;
            error = null;
            if (position >= text.Length)
            {
                return false;
            }

            var field = new StringBuilder();
            while (true)
            {
                if (position < text.Length && text[position] == '"' && field.Length == 0)
                {
                    position++;
                    while (true)
                    {
                        if (position >= text.Length)
                        {
                            error = new RowError(startLine, "invalid_csv", $"A quoted field that starts on line {startLine} is never closed.");
                            return false;
                        }

                        var c = text[position++];
                        if (c == '"')
                        {
                            if (position < text.Length && text[position] == '"')
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

                    if (position < text.Length && text[position] is not (',' or '\r' or '\n'))
                    {
                        error = new RowError(line, "invalid_csv", $"Line {line} has text after a closing quote; double quotes inside a quoted field (\"\").");
                        return false;
                    }
                }

                while (position < text.Length && text[position] is not (',' or '\r' or '\n'))
                {
                    field.Append(text[position++]);
                }

                fields.Add(field.ToString());
                field.Clear();
                if (position >= text.Length)
                {
                    return true;
                }

                var separator = text[position++];
                if (separator == ',')
                {
                    continue;
                }

                if (separator == '\r' && position < text.Length && text[position] == '\n')
                {
                    position++;
                }

                line++;
                return true;
            }
        }
    }
}
