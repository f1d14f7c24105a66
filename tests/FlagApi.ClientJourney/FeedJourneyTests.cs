using FlagApi.ClientJourney.Generated.Models;
using static FlagApi.ClientJourney.JourneyService;

namespace FlagApi.ClientJourney;

[Collection(nameof(JourneyService))]
public sealed class FeedJourneyTests(JourneyService service)
{
    [Fact]
    public async Task AppKeepsALocalCopyFromChangesAndSnapshotsAsJsonAndCsv()
    {
        var app = await service.ClientWithNewKeyAsync(Role.App);
        var published = await service.PublishAsync("2026-W05", [Row(IdentifierKind.Phone, "+8613800138041", Category.Task_brushing)]);

        var changes = await app.V1.Feed.Changes.GetAsync(c => c.QueryParameters.Since = 0);
        var added = Assert.Single(changes!.Changes!, c => c.Value == "+8613800138041");
        Assert.Equal(FeedOp.Add, added.Op);
        Assert.Equal(Category.Task_brushing, added.Category);
        Assert.Equal(published.ListVersion, changes.ToVersion);
        var caughtUp = await app.V1.Feed.Changes.GetAsync(c => c.QueryParameters.Since = changes.ToVersion);
        Assert.Empty(caughtUp!.Changes!);

        var jsonHeaders = ResponseHeaders();
        var snapshot = await app.V1.Feed.Snapshot.GetAsync(c => c.Options.Add(jsonHeaders));
        Assert.Equal(published.ListVersion, snapshot!.Version);
        Assert.Contains(snapshot.Entries!, e => e.Value == "+8613800138041" && e.Kind == IdentifierKind.Phone);
        var etag = Assert.Single(jsonHeaders.ResponseHeaders["ETag"]);

        var csvHeaders = ResponseHeaders();
        var csv = await app.Adapter.ReadCsvAsync(app.V1.Feed.Snapshot.ToGetRequestInformation(c => c.Options.Add(csvHeaders)));
        Assert.Contains("phone,+8613800138041,task_brushing,high", csv!);
        Assert.Equal(snapshot.Sha256, Assert.Single(csvHeaders.ResponseHeaders["X-List-Sha256"]));

        // Kiota answers a 304, which has no body, with null.
        Assert.Null(await app.V1.Feed.Snapshot.GetAsync(c => c.Headers.Add("If-None-Match", etag)));
        Assert.Null(await app.Adapter.ReadCsvAsync(app.V1.Feed.Snapshot.ToGetRequestInformation(c => c.Headers.Add("If-None-Match", etag))));
    }

    [Fact]
    public async Task AnAppReadsTheRiceCodedPrefixesAndAsksForTheDifferenceWithItsState()
    {
        var app = await service.ClientWithNewKeyAsync(Role.App);
        await service.PublishAsync("2026-W08", [Row(IdentifierKind.Phone, "+8613800138042", Category.Task_brushing)]);

        var full = await app.V1.Feed.Prefixes.GetAsync(c => c.QueryParameters.MaxEntries = 100_000);

        Assert.Equal(PrefixResponseType.Full, full!.ResponseType);
        var additions = full.Additions!;
        var values = FlagApi.Identifiers.RiceDelta.Decode(new FlagApi.Identifiers.RiceDeltaEncoding(
            additions.FirstValue!.Value, additions.RiceParameter!.Value, additions.NumEntries!.Value, additions.EncodedData!));
        Assert.Equal(full.Count, values.Length);
        var hash = System.Security.Cryptography.SHA256.HashData("+8613800138042"u8);
        Assert.Contains(FlagApi.Identifiers.RiceDelta.PrefixValue(hash.AsSpan(0, 4)), values);

        var same = await app.V1.Feed.Prefixes.GetAsync(c => { c.QueryParameters.State = full.State; c.QueryParameters.MaxEntries = 100_000; });
        Assert.Equal(PrefixResponseType.Partial, same!.ResponseType);
        Assert.Null(same.Additions);
        Assert.Null(same.Removals);
        Assert.Equal(full.Checksum, same.Checksum);
    }
}
