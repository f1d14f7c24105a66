using FlagApi.ClientJourney.Generated.Models;
using static FlagApi.ClientJourney.JourneyService;

namespace FlagApi.ClientJourney;

[Collection(nameof(JourneyService))]
public sealed class ListsJourneyTests(JourneyService service)
{
    [Fact]
    public async Task JsonListIsReplayedReadBackAsJsonAndCsvAndRetracted()
    {
        ListUploadRow[] rows = [Row(IdentifierKind.Phone, "+8613800138001"), Row(IdentifierKind.Url, "http://icbc-verify.example/login", Category.Fake_customer_service)];
        var (firstHeaders, replayHeaders) = (ResponseHeaders(), ResponseHeaders());
        var first = await service.PublishAsync("2026-W01", rows, firstHeaders);
        var replay = await service.PublishAsync("2026-W01", rows, replayHeaders);

        Assert.Equal(2, first.Added);
        Assert.False(firstHeaders.ResponseHeaders.ContainsKey("Idempotent-Replay"));
        Assert.Equal(first.Id, replay.Id);
        Assert.Equal("true", Assert.Single(replayHeaders.ResponseHeaders["Idempotent-Replay"]));

        var list = service.Anonymous.V1.Batches[first.Id!.Value];
        var read = await list.GetAsync();
        Assert.Equal("2026-W01", read!.List!.Reference);
        Assert.Equal(Agency, read.List.Agency);
        Assert.Equal(["+8613800138001", "icbc-verify.example/login"], read.Entries!.Items!.Select(e => e.Value).Order(StringComparer.Ordinal));

        var lines = (await service.Anonymous.Adapter.ReadCsvAsync(list.ToGetRequestInformation()))!;
        Assert.StartsWith("kind,value,category,risk,note", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("phone,+8613800138001,other,high", StringComparison.Ordinal));

        var retracted = await service.Publisher.V1.Batches[first.Id.Value].Retract.PostAsync(new RetractRequest { Reason = "published the wrong week by mistake" });
        Assert.Equal("published the wrong week by mistake", retracted!.List!.Retraction!.Reason);
        var lookup = await service.Anonymous.V1.Lookup["phone"].GetAsync(c => c.QueryParameters.Value = "+8613800138001");
        Assert.NotEqual(Verdict.Flagged, lookup!.Verdict);
    }

    [Fact]
    public async Task CsvListIsPublishedAndReplayed()
    {
        // Values no other journey publishes: the journeys share one service and run in any order.
        const string Csv = "kind,value,category,risk,note\nphone,+8613800138011,loan_or_card,high,\napp,安全中心,remote_control_app,,\n";

        var first = await PublishCsvAsync(Csv);
        var replay = await PublishCsvAsync(Csv);

        Assert.Equal(2, first.Result.Added);
        Assert.Equal("2026-W02", first.Result.Reference);
        Assert.Equal(first.Result.Id, replay.Result.Id);
        Assert.Equal("true", Assert.Single(replay.Headers["Idempotent-Replay"]));
        var lookup = await service.Anonymous.V1.Lookup["app"].GetAsync(c => c.QueryParameters.Value = "安全中心");
        Assert.Equal(Verdict.Flagged, lookup!.Verdict);
    }

    private async Task<(ListUploadResult Result, IDictionary<string, IEnumerable<string>> Headers)> PublishCsvAsync(string csv)
    {
        var headers = ResponseHeaders();
        var request = service.Publisher.V1.Batches.ToPostRequestInformation(new ListUploadRequest(), c =>
        {
            c.QueryParameters.Reference = "2026-W02";
            c.QueryParameters.Title = "Weekly list";
            c.Options.Add(headers);
        });
        var result = await service.Publisher.Adapter.SendCsvAsync(request, csv, ListUploadResult.CreateFromDiscriminatorValue);
        return (result!, headers.ResponseHeaders);
    }
}
