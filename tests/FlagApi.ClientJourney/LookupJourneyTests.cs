using FlagApi.ClientJourney.Generated.Models;
using static FlagApi.ClientJourney.JourneyService;

namespace FlagApi.ClientJourney;

[Collection(nameof(JourneyService))]
public sealed class LookupJourneyTests(JourneyService service)
{
    private static readonly ListUploadRow[] EveryKind =
    [
        Row(IdentifierKind.Phone, "+8613800138021", Category.Loan_or_card),
        Row(IdentifierKind.Url, "http://pay-refund.example/claim/", Category.Fake_customer_service),
        Row(IdentifierKind.Domain, "loan-fast.example", Category.Loan_or_card),
        Row(IdentifierKind.App, "云客服", Category.Remote_control_app),
        Row(IdentifierKind.Account, "qq:12345678", Category.Investment_romance),
    ];

    [Theory]
    [InlineData("phone", "138 0013 8021", "+8613800138021")]
    [InlineData("url", "https://pay-refund.example/claim/step2.html?x=1", "https://pay-refund.example/claim/step2.html?x=1")]
    [InlineData("domain", "www.loan-fast.example", "www.loan-fast.example")]
    [InlineData("app", "云 客服", "云客服")]
    [InlineData("account", "qq:12345678", "qq:12345678")]
    public async Task LookupOfEachKindFindsThePublishedEntry(string kind, string asked, string canonical)
    {
        // The same list every time: after the first, publishing it again is an idempotent replay.
        await service.PublishAsync("2026-W03", EveryKind);

        var answer = await service.Anonymous.V1.Lookup[kind].GetAsync(c => c.QueryParameters.Value = asked);

        Assert.Equal(kind, answer!.Kind?.ToString().ToLowerInvariant());
        Assert.Equal(asked, answer.Query);
        Assert.Equal(Verdict.Flagged, answer.Verdict);
        Assert.True(answer.Flagged);
        Assert.NotEmpty(answer.Matches!);
        Assert.Equal(canonical, answer.Canonical);
    }

    [Fact]
    public async Task AMessageCheckFindsTheFlaggedItemsOfAPastedMessage()
    {
        await service.PublishAsync("2026-W03", EveryKind);
        const string message = "【退款】请拨打 138 0013 8021，或访问 http://pay-refund.example/claim/ 下载云客服，妈妈的电话 13900139000。";

        var answer = await service.Anonymous.V1.Check.Message.PostAsync(new MessageCheckRequest { Text = message });

        Assert.Equal(MessageVerdict.Flagged, answer!.Verdict);
        Assert.False(answer.Truncated);
        var items = answer.Items!;
        Assert.Equal([IdentifierKind.Phone, IdentifierKind.Url, IdentifierKind.App, IdentifierKind.Phone], items.Select(i => i.Kind!.Value));
        Assert.Equal([Verdict.Flagged, Verdict.Flagged, Verdict.Flagged, Verdict.Clear], items.Select(i => i.Verdict!.Value));
        Assert.All(items, i => Assert.Equal(i.Text, message.Substring(i.Span!.Start!.Value, i.Span.Length!.Value)));
        Assert.Equal("+8613800138021", items[0].Canonical);
    }

    [Fact]
    public async Task BatchLookupAnswersEveryItemInOrderAndABadItemInItsPlace()
    {
        await service.PublishAsync("2026-W03", EveryKind);

        var answer = await service.Anonymous.V1.Lookup.PostAsync(new BatchLookupRequest
        {
            Items =
            [
                new() { Kind = IdentifierKind.Phone, Value = "+86 138 0013 8021" },
                new() { Kind = IdentifierKind.Url, Value = "http://pay-refund.example/claim/" },
                new() { Kind = IdentifierKind.Domain, Value = "loan-fast.example" },
                new() { Kind = IdentifierKind.App, Value = "云客服" },
                new() { Kind = IdentifierKind.Account, Value = "qq:12345678" },
                new() { Kind = IdentifierKind.Phone, Value = "+86 138 0013 8099" },
                new() { Kind = IdentifierKind.Phone, Value = "not a number" },
            ],
        });

        var results = answer!.Results!;
        Assert.Equal(7, results.Count);
        Assert.All(results.Take(5), r => Assert.Equal(Verdict.Flagged, r.Verdict));
        // A batch item's kind is what was asked, so that an unknown kind can be named in its error: text, not IdentifierKind.
        Assert.Equal(["phone", "url", "domain", "app", "account", "phone", "phone"], results.Select(r => r.Kind));
        Assert.Equal(Verdict.Clear, results[5].Verdict);
        Assert.Equal("invalid_phone", results[6].Error!.Code);
        Assert.False(string.IsNullOrWhiteSpace(results[6].Error!.Detail));
    }
}
