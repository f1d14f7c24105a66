using System.Buffers;
using System.Text;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests;

/// <summary>The lookup answers' direct writer against the serializer the rest of the API uses: the same bytes, whatever the answer holds.</summary>
public sealed class LookupJsonTests
{
    private static readonly string[] Texts = ["", "北京市公安局 / 2026-47", "quote \" back\\slash <tag> & 'apos'", "emoji 🚓 and \u0001 control", "+8613800138000"];
    private static readonly DateTime[] Times =
    [
        new(2026, 11, 23, 8, 30, 5, DateTimeKind.Utc),
        new DateTime(2026, 11, 23, 8, 30, 5, DateTimeKind.Utc).AddTicks(6_077_774),
        new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1_000),
    ];

    [Fact]
    public async Task SingleAndBatchAnswersAreByteForByteWhatTheSerializerWrites()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        var options = app.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var random = new Random(47);
        for (var i = 0; i < 500; i++)
        {
            var single = Response(random);
            Assert.Equal(JsonSerializer.Serialize(single, options), Written(options, w => LookupJson.Write(w, single)));

            var batch = new BatchLookupResponse([.. Enumerable.Range(0, random.Next(4)).Select(_ => Result(random))], random.NextInt64(1, long.MaxValue));
            Assert.Equal(JsonSerializer.Serialize(batch, options), Written(options, w => LookupJson.Write(w, batch)));
        }
    }

    private static string Written(JsonSerializerOptions options, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static LookupResponse Response(Random random) => new(
        Pick(random, ["phone", "url", "domain", "app", "account"]),
        Pick(random, Texts),
        Pick(random, Texts),
        PickEnum<Verdict>(random),
        random.Next(2) == 0,
        [.. Enumerable.Range(0, random.Next(3)).Select(_ => Match(random))],
        Reports(random),
        random.NextInt64(0, long.MaxValue),
        random.Next(3) == 0 ? new ProtectionNotice("domain", Pick(random, Texts), Pick(random, Texts), Pick(random, Texts)) : null,
        Notice: random.Next(2) == 0 ? Notice(random) : null);

    private static FlagNotice Notice(Random random) => new(
        Pick(random, ["zh", "en"]),
        Pick(random, Texts),
        PickEnum<Category>(random),
        Pick(random, Texts),
        [.. Enumerable.Range(0, random.Next(3)).Select(_ => new NoticeListing(
            Pick(random, ["list", "report"]),
            Pick(random, Texts),
            random.Next(2) == 0 ? null : Pick(random, Texts),
            random.Next(2) == 0 ? null : random.NextInt64(1, long.MaxValue),
            random.Next(2) == 0 ? null : Pick(random, Texts),
            random.Next(2) == 0 ? null : Pick(random, Texts),
            random.Next(2) == 0 ? null : DateOnly.FromDateTime(Pick(random, Times)),
            Pick(random, Times),
            PickEnum<Category>(random),
            Pick(random, Texts),
            random.Next(2) == 0,
            random.Next(2) == 0 ? null : Pick(random, Texts)))],
        new NoticeAppeal(random.Next(2) == 0 ? null : Pick(random, Texts), "POST /v1/appeals", random.Next(1, 1000), Pick(random, Texts)),
        [.. Enumerable.Range(0, random.Next(3)).Select(_ => Pick(random, Texts))]);

    private static BatchLookupResult Result(Random random)
    {
        if (random.Next(3) == 0)
        {
            return new BatchLookupResult(random.Next(4) == 0 ? null : Pick(random, Texts), random.Next(4) == 0 ? null : Pick(random, Texts),
                Error: new ItemError("invalid_phone", Pick(random, Texts)));
        }

        var r = Response(random);
        return new BatchLookupResult(r.Kind, r.Query, r.Canonical, r.Verdict, r.Flagged, r.Matches, r.Reports, Protected: r.Protected, Notice: r.Notice);
    }

    private static LookupMatch Match(Random random) => new(
        random.NextInt64(1, long.MaxValue),
        "phone",
        Pick(random, Texts),
        Pick(random, Texts),
        PickEnum<Category>(random),
        PickEnum<Risk>(random),
        PickEnum<EntryStatus>(random),
        Pick(random, Times),
        Pick(random, Times),
        random.Next(2) == 0 ? null : Pick(random, Times),
        [.. Enumerable.Range(0, random.Next(3)).Select(_ => new MatchSource(Pick(random, ["list", "reviewer"]), Pick(random, Texts), random.Next(2) == 0 ? null : random.Next(), Pick(random, Times)))]);

    private static ReportSignal Reports(Random random) => random.Next(2) == 0
        ? new ReportSignal(0, null, null)
        : new ReportSignal(random.Next(1, 100), Pick(random, Times), PickEnum<Category>(random));

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static T PickEnum<T>(Random random)
        where T : struct, Enum => Pick(random, Enum.GetValues<T>());
}
