using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Feed;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

/// <summary>
/// A list's rows go to the database through the provider's bulk path (native statements on SQLite,
/// binary COPY on PostgreSQL); what reads back must be what plain parameterized INSERTs would have written.
/// </summary>
public abstract class BulkWriteTests(DatabaseTarget target)
{
    private const int Rows = 150; // two full 64-row SQLite statements and a remainder

    private const string AwkwardText = "引号 \"quoted\", comma; tab\there\nnew line \\N back\\slash 🙂 ' é";

    // Whole microseconds: the precision both providers keep.
    private static readonly DateTime At = new DateTime(2026, 11, 23, 8, 30, 15, DateTimeKind.Utc).AddTicks(1_234_560);

    [Fact]
    public async Task RowsWrittenInBulkReadBackAsPlainInsertsWriteThem()
    {
        await using var bulk = await FlagApiFactory.CreateAsync(target);
        await using var plain = await FlagApiFactory.CreateAsync(target);
        BulkRowBatch[] batches = [AwkwardBatch(), UpdateBatch()];

        await WriteAsync(bulk, batches, (dialect, connection, transaction) => dialect.CreateBulkRowWriter(connection, transaction));
        await WriteAsync(plain, batches, (dialect, connection, transaction) => new SqlBulkRowWriter(connection, transaction, dialect));

        var written = await ReadAsync(bulk);
        Assert.Equal(await ReadAsync(plain), written);
        Assert.Equal(4 * Rows, written.Count);
        await using var scope = bulk.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var entry = await db.Entries.Include(e => e.Sources).SingleAsync(e => e.Id == 5);
        Assert.Equal("+8613800000003", entry.Value);
        Assert.Equal(AwkwardText + " 3", entry.Display);
        Assert.Equal(At, DateTime.SpecifyKind(entry.FirstSeen, DateTimeKind.Utc));
        Assert.Equal(At.AddHours(1), DateTime.SpecifyKind(entry.LastSeen, DateTimeKind.Utc));
        Assert.Equal((Category.Other, Risk.High, 1_003L), (entry.Category, entry.Risk, entry.Version));
        Assert.Null(entry.ExpiresAt);
        var retracted = await db.Entries.SingleAsync(e => e.Id == 100);
        Assert.Equal((EntryStatus.Retracted, 1_098L, At), (retracted.Status, retracted.Version, DateTime.SpecifyKind(retracted.LastSeen, DateTimeKind.Utc)));
        var source = Assert.Single(entry.Sources);
        Assert.Equal((AwkwardText, Category.Gambling, Risk.Medium), (source.Note, source.Category, source.Risk));
    }

    [Fact]
    public async Task ListOfSeveralBatchesReadsBackWholeThroughTheEntryDetailAndTheFeed()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var expires = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var rows = Enumerable.Range(0, 5_000).Select(i => new
        {
            kind = "phone",
            value = (13_800_000_000L + i).ToString(CultureInfo.InvariantCulture),
            category = "task_brushing",
            risk = "medium",
            note = i % 2 == 0 ? AwkwardText : null,
            expiresAt = i % 3 == 0 ? expires : null,
        }).ToList();
        var first = await app.PublishAsync(JsonSerializer.Serialize(new { entries = rows }), "Police A", "big");
        var second = await app.PublishAsync(JsonSerializer.Serialize(new { entries = rows.Take(100).Select(r => r with { risk = "high", note = "again" }) }), "Police B", "again");

        Assert.Equal(5_000, first.Result!.Added);
        Assert.Equal(100, second.Result!.Updated);
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));
        var changes = new List<FeedChange>();
        for (var since = 0L; ;)
        {
            var page = (await client.GetFromJsonAsync<FeedChangesResponse>($"/v1/feed/changes?since={since}&limit=10000", FlagApiFactory.ApiJson))!;
            changes.AddRange(page.Changes);
            since = page.ToVersion;
            if (!page.More)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(1, 5_100).Select(v => (long)v), changes.Select(c => c.Version));
        Assert.Equal(5_000, changes.Count(c => c.Op == "add"));
        Assert.Equal(("update", "+8613800000099", "high"), (changes[^1].Op, changes[^1].Value, changes[^1].Risk));
        Assert.Equal(("add", "+8613800004999", "medium"), (changes[4_999].Op, changes[4_999].Value, changes[4_999].Risk));

        using var reviewer = app.CreateClient(await app.CreateKeyAsync("reviewer"));
        var response = await reviewer.GetAsync("/v1/entries/4000");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<EntryDetail>(FlagApiFactory.ApiJson))!;
        Assert.Equal(("+8613800003999", "13800003999", Risk.Medium, EntryStatus.Active), (detail.Value, detail.Display, detail.Risk, detail.Status));
        Assert.Equal(DateTime.Parse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), detail.ExpiresAt);
        var source = Assert.Single(detail.Sources);
        Assert.Equal(("Police A big", (string?)null, "13800003999"), (source.Label, source.Note, source.Display));
        var flagged = Assert.Single(detail.History);
        Assert.Equal(("flagged", 4_000L), (flagged.Action, flagged.Version));
        Assert.Equal("medium", flagged.After.GetProperty("risk").GetString());

        detail = (await reviewer.GetFromJsonAsync<EntryDetail>("/v1/entries/1", FlagApiFactory.ApiJson))!;
        Assert.Equal(Risk.High, detail.Risk);
        Assert.Equal([(AwkwardText, "Police A big"), ("again", "Police B again")], detail.Sources.OrderBy(s => s.Label, StringComparer.Ordinal).Select(s => (s.Note, s.Label)));
        Assert.Equal(["flagged", "updated"], detail.History.Select(h => h.Action).Order());
    }

    /// <summary>New entries 2..151 (entry 1 and list 1 come from a published list), with text that quoting, escaping or encoding could damage.</summary>
    private static BulkRowBatch AwkwardBatch()
    {
        var batch = new BulkRowBatch(At, "bulk-test 🙂");
        string[] kinds = ["phone", "url", "app"];
        for (var i = 0; i < Rows; i++)
        {
            var id = i + 2L;
            var kind = kinds[i % kinds.Length];
            var value = kind == "phone" ? $"+86138{i:D8}" : $"{kind}-{i}-{AwkwardText}";
            DateTime? expires = i % 2 == 0 ? null : At.AddDays(i).AddTicks(10 * i);
            var state = $$"""{"status":"active","category":"gambling","risk":"medium","expiresAt":"{{expires:O}}"}""";
            batch.Entries.Add(new EntryRow(id, kind, value, $"{AwkwardText} {i}", "gambling", "medium", "active", expires, id));
            batch.History.Add(new HistoryRow(id, id, "flagged", i % 3 == 0 ? null : AwkwardText, i % 4 == 0 ? state : null, state));
            batch.Changes.Add(new ChangeRow(id, id, "add", kind, value, "gambling", "medium", "active"));
            batch.Sources.Add(new SourceRow(id, 1, "list", $"Police {AwkwardText}", i % 5 == 0 ? null : AwkwardText, $"{AwkwardText} {i}", "gambling", "medium", expires));
        }

        return batch;
    }

    /// <summary>The entries of <see cref="AwkwardBatch"/> named again (the first half) and retracted (the rest).</summary>
    private static BulkRowBatch UpdateBatch()
    {
        var batch = new BulkRowBatch(At.AddHours(1), "bulk-test");
        for (var id = 2L; id < Rows + 2; id++)
        {
            if (id < Rows / 2)
            {
                batch.Updates.Add(new EntryUpdateRow(id, "other", "high", "active", id % 2 == 0 ? At.AddDays(id) : null, 1_000 + id - 2));
            }
            else
            {
                batch.StatusChanges.Add(new StatusRow(id, "retracted", 1_000 + id - 2));
            }
        }

        return batch;
    }

    private static async Task WriteAsync(FlagApiFactory app, BulkRowBatch[] batches, Func<SqlDialect, DbConnection, DbTransaction, BulkRowWriter> create)
    {
        await app.PublishAsync(("domain", "first.example", "other", "low"));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var dialect = scope.ServiceProvider.GetRequiredService<DatabaseProviderInfo>().Dialect;
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var writer = create(dialect, connection, transaction))
        {
            foreach (var batch in batches)
            {
                await writer.WriteAsync(batch, CancellationToken.None);
            }
        }

        await transaction.CommitAsync();
    }

    /// <summary>
    /// Every row the batch wrote, column by column as the provider returns it (on SQLite the stored
    /// text itself, which queries compare as text), with its type.
    /// </summary>
    private static async Task<List<string>> ReadAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        var lines = new List<string>();
        foreach (var (table, order) in (List<(string, string)>)[("entries", "id"), ("entry_history", "id"), ("change_log", "version"), ("entry_sources", "id")])
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table} WHERE {(table == "entries" ? "id" : "entry_id")} > 1 ORDER BY {order}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={Text(reader.GetValue(i))}");
                lines.Add(table + " " + string.Join(" | ", values));
            }
        }

        return lines;

        static string Text(object value) => value switch
        {
            DBNull => "null",
            DateTime time => $"{time:O}:DateTime",
            _ => $"{Convert.ToString(value, CultureInfo.InvariantCulture)}:{value.GetType().Name}",
        };
    }
}
