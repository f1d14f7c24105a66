using System.Text;
using System.Text.Json;
using FlagApi.Lists;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

/// <summary>What publishing a list writes: entries, sources, history and a numbered change log, all or nothing.</summary>
public abstract class ListStoreTests(DatabaseTarget target)
{
    [Fact]
    public async Task PublishingRecordsHistoryAndAChangeForEveryNewEntry()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        var outcome = await app.PublishAsync(("phone", "13800138000", "other", "high"), ("url", "evil.example/x", "gambling", "low"), ("app", "云客服", "remote_control_app", "high"));

        Assert.True(outcome.Succeeded);
        Assert.Equal(3, outcome.Result!.Added);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var changes = await db.ChangeLog.OrderBy(c => c.Version).ToListAsync();
        Assert.Equal([1L, 2L, 3L], changes.Select(c => c.Version));
        Assert.All(changes, c => Assert.Equal(ChangeOps.Add, c.Op));
        var history = await db.EntryHistory.ToListAsync();
        Assert.Equal(3, history.Count);
        Assert.All(history, h =>
        {
            Assert.Equal("flagged", h.Action);
            Assert.Null(h.Before);
            Assert.Equal("active", JsonDocument.Parse(h.After).RootElement.GetProperty("status").GetString());
            Assert.Contains("Test police", h.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(3, (await db.ListState.SingleAsync()).Version);
        var list = await db.Lists.SingleAsync();
        Assert.Equal(3, list.EntryCount);
        Assert.Equal(3, list.Version);
        var url = await db.Entries.SingleAsync(e => e.Kind == Identifiers.IdentifierKind.Url);
        Assert.Equal("evil.example/x", url.Value);
        Assert.Equal("evil.example/x", url.Display);
    }

    [Fact]
    public async Task EntryNamedByASecondListGainsThatListAsAnotherSource()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync("""{"entries":[{"kind":"phone","value":"13800138000","category":"other","risk":"medium"}]}""", "Police A", "2026-47");

        var second = await app.PublishAsync("""{"entries":[{"kind":"phone","value":"+86 138 0013 8000","category":"other","risk":"low"}]}""", "Police B", "2026-48");

        Assert.Equal(1, second.Result!.SourceAdded);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var entry = await db.Entries.Include(e => e.Sources).SingleAsync();
        Assert.Equal(["Police A 2026-47", "Police B 2026-48"], entry.Sources.Select(s => s.Label).Order());
        Assert.Equal(Data.Risk.Medium, entry.Risk); // a lower rating from another list does not lower the risk
        // The new source is an update every instance's index picks up from the change log; what a client syncs is unchanged.
        var changes = await db.ChangeLog.OrderBy(c => c.Version).ToListAsync();
        Assert.Equal([ChangeOps.Add, ChangeOps.Update], changes.Select(c => c.Op));
        Assert.Equal((Data.Category.Other, Data.Risk.Medium), (changes[1].Category, changes[1].Risk));
        Assert.Equal(["flagged", "source_added"], await db.EntryHistory.OrderBy(h => h.Id).Select(h => h.Action).ToListAsync());
    }

    [Fact]
    public async Task RaisedRiskOrNewCategoryIsAnUpdateInTheChangeLog()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync("""{"entries":[{"kind":"phone","value":"13800138000","category":"other","risk":"low"}]}""", "Police A", "1");

        await app.PublishAsync("""{"entries":[{"kind":"phone","value":"13800138000","category":"gambling","risk":"high"}]}""", "Police A", "2");

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var changes = await db.ChangeLog.OrderBy(c => c.Version).ToListAsync();
        Assert.Equal([ChangeOps.Add, ChangeOps.Update], changes.Select(c => c.Op));
        Assert.Equal(Data.Risk.High, changes[1].Risk);
        var update = await db.EntryHistory.OrderBy(h => h.Id).LastAsync();
        Assert.Equal("updated", update.Action);
        Assert.Equal("low", JsonDocument.Parse(update.Before!).RootElement.GetProperty("risk").GetString());
        Assert.Equal("high", JsonDocument.Parse(update.After).RootElement.GetProperty("risk").GetString());
    }

    [Fact]
    public async Task ListWithOneBadRowAmongTenThousandChangesNothing()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var json = new StringBuilder("{\"entries\":[\n");
        for (var i = 0; i < 10_000; i++)
        {
            var value = i == 7_777 ? "138-0013" : (13_800_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            json.Append(i == 0 ? string.Empty : ",\n").Append("{\"kind\":\"phone\",\"value\":\"").Append(value).Append("\",\"category\":\"other\"}");
        }

        json.Append("\n]}");

        var outcome = await app.PublishAsync(json.ToString());

        Assert.False(outcome.Succeeded);
        var error = Assert.Single(outcome.Validation.Errors);
        Assert.Equal(7_779, error.Line); // line 1 is the opening of the object
        Assert.Equal("invalid_phone", error.Code);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(0, await db.Entries.CountAsync());
        Assert.Equal(0, await db.Lists.CountAsync());
        Assert.Equal(0, (await db.ListState.SingleAsync()).Version);
    }

    [Fact]
    public async Task SameReferenceWithTheSameContentIsPublishedOnce()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        const string List = """{"entries":[{"kind":"phone","value":"13800138000"}]}""";
        var first = await app.PublishAsync(List, "Police A", "2026-47");

        var again = await app.PublishAsync(List, "Police A", "2026-47");

        Assert.Equal(PublishStatus.AlreadyPublished, again.Result!.Status);
        Assert.Equal(first.Result!.ListId, again.Result.ListId);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(1, await db.Lists.CountAsync());
        Assert.Equal(1, await db.EntrySources.CountAsync());
    }

    [Fact]
    public async Task SameReferenceWithOtherContentIsAConflictThatChangesNothing()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync("""{"entries":[{"kind":"phone","value":"13800138000"}]}""", "Police A", "2026-47");

        var other = await app.PublishAsync("""{"entries":[{"kind":"phone","value":"13900139000"}]}""", "Police A", "2026-47");

        Assert.False(other.Succeeded);
        Assert.Equal(PublishStatus.ReferenceConflict, other.Result!.Status);
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Entries.CountAsync());
    }

    [Fact]
    public async Task TwoSpellingsOfOneIdentifierInOneListAreOneEntry()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        var outcome = await app.PublishAsync(("phone", "13800138000", "other", "high"), ("phone", "+86 138-0013-8000", "other", "high"));

        Assert.Equal(1, outcome.Validation.Duplicates);
        Assert.Equal(1, outcome.Result!.Added);
    }

    [Fact]
    public async Task ExpiredEntryNamedAgainIsFlaggedAgainAndHistorySaysSo()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync("""{"entries":[{"kind":"app","value":"云客服"}]}""", "Police A", "1");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var entry = await db.Entries.SingleAsync();
            entry.Status = Data.EntryStatus.Expired;
            await db.SaveChangesAsync();
        }

        var outcome = await app.PublishAsync("""{"entries":[{"kind":"app","value":"云 客 服"}]}""", "Police A", "2");

        Assert.Equal(1, outcome.Result!.Reflagged);
        await using var check = app.Services.CreateAsyncScope();
        var checkDb = check.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(Data.EntryStatus.Active, (await checkDb.Entries.SingleAsync()).Status);
        Assert.Equal("reflagged", (await checkDb.EntryHistory.OrderBy(h => h.Id).LastAsync()).Action);
        Assert.Equal(ChangeOps.Add, (await checkDb.ChangeLog.OrderBy(c => c.Version).LastAsync()).Op);
    }
}

public abstract class ListStoreLargeTests(DatabaseTarget target)
{
    [Fact]
    public async Task LargeListIsWrittenWholeAndLaterWritesGetFreshIds()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var rows = Enumerable.Range(0, 2_500).Select(i => ("phone", (13_800_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture), "other", "high")).ToArray();

        var outcome = await app.PublishAsync(rows);
        await app.PublishAsync(("app", "云客服", "remote_control_app", "high"));

        Assert.Equal(2_500, outcome.Result!.Added);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(2_501, await db.Entries.CountAsync());
        Assert.Equal(2_501, await db.EntrySources.CountAsync());
        Assert.Equal(2_501, await db.EntryHistory.CountAsync());
        Assert.Equal(2_501L, await db.ChangeLog.MaxAsync(c => c.Version));

        // An entry written through EF (as reports and appeals will) takes the next id the database hands out.
        db.Entries.Add(new Entry
        {
            Kind = Identifiers.IdentifierKind.Domain, Value = "new.example", Display = "new.example", Category = Data.Category.Other,
            Risk = Data.Risk.Low, Status = Data.EntryStatus.Active, FirstSeen = DateTime.UtcNow, LastSeen = DateTime.UtcNow, Version = 2_502,
        });
        await db.SaveChangesAsync();
        Assert.Equal(2_502, await db.Entries.MaxAsync(e => e.Id));
        var lookup = await app.GetJsonAsync<JsonElement>("/v1/lookup/phone?value=13800002499");
        Assert.Equal("flagged", lookup.GetProperty("verdict").GetString());
    }
}
