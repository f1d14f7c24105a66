using System.Text;
using FlagApi.Lists;

namespace FlagApi.Tests;

public class ListFileTests
{
    [Fact]
    public void CsvWithByteOrderMarkAndWindowsLineEndingsReadsLikeAnyOther()
    {
        var content = ListFile.ReadCsv([.. "\uFEFF"u8, .. "kind,value,category\r\nphone,13800138000,other\r\napp,云客服,remote_control_app\r\n"u8]);

        Assert.Null(content.FileError);
        Assert.Equal(2, content.Rows.Count);
        Assert.Equal(new ListFileRow(2, "phone", "13800138000", "other", null, null, null), content.Rows[0]);
        Assert.Equal(3, content.Rows[1].Line);
    }

    [Fact]
    public void CsvColumnsMayComeInAnyOrderAndCase()
    {
        var content = ListFile.ReadCsv("Value,KIND,Risk\n13800138000,phone,low\n"u8);

        var row = Assert.Single(content.Rows);
        Assert.Equal("phone", row.Kind);
        Assert.Equal("13800138000", row.Value);
        Assert.Equal("low", row.Risk);
    }

    [Fact]
    public void QuotedCsvFieldsKeepCommasQuotesAndLineBreaksAndLinesStayCounted()
    {
        var content = ListFile.ReadCsv("kind,value,note\nphone,1,\"a, \"\"b\"\"\nc\"\nphone,2,plain\n"u8);

        Assert.Equal("a, \"b\"\nc", content.Rows[0].Note);
        Assert.Equal(4, content.Rows[1].Line);
    }

    [Fact]
    public void RowWithMoreFieldsThanTheHeaderIsARowError()
    {
        var content = ListFile.ReadCsv("kind,value\nphone,1,extra\nphone,2\n"u8);

        Assert.Equal("too_many_fields", Assert.Single(content.RowErrors).Code);
        Assert.Equal(2, content.RowErrors[0].Line);
        Assert.Single(content.Rows);
    }

    [Fact]
    public void CsvThatIsNotUtf8IsRefused()
    {
        var gbk = new byte[] { (byte)'k', (byte)'i', (byte)'n', (byte)'d', (byte)',', (byte)'v', (byte)'a', (byte)'l', (byte)'u', (byte)'e', (byte)'\n', 0xD4, 0xC6, (byte)'\n' };

        Assert.Equal("invalid_encoding", ListFile.ReadCsv(gbk).FileError?.Code);
    }

    [Fact]
    public void JsonRowsCarryTheLineTheyStartOn()
    {
        var content = ListFile.ReadJson(Encoding.UTF8.GetBytes("{\n \"entries\": [\n  {\"kind\":\"phone\",\"value\":\"1\"},\n\n  {\"kind\":\"app\",\n   \"value\":\"x\"}\n ]\n}"));

        Assert.Equal([3, 5], content.Rows.Select(r => r.Line));
    }

    [Fact]
    public void JsonNumbersAreReadAsTheirDigits()
    {
        var content = ListFile.ReadJson("""{"entries":[{"kind":"phone","value":95555}]}"""u8);

        Assert.Equal("95555", Assert.Single(content.Rows).Value);
    }

    [Fact]
    public void JsonFieldOfTheWrongTypeIsARowError()
    {
        var content = ListFile.ReadJson("""{"entries":[{"kind":"phone","value":{"x":1}},{"kind":"phone","value":"1"}]}"""u8);

        Assert.Equal("invalid_field", Assert.Single(content.RowErrors).Code);
        Assert.Single(content.Rows);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"list\":[]}")]
    [InlineData("{\"entries\":{}}")]
    [InlineData("{\"entries\":[1]}")]
    [InlineData("{\"entries\":[")]
    [InlineData("")]
    public void JsonThatIsNotAListIsAFileError(string json)
    {
        Assert.Equal("invalid_json", ListFile.ReadJson(Encoding.UTF8.GetBytes(json)).FileError?.Code);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task JsonArrivingInPiecesReadsLikeJsonReadWhole(int piece)
    {
        // Well over the reader's 64 KB block, with a multi-line entry and multi-byte text across the boundaries.
        var json = new StringBuilder("{\n \"title\": \"第七批\",\n \"entries\": [\n");
        for (var i = 0; i < 3_000; i++)
        {
            json.Append(i % 100 == 0 ? "  {\"kind\": \"app\",\n   \"value\": \"云客服" + i + "\", \"note\": {\"nested\": [1,2]}},\n" : $"  {{\"kind\": \"phone\", \"value\": \"1380013{i:0000}\"}},\n");
        }

        json.Append("  {\"kind\": \"phone\", \"value\": \"110\"}\n ],\n \"reference\": \"2025-W22\"\n}");
        var bytes = Encoding.UTF8.GetBytes(json.ToString());

        var whole = ListFile.ReadJson(bytes);
        var streamed = await ListFile.ReadAsync(new TrickleStream(bytes, piece), ListFileFormat.Json, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Null(streamed.FileError);
        Assert.Equal(3_001, streamed.Rows.Count + streamed.RowErrors.Count);
        Assert.Equal(whole.Rows, streamed.Rows);
        Assert.Equal(whole.RowErrors, streamed.RowErrors);
        Assert.Equal(30, streamed.RowErrors.Count); // the app entries' notes are objects
        Assert.Equal(4, streamed.RowErrors[0].Line);
        Assert.Equal(7, streamed.Rows[1].Line); // after the two-line entry on lines 4-5
        Assert.Equal(3_034, streamed.Rows[^1].Line);
        Assert.Equal(("第七批", "2025-W22"), (streamed.Properties["title"], streamed.Properties["reference"]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public async Task CsvArrivingInPiecesReadsLikeCsvReadWhole(int piece)
    {
        var csv = new StringBuilder("kind,value,note\r\n");
        for (var i = 0; i < 5_000; i++)
        {
            csv.Append(i % 50 == 0 ? $"app,云客服{i},\"a \"\"quoted\"\",\r\nnote\"\r\n" : $"phone,1380013{i:0000},\r\n");
        }

        var bytes = Encoding.UTF8.GetBytes(csv.ToString());

        var streamed = await ListFile.ReadAsync(new TrickleStream(bytes, piece), ListFileFormat.Csv, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Null(streamed.FileError);
        Assert.Equal(ListFile.ReadCsv(bytes).Rows, streamed.Rows);
        Assert.Equal(5_000, streamed.Rows.Count);
        Assert.Equal("a \"quoted\",\r\nnote", streamed.Rows[0].Note);
        Assert.Equal(4, streamed.Rows[1].Line);
    }

    [Theory]
    [InlineData(ListFileFormat.Csv)]
    [InlineData(ListFileFormat.Json)]
    public async Task ReadingStopsAtTheRowLimit(ListFileFormat format)
    {
        var rows = Enumerable.Range(0, 5_000).Select(i => $"1380013{i:0000}").ToList(); // several read blocks
        var text = format == ListFileFormat.Csv
            ? "kind,value\n" + string.Concat(rows.Select(r => $"phone,{r}\n"))
            : "{\"entries\":[" + string.Join(',', rows.Select(r => $"{{\"kind\":\"phone\",\"value\":\"{r}\"}}")) + "]}";
        var stream = new TrickleStream(Encoding.UTF8.GetBytes(text), 16);

        var content = await ListFile.ReadAsync(stream, format, maxRows: 10, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("too_many_rows", content.FileError?.Code);
        Assert.True(stream.Position < stream.Length, "reading stops without taking in the rest of the body");
    }

    [Fact]
    public async Task InvalidUtf8ArrivingInPiecesIsAnEncodingError()
    {
        byte[] gbk = [.. "kind,value\napp,"u8, 0xD4, 0xC6, 0xBF, 0xCD, 0xB7, 0xFE, (byte)'\n'];

        var content = await ListFile.ReadAsync(new TrickleStream(gbk, 3), ListFileFormat.Csv, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("invalid_encoding", content.FileError?.Code);
    }

    /// <summary>A body that arrives a few bytes at a time, as a slow upload does.</summary>
    private sealed class TrickleStream(byte[] data, int piece) : MemoryStream(data, writable: false)
    {
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, piece), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, piece)], cancellationToken);
    }
}
