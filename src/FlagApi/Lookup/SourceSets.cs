namespace FlagApi.Lookup;

/// <summary>
/// The distinct source lists entries have, each stored once: a police list of a million rows gives a million
/// entries one and the same source, so an entry holds a number, not a list.
/// </summary>
internal sealed class SourceSets
{
    private readonly Dictionary<IndexedSource, int> singles = [];
    private readonly Dictionary<string, int> multiples = new(StringComparer.Ordinal);
    private IReadOnlyList<IndexedSource>[] sets = [Array.Empty<IndexedSource>()];
    private int count = 1;

    public int Count => count;

    public IReadOnlyList<IndexedSource> Get(int id) => Volatile.Read(ref sets)[id];

    /// <summary>The number of an equal set, adding it first if it is new. Writer only.</summary>
    public int Intern(IReadOnlyList<IndexedSource> sources)
    {
        switch (sources.Count)
        {
            case 0:
                return 0;
            case 1:
                if (!singles.TryGetValue(sources[0], out var single))
                {
                    singles[sources[0]] = single = Add([sources[0]]);
                }

                return single;
            default:
                var signature = string.Join('\u001f', sources.Select(s => $"{s.Type}\u001e{s.Label}\u001e{s.ListId}\u001e{s.AddedAt.Ticks}"));
                if (!multiples.TryGetValue(signature, out var multiple))
                {
                    multiples[signature] = multiple = Add([.. sources]);
                }

                return multiple;
        }
    }

    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(count);
        for (var id = 1; id < count; id++)
        {
            var set = sets[id];
            writer.Write(set.Count);
            foreach (var source in set)
            {
                writer.Write(source.Type);
                writer.Write(source.Label);
                writer.Write(source.ListId ?? -1);
                writer.Write(source.AddedAt.Ticks);
            }
        }
    }

    /// <summary>Replaces the sets with those <see cref="WriteTo"/> wrote, keeping their numbers.</summary>
    public void ReadFrom(BinaryReader reader)
    {
        var total = reader.ReadInt32();
        if (total < 1)
        {
            throw new InvalidDataException($"The snapshot holds {total} source sets.");
        }

        for (var id = 1; id < total; id++)
        {
            var size = reader.ReadInt32();
            var set = new IndexedSource[size];
            for (var i = 0; i < size; i++)
            {
                var type = reader.ReadString();
                var label = reader.ReadString();
                var listId = reader.ReadInt64();
                set[i] = new IndexedSource(type, label, listId < 0 ? null : listId, new DateTime(reader.ReadInt64(), DateTimeKind.Utc));
            }

            var interned = Intern(set);
            if (interned != id)
            {
                throw new InvalidDataException($"Source set {id} of the snapshot repeats set {interned}.");
            }
        }
    }

    private int Add(IReadOnlyList<IndexedSource> set)
    {
        var current = sets;
        if (count == current.Length)
        {
            var grown = new IReadOnlyList<IndexedSource>[current.Length * 2];
            current.CopyTo(grown, 0);
            current = grown;
        }

        current[count] = set;
        Volatile.Write(ref sets, current);
        return count++;
    }
}
