using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlagApi.Lists;
using FlagApi.Data;
using FlagApi.Feed;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class FeedTests(DatabaseTarget target)
{
    [Fact]
    public async Task ChangesListAddsUpdatesAndRemovalsInVersionOrder()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var first = await app.PublishAsync(("phone", "13800138000", "other", "low"), ("domain", "evil.example", "gambling", "high"));
        await app.PublishAsync(
            $$"""{"entries":[{"kind":"phone","value":"13800138000","category":"loan_or_card","risk":"high"}]}""", reference: "second");
        await ListChurn.RetractAsync(app, first.Result!.ListId);
        using var client = await AppClientAsync(app);

        var page = await GetChangesAsync(client, "/v1/feed/changes?since=0");

        Assert.Equal(0, page.FromVersion);
        Assert.False(page.More);
        Assert.Equal(30, page.RetryAfterSeconds);
        Assert.Equal(page.Changes[^1].Version, page.ToVersion);
        Assert.Equal(page.Changes.Select(c => c.Version).Order(), page.Changes.Select(c => c.Version));
        var phone = page.Changes.Where(c => c.Kind == "phone").ToList();
        Assert.Equal(["add", "update", "update"], phone.Select(c => c.Op));
        Assert.All(phone, c => Assert.Equal("+8613800138000", c.Value));
        Assert.Equal(("loan_or_card", "high"), (phone[1].Category, phone[1].Risk));
        var domain = page.Changes.Where(c => c.Kind == "domain").ToList();
        Assert.Equal(["add", "remove"], domain.Select(c => c.Op));
    }

    [Fact]
    public async Task ChangesComeInPagesOfTheLimitAndSayWhenMoreFollow()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(Enumerable.Range(0, 5).Select(i => ("phone", $"1380013800{i}", "other", "low")).ToArray());
        using var client = await AppClientAsync(app);

        var page = await GetChangesAsync(client, "/v1/feed/changes?since=0&limit=2");
        Assert.True(page.More);
        Assert.Equal(0, page.RetryAfterSeconds);
        Assert.Equal([1L, 2L], page.Changes.Select(c => c.Version));
        Assert.Equal(2, page.ToVersion);

        page = await GetChangesAsync(client, "/v1/feed/changes?since=4&limit=2");
        Assert.False(page.More);
        Assert.Equal([5L], page.Changes.Select(c => c.Version));
        Assert.Equal(5, page.ToVersion);

        page = await GetChangesAsync(client, "/v1/feed/changes?since=5");
        Assert.Empty(page.Changes);
        Assert.Equal(5, page.ToVersion);
        Assert.False(page.More);
    }

    [Theory]
    [InlineData("", "invalid_since")]
    [InlineData("?since=-1", "invalid_since")]
    [InlineData("?since=abc", "invalid_since")]
    [InlineData("?since=0&limit=0", "invalid_limit")]
    [InlineData("?since=0&limit=10001", "invalid_limit")]
    [InlineData("?since=0&limit=x", "invalid_limit")]
    [InlineData("?since=0&wait=31", "invalid_wait")]
    [InlineData("?since=0&wait=-1", "invalid_wait")]
    [InlineData("?since=1", "since_ahead")]
    public async Task BadChangesParametersAreRefusedWithTheirCode(string query, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = await AppClientAsync(app);

        var response = await client.GetAsync("/v1/feed/changes" + query);

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Theory]
    [InlineData("/v1/feed/changes?since=0")]
    [InlineData("/v1/feed/snapshot")]
    public async Task FeedNeedsAnAppOrAdminKey(string url)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var anonymous = app.CreateClient();
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", "Test police"));
        using var admin = app.CreateClient(await app.CreateKeyAsync("admin"));

        await Problem.AssertAsync(await anonymous.GetAsync(url), HttpStatusCode.Unauthorized, "missing_api_key");
        await Problem.AssertAsync(await publisher.GetAsync(url), HttpStatusCode.Forbidden, "wrong_role");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task LongPollAnswersAsSoonAsAChangeArrives()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "low"));
        using var client = await AppClientAsync(app);

        var watch = Stopwatch.StartNew();
        var poll = GetChangesAsync(client, "/v1/feed/changes?since=1&wait=20");
        await Task.Delay(300);
        Assert.False(poll.IsCompleted);
        await app.PublishAsync(
            """{"entries":[{"kind":"phone","value":"13800138001","category":"other","risk":"low"}]}""", reference: "second");
        var page = await poll;

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"The long poll took {watch.Elapsed}.");
        var change = Assert.Single(page.Changes);
        Assert.Equal(("add", "+8613800138001", 2L), (change.Op, change.Value, change.Version));
    }

    [Fact]
    public async Task LongPollWithNothingNewAnswersEmptyAfterTheWait()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "low"));
        using var client = await AppClientAsync(app);

        var watch = Stopwatch.StartNew();
        var page = await GetChangesAsync(client, "/v1/feed/changes?since=1&wait=1");

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"The long poll answered after {watch.Elapsed}.");
        Assert.Empty(page.Changes);
        Assert.Equal(1, page.ToVersion);
    }

    [Fact]
    public async Task AnExpiredEntryIsARemovalInTheFeedAfterTheSweep()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var expires = app.Clock.GetUtcNow().AddMinutes(10).ToString("O");
        await app.PublishAsync(
            $$"""{"entries":[{"kind":"phone","value":"13800138000","category":"other","risk":"low","expiresAt":"{{expires}}"},{"kind":"phone","value":"13800138001","category":"other","risk":"low"}]}""");
        using var client = await AppClientAsync(app);

        Assert.Equal(0, await ListChurn.SweepAsync(app));
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, await ListChurn.SweepAsync(app));

        var change = Assert.Single((await GetChangesAsync(client, "/v1/feed/changes?since=2")).Changes);
        Assert.Equal(("remove", "+8613800138000", 3L), (change.Op, change.Value, change.Version));
        var snapshot = await GetSnapshotAsync(client);
        Assert.Equal(["+8613800138001"], snapshot.Entries.Select(e => e.Value));
        Assert.Equal(3, snapshot.Version);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var history = await db.EntryHistory.Where(h => h.Action == "expired").SingleAsync();
        Assert.Equal(3, history.Version);
    }

    [Fact]
    public async Task SnapshotListsTheActiveEntriesInCanonicalOrderWithTheirChecksum()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var list = await app.PublishAsync(("phone", "13800138001", "other", "low"), ("url", "evil.example/x/", "task_brushing", "high"));
        await app.PublishAsync(
            """{"entries":[{"kind":"phone","value":"13800138000","category":"gambling","risk":"medium"},{"kind":"domain","value":"bad.example","category":"other","risk":"low"}]}""",
            reference: "second");
        await ListChurn.RetractAsync(app, list.Result!.ListId);
        using var client = await AppClientAsync(app);

        var response = await client.GetAsync("/v1/feed/snapshot");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("\"v6\"", response.Headers.ETag?.Tag);
        var snapshot = (await response.Content.ReadFromJsonAsync<Snapshot>(FlagApiFactory.ApiJson))!;
        Assert.Equal(6, snapshot.Version);
        Assert.Equal(
            [("domain", "bad.example", "other", "low"), ("phone", "+8613800138000", "gambling", "medium")],
            snapshot.Entries.Select(e => (e.Kind, e.Value, e.Category, e.Risk)));
        Assert.Equal(2, snapshot.Count);
        Assert.Equal(ChecksumOf(snapshot.Entries.Select(e => (e.Kind, e.Value, e.Category, e.Risk))), snapshot.Sha256);
        Assert.Equal(
            Convert.ToHexStringLower(SHA256.HashData("domain\tbad.example\tother\tlow\nphone\t+8613800138000\tgambling\tmedium\n"u8)),
            snapshot.Sha256);
    }

    [Fact]
    public async Task SnapshotAsCsvCarriesTheVersionCountAndChecksumInHeaders()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "low"), ("domain", "bad.example", "gambling", "high"));
        using var client = await AppClientAsync(app);
        var json = await GetSnapshotAsync(client);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/feed/snapshot");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("2", Header(response, "X-List-Version"));
        Assert.Equal("2", Header(response, "X-List-Count"));
        Assert.Equal(json.Sha256, Header(response, "X-List-Sha256"));
        Assert.Equal(
            "kind,value,category,risk\r\ndomain,bad.example,gambling,high\r\nphone,+8613800138000,other,low\r\n",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SnapshotOfAnUnchangedListIsNotModified()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("phone", "13800138000", "other", "low"));
        using var client = await AppClientAsync(app);

        using var same = new HttpRequestMessage(HttpMethod.Get, "/v1/feed/snapshot");
        same.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"v1\""));
        var notModified = await client.SendAsync(same);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("\"v1\"", notModified.Headers.ETag?.Tag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        await app.PublishAsync("""{"entries":[{"kind":"phone","value":"13800138001","category":"other","risk":"low"}]}""", reference: "second");
        using var stale = new HttpRequestMessage(HttpMethod.Get, "/v1/feed/snapshot");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"v1\""));
        var changed = await client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("\"v2\"", changed.Headers.ETag?.Tag);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task SnapshotIsCompressedWhenTheClientAcceptsIt(string encoding)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(Enumerable.Range(0, 200).Select(i => ("phone", $"13800{i:D6}", "other", "low")).ToArray());
        using var client = await AppClientAsync(app);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/feed/snapshot");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        var compressed = await response.Content.ReadAsByteArrayAsync();
        await using Stream decompressing = encoding == "gzip"
            ? new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress)
            : new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var snapshot = (await JsonSerializer.DeserializeAsync<Snapshot>(decompressing, FlagApiFactory.ApiJson))!;
        Assert.Equal(200, snapshot.Count);
        Assert.True(compressed.Length * 3 < Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(snapshot)), "The snapshot was barely compressed.");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2026)]
    public async Task DeltasAppliedToAnOldSnapshotGiveExactlyTheNewSnapshot(int seed)
    {
        var random = new Random(seed);
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = await AppClientAsync(app);
        var churn = new ListChurn(app, random, ListChurn.NumbersAndDomains);
        for (var i = 0; i < 4; i++)
        {
            await churn.PublishAsync();
        }

        var before = await GetSnapshotAsync(client);
        var copy = before.Entries.ToDictionary(e => (e.Kind, e.Value), e => (e.Category, e.Risk));
        Assert.NotEmpty(copy);

        for (var step = 0; step < 30; step++)
        {
            await churn.StepAsync();
        }

        var ops = new Dictionary<string, int>();
        var since = before.Version;
        FeedChangesResponse page;
        do
        {
            page = await GetChangesAsync(client, $"/v1/feed/changes?since={since}&limit={random.Next(1, 8)}");
            Assert.Equal(since, page.FromVersion);
            foreach (var change in page.Changes)
            {
                Assert.True(change.Version > since);
                ops[change.Op] = ops.GetValueOrDefault(change.Op) + 1;
                if (change.Op == "remove")
                {
                    copy.Remove((change.Kind, change.Value));
                }
                else
                {
                    copy[(change.Kind, change.Value)] = (change.Category, change.Risk);
                }

                since = change.Version;
            }

            Assert.Equal(since, page.ToVersion);
        }
        while (page.More);

        var after = await GetSnapshotAsync(client);
        Assert.Equal(after.Version, since);
        Assert.True(ops.GetValueOrDefault("add") > 0 && ops.GetValueOrDefault("remove") > 0, $"Seed {seed} made no adds or no removals: {string.Join(", ", ops)}.");
        Assert.Equal(
            after.Entries.Select(e => (e.Kind, e.Value, e.Category, e.Risk)),
            copy.Select(e => (e.Key.Kind, e.Key.Value, e.Value.Category, e.Value.Risk)).OrderBy(e => e.Kind, StringComparer.Ordinal).ThenBy(e => e.Value, StringComparer.Ordinal));
        Assert.Equal(copy.Count, after.Count);
        Assert.Equal(ChecksumOf(copy.Select(e => (e.Key.Kind, e.Key.Value, e.Value.Category, e.Value.Risk))), after.Sha256);
    }

    [Fact]
    public void ChecksumOrdersByCodePointAsTheDatabaseDoes()
    {
        // U+FF41 sorts before U+1F600 by code point (and UTF-8 bytes), after it by UTF-16 code unit.
        var entries = new[] { ("account", "\U0001F600", "other", "low"), ("account", "\uFF41", "other", "low") };

        Assert.Equal(
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("account\t\uFF41\tother\tlow\naccount\t\U0001F600\tother\tlow\n"))),
            FeedChecksum.Compute(entries));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([])), FeedChecksum.Compute([]));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    /// <summary>The checksum as the contract defines it, computed here independently of <see cref="FeedChecksum"/>.</summary>
    private static string ChecksumOf(IEnumerable<(string Kind, string Value, string Category, string Risk)> entries)
    {
        var text = new StringBuilder();
        foreach (var (kind, value, category, risk) in entries
            .OrderBy(e => Encoding.UTF8.GetBytes(e.Kind), ByteOrder.Instance)
            .ThenBy(e => Encoding.UTF8.GetBytes(e.Value), ByteOrder.Instance))
        {
            text.Append(kind).Append('\t').Append(value).Append('\t').Append(category).Append('\t').Append(risk).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static async Task<HttpClient> AppClientAsync(FlagApiFactory app) => app.CreateClient(await app.CreateKeyAsync("app"));

    private static async Task<FeedChangesResponse> GetChangesAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<FeedChangesResponse>(FlagApiFactory.ApiJson))!;
    }

    private static async Task<Snapshot> GetSnapshotAsync(HttpClient client)
    {
        var response = await client.GetAsync("/v1/feed/snapshot");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Snapshot>(FlagApiFactory.ApiJson))!;
    }

    private sealed record Snapshot(long Version, List<SnapshotEntry> Entries, long Count, string Sha256);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
