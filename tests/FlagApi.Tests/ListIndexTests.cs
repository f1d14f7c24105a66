using System.Security.Cryptography;
using System.Text;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Lookup;

namespace FlagApi.Tests;

/// <summary>The packed index against a plain dictionary of the same entries, through random adds, changes and removals.</summary>
public sealed class ListIndexTests
{
    private static readonly DateTime Now = new(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);
    private static readonly IndexedSource PoliceList = new("list", "北京市公安局 / 2026-47", 7, Now.AddDays(-3));
    private static readonly IndexedSource Reviewer = new("reviewer", "reviewer:ops", null, Now.AddDays(-1));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_adds_updates_and_removals_leave_the_index_answering_exactly_like_a_dictionary(int seed)
    {
        var random = new Random(seed);
        var index = new ListIndex();
        var model = new Dictionary<(IdentifierKind, string), IndexedEntry>();
        var initial = Enumerable.Range(0, 2_000).Select(i => Entry(random, i)).DistinctBy(e => (e.Kind, e.Value)).ToList();
        index.Reset(initial, atVersion: 1);
        foreach (var entry in initial.Where(e => e.Status is EntryStatus.Active or EntryStatus.Cleared))
        {
            model[(entry.Kind, entry.Value)] = entry;
        }

        // Enough changes to grow the slots past their first size and to force a rebuild without superseded records.
        for (var round = 0; round < 200; round++)
        {
            var changes = Enumerable.Range(0, 1_000).Select(_ => Entry(random, random.Next(6_000))).ToList();
            index.Apply(changes, atVersion: round + 2);
            foreach (var change in changes)
            {
                if (change.Status is EntryStatus.Active or EntryStatus.Cleared)
                {
                    model[(change.Kind, change.Value)] = change;
                }
                else
                {
                    model.Remove((change.Kind, change.Value));
                }
            }
        }

        Assert.Equal(201, index.Version);
        Assert.Equal(model.Count, index.Count);
        foreach (var kind in IdentifierKinds.All)
        {
            Assert.Equal(model.Keys.Count(k => k.Item1 == kind), index.CountOf(kind));
        }

        for (var i = 0; i < 6_000; i++)
        {
            foreach (var kind in IdentifierKinds.All)
            {
                var key = Key(kind, i);
                AssertSame(model.GetValueOrDefault((kind, key)), index.Find(kind, key));
            }
        }

        Assert.Equal(model.Values.Count(e => e.Status == EntryStatus.Active), index.Hashes.Count);
        var byPrefix = model.Values.Where(e => e.EffectiveStatus(Now) == EntryStatus.Active).ToLookup(e => Sha256(e.Value)[..5]);
        foreach (var group in byPrefix.Take(300))
        {
            var found = index.Hashes.Find(Convert.ToInt32(group.Key, 16), Now, out _);
            Assert.Equal(
                group.Select(e => (Sha256(e.Value), e.Id)).Order(),
                found.Select(m => (m.Hash, m.Entry.Id)).Order());
            Assert.All(found, m => AssertSame(model[(m.Entry.Kind, m.Entry.Value)], m.Entry));
        }
    }

    [Fact]
    public void A_key_never_flagged_or_flagged_as_another_kind_finds_nothing()
    {
        var index = new ListIndex();
        index.Reset([.. Enumerable.Range(0, 10_000).Select(i => Flagged(IdentifierKind.Phone, $"+86138{i:D8}", id: i + 1))], atVersion: 1);

        Assert.Null(index.Find(IdentifierKind.Phone, "+8613900000001"));
        Assert.Null(index.Find(IdentifierKind.Account, "+8613800000001"));
        Assert.Equal(2, index.Find(IdentifierKind.Phone, "+8613800000001")!.Id);
    }

    [Fact]
    public void Keys_of_any_length_and_script_round_trip_through_the_key_space()
    {
        var longUrl = "https://例子.example/" + new string('a', 5_000);
        var index = new ListIndex();
        index.Reset([Flagged(IdentifierKind.Url, longUrl), Flagged(IdentifierKind.App, "支付宝安全中心"), Flagged(IdentifierKind.Domain, "xn--fsqu00a.example")], atVersion: 3);

        Assert.Equal(longUrl, index.Find(IdentifierKind.Url, longUrl)!.Value);
        Assert.Equal("支付宝安全中心", index.Find(IdentifierKind.App, "支付宝安全中心")!.Value);
        var hashes = index.Hashes.Find(Convert.ToInt32(Sha256("支付宝安全中心")[..5], 16), Now, out _);
        Assert.Equal("支付宝安全中心", Assert.Single(hashes).Entry.Value);
    }

    [Fact]
    public void An_active_entry_past_its_expiry_is_left_out_of_hash_prefixes_and_counted_as_expired()
    {
        var index = new ListIndex();
        var expiring = Flagged(IdentifierKind.Phone, "+8613800000001") with { ExpiresAt = Now.AddMinutes(-1) };
        index.Reset([expiring], atVersion: 1);

        var found = index.Hashes.Find(Convert.ToInt32(Sha256(expiring.Value)[..5], 16), Now, out var expired);

        Assert.Empty(found);
        Assert.Equal(1, expired);
        Assert.Equal(EntryStatus.Expired, index.Find(IdentifierKind.Phone, expiring.Value)!.EffectiveStatus(Now));
    }

    [Theory]
    [InlineData("2026-11-23 08:30:05", "2026-11-23T08:30:05.0000000Z")]
    [InlineData("2026-11-23 08:30:05.1", "2026-11-23T08:30:05.1000000Z")]
    [InlineData("2024-02-29 23:59:59.9999999", "2024-02-29T23:59:59.9999999Z")]
    public void Stored_sqlite_timestamps_parse_to_the_same_instant_as_a_general_parser(string stored, string expected)
    {
        Assert.True(ListIndexLoader.TryParseStored(stored, out var parsed));
        Assert.Equal(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.RoundtripKind), parsed);
        Assert.Equal(DateTimeKind.Utc, parsed.Kind);
    }

    [Theory]
    [InlineData("2026-02-30 08:30:05")]
    [InlineData("2026-11-23T08:30:05")]
    [InlineData("2026-11-23 08:30:05.")]
    [InlineData("2026-11-23 08:30:05.12345678")]
    [InlineData("2026-11-23 08:30")]
    public void Timestamps_in_another_shape_are_left_to_the_general_parser(string stored) =>
        Assert.False(ListIndexLoader.TryParseStored(stored, out _));

    /// <summary>Equal fields and equal sources in order; the index hands out one shared list per distinct set of sources.</summary>
    private static void AssertSame(IndexedEntry? expected, IndexedEntry? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is not null)
        {
            Assert.Equal(expected with { Sources = [] }, actual! with { Sources = [] });
            Assert.Equal(expected.Sources, actual.Sources);
        }
    }

    private static IndexedEntry Entry(Random random, int number)
    {
        var kind = IdentifierKinds.All[number % IdentifierKinds.All.Count];
        var status = (EntryStatus)random.Next(4);
        IReadOnlyList<IndexedSource> sources = random.Next(3) switch
        {
            0 => [PoliceList],
            1 => [PoliceList, Reviewer],
            _ => [new IndexedSource("list", $"list {random.Next(5)}", random.Next(5), Now)],
        };
        return new IndexedEntry(
            number + 1, kind, Key(kind, number), (Category)random.Next(10), (Risk)random.Next(3), status,
            Now.AddDays(-random.Next(100)), Now.AddTicks(-random.Next()), random.Next(4) == 0 ? Now.AddHours(random.Next(-5, 5)) : null, sources);
    }

    private static IndexedEntry Flagged(IdentifierKind kind, string key, long id = 1) =>
        new(id, kind, key, Category.TaskBrushing, Risk.High, EntryStatus.Active, Now, Now, null, [PoliceList]);

    private static string Key(IdentifierKind kind, int number) => kind switch
    {
        IdentifierKind.Phone => $"+86138{number:D8}",
        IdentifierKind.Url => $"site{number}.example/login/",
        IdentifierKind.Domain => $"d{number}.example",
        IdentifierKind.App => $"应用{number}",
        _ => $"qq:{100_000 + number}",
    };

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
