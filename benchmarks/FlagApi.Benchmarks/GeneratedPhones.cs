using System.Globalization;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Lookup;

namespace FlagApi.Benchmarks;

/// <summary>
/// The phone list benchmarks/run.sh generates, without a database: number i is +86 13(i mod 10) (i / 10,000 mod 10,000)
/// (i mod 10,000), distinct for the first 100 million, each an active, high-risk task-brushing entry from one list.
/// </summary>
internal static class GeneratedPhones
{
    public static readonly DateTime Added = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Number <paramref name="i"/> in E.164, as the index keys it and as wrk asks for it.</summary>
    public static string Number(int i) => string.Create(CultureInfo.InvariantCulture, $"+8613{i % 10}{i / 10_000 % 10_000:D4}{i % 10_000:D4}");

    /// <summary>Number <paramref name="i"/> spelled as a police list spells it, with spaces.</summary>
    public static string Spelled(int i) => string.Create(CultureInfo.InvariantCulture, $"+86 13{i % 10} {i / 10_000 % 10_000:D4} {i % 10_000:D4}");

    /// <summary>An index holding the first <paramref name="count"/> numbers, all from the list <paramref name="label"/>.</summary>
    public static ListIndex Index(int count, string label)
    {
        IReadOnlyList<IndexedSource> sources = [new IndexedSource("list", label, 1, Added)];
        var index = new ListIndex();
        index.Reset(
            Enumerable.Range(0, count).Select(i => new IndexedEntry(
                i + 1, IdentifierKind.Phone, Number(i), Category.TaskBrushing, Risk.High, EntryStatus.Active, Added, Added, null, sources)),
            count);
        return index;
    }
}
