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
}
