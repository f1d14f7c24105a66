using FlagApi.Tests.Infrastructure;

[assembly: TestCollectionOrderer(typeof(FlagApi.Tests.Security.SuiteLogScanLast))]

namespace FlagApi.Tests.Security;

[CollectionDefinition(SuiteLogScanLast.Group, DisableParallelization = true)]
public sealed class SuiteLogScanGroup;

/// <summary>The fast tests' log (<c>artifacts/logs/suite.log</c>), scanned last; and what the scan finds and passes.</summary>
[Collection(SuiteLogScanLast.Group)]
public sealed class SuiteLogScanTests : SuiteLogScan
{
    [Theory]
    [InlineData("13800138000", "a phone number")]
    [InlineData("+86 138 0013 8000", "a phone number")]
    [InlineData("call 138-0013-8000.", "a phone number")]
    [InlineData("+14155550123", "a phone number")]
    [InlineData("wechat:wxid_abc123", "an account id")]
    [InlineData("alipay:2088102146225135", "an account id")]
    [InlineData("wang.xiuying@example.cn", "an email address")]
    [InlineData("key fk_Q2hvb3NlIGEgbG9uZyByYW5kb20ga2V5IGhlcmU", "an API key")]
    [InlineData("at_c2VjcmV0LXRva2VuLXZhbHVlLWhlcmU", "an appeal access token")]
    [InlineData("token 7KQ4-MHXD-9CFH-AT3W-PRYN-6E4K", "an appeal access token")]
    public void TheScanFindsEachKindOfPersonalData(string text, string what)
    {
        Assert.Contains(PersonalData.Find("Message", text), f => f.What == what);
    }

    [Theory]
    [InlineData("Message", "Lookup answered in 12.3456789 ms")]
    [InlineData("Message", "Key fk_Ab3dE9gH (admin) revoked")]
    [InlineData("Message", "Phone 138****8000 cleared")]
    [InlineData("Message", "Published list 7 with 100000 entries at 2026-11-24T00:12:33.1234567Z")]
    [InlineData("Message", "at FlagApi.Lists.ListWriter.WriteAsync() in /src/FlagApi/Lists/ListWriter.cs:line 142")]
    [InlineData("TraceId", "12345678901234567890123456789012")]
    [InlineData("SpanId", "1234567890123456")]
    public void TheScanPassesTimesFiguresPrefixesAndRuntimeIds(string field, string text)
    {
        Assert.Empty(PersonalData.Find(field, text));
    }
}
