using System.Net;
using System.Net.Http.Json;
using FlagApi.Tests.Infrastructure;
using Xunit.Sdk;
using Xunit.v3;

namespace FlagApi.Tests.Security;

/// <summary>
/// A collection that disables parallelization runs after every parallel one (xunit v3's assembly runner), and
/// <see cref="SuiteLogScanLast"/> puts it after any other such collection: the scan reads what the whole suite logged.
/// Each test assembly defines the collection (xunit reads definitions from the test assembly only), names the orderer
/// with <c>[assembly: TestCollectionOrderer]</c>, and derives its scan from <see cref="SuiteLogScan"/>.
/// </summary>
public sealed class SuiteLogScanLast : ITestCollectionOrderer
{
    public const string Group = "Suite log scan (runs last)";

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections).OrderBy(c => c.TestCollectionDisplayName == Group)];
}

/// <summary>
/// docs/product.md: logs never hold a full phone number, account id or appellant contact, nor a secret. Each test
/// assembly writes a log of its own (<see cref="SuiteLogs.FilePath"/>) and scans it last.
/// </summary>
public abstract class SuiteLogScan
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
