using System.Net;
using System.Net.Http.Json;
using FlagApi.Tests.Infrastructure;
using Xunit.Sdk;
using Xunit.v3;

[assembly: TestCollectionOrderer(typeof(FlagApi.Tests.Security.SuiteLogScanLast))]

namespace FlagApi.Tests.Security;

/// <summary>
/// A collection that disables parallelization runs after every parallel one (xunit v3's assembly runner), and
/// <see cref="SuiteLogScanLast"/> puts it after any other such collection: the scan reads what the whole suite logged.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SuiteLogScanGroup
{
    public const string Name = "Suite log scan (runs last)";
}

public sealed class SuiteLogScanLast : ITestCollectionOrderer
{
    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections).OrderBy(c => c.TestCollectionDisplayName == SuiteLogScanGroup.Name)];
}

/// <summary>docs/product.md: logs never hold a full phone number, account id or appellant contact, nor a secret.</summary>
[Collection(SuiteLogScanGroup.Name)]
public sealed class SuiteLogScanTests
{
    [Fact]
    public async Task NothingTheWholeSuiteLoggedHoldsPersonalDataOrASecret()
    {
        // Run alone, the scan still has a journey to read: everything a person's data passes through.
        await LogAJourneyAsync();

        var findings = SuiteLogs.ScanFile().ToList();
        var report = string.Join('\n', findings.Take(20).Select(f => $"{f.Source}: {f.Finding.What} in {f.Finding.Field}: {f.Finding.Match}"));
        Assert.True(findings.Count == 0, $"{findings.Count} log lines hold personal data or a secret ({SuiteLogs.FilePath}):\n{report}");
        TestContext.Current.SendDiagnosticMessage($"Scanned {SuiteLogs.Lines} log lines of the suite in {SuiteLogs.FilePath}: no personal data, no secret.");
    }

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

    private static async Task LogAJourneyAsync()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"), ("account", "wechat:wxid_scanjourney", "other", "medium"));
        var reviewerKey = await app.CreateKeyAsync("reviewer");
        using var anyone = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/v1/lookup/phone?value=13800138000")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/v1/lookup/account?value=wechat:wxid_scanjourney")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anyone.GetAsync("/v1/lookup/phone?value=13800138000abc")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await anyone.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "13900139000", description = "自称公安局" })).StatusCode);

        var appeal = await AppealApi.FileAsync(app, "13800138000", contact: "wang.xiuying@example.cn");
        using var appellant = app.CreateClient();
        appellant.DefaultRequestHeaders.Add("X-Appeal-Token", appeal.Token);
        Assert.Equal(HttpStatusCode.OK, (await appellant.GetAsync($"/v1/appeals/{appeal.Code}")).StatusCode);
        using var reviewer = app.CreateClient(reviewerKey);
        await AppealApi.DecideAsync(reviewer, appeal.Id, "approve", "Owner confirmed by callback");
        using var wrong = app.CreateClient(reviewerKey + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/reports")).StatusCode);
    }
}
