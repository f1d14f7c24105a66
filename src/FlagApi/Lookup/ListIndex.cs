using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Observability;

namespace FlagApi.Lookup;

/// <summary>Where an indexed entry comes from, as a lookup shows it.</summary>
public sealed record IndexedSource(string Type, string Label, long? ListId, DateTime AddedAt);

/// <summary>An entry as a lookup answers with it, read out of the index's packed records.</summary>
public sealed record IndexedEntry(
    long Id,
    IdentifierKind Kind,
    string Value,
    Category Category,
    Risk Risk,
    EntryStatus Status,
    DateTime FirstSeen,
    DateTime LastSeen,
    DateTime? ExpiresAt,
    IReadOnlyList<IndexedSource> Sources)
{
    /// <summary>An active entry stops flagging at its expiry even before a sweep marks it expired.</summary>
    public EntryStatus EffectiveStatus(DateTime now) =>
        Status == EntryStatus.Active && ExpiresAt is { } expires && expires <= now ? EntryStatus.Expired : Status;

    internal EntryFields Fields => new(Id, Kind, Category, Risk, Status, FirstSeen, LastSeen, ExpiresAt, Sources);
}

/// <summary>
/// The active and cleared entries, keyed by kind and match key. Lookups read only this (docs/product.md: a lookup
/// never waits on the database); <see cref="ListIndexFollower"/> keeps it in step with the change log
/// and is its only writer.
/// </summary>
public sealed class ListIndex : IListFigures, IServedListVersion
{
    // Superseded records are rewritten away once they outnumber the live ones (and are worth a rebuild).
    private const int MinSupersededForRebuild = 1 << 16;

    private EntryTable table = new();
    private long version;
    private volatile bool loaded;

    // Bumped after every change that may add or remove an app entry, so the listed app names are read again only then.
    private long appsGeneration;
    private ListedAppsAt? listedApps;

    public ListIndex() => Hashes = new HashIndex(this);

    /// <summary>The list version the index reflects.</summary>
    public long Version => Interlocked.Read(ref version);

    public bool IsLoaded => loaded;

    public int Count => Table.Count;

    /// <summary>The flagged entries by hash prefix, for k-anonymity lookups.</summary>
    public HashIndex Hashes { get; }

    internal EntryTable Table => Volatile.Read(ref table);

    public int CountOf(IdentifierKind kind) => Table.CountOf(kind);

    public IndexedEntry? Find(IdentifierKind kind, string key)
    {
        var current = Table;
        var record = current.Find(kind, key);
        return record < 0 ? null : Read(current, current.Record(record), key);
    }

    /// <summary>
    /// The canonical values of the active app entries, which a message is searched for (<see cref="MessageScanner"/>):
    /// an app name has no shape to find it by. Read out of the table again only after app entries changed.
    /// </summary>
    public ListedAppNames ListedApps
    {
        get
        {
            var generation = Interlocked.Read(ref appsGeneration);
            if (Volatile.Read(ref listedApps) is { } cached && cached.Generation == generation)
            {
                return cached.Names;
            }

            var current = Table;
            var names = new List<string>();
            foreach (var record in current.LiveRecords())
            {
                ref readonly var entry = ref current.Record(record);
                if (entry.Kind == (byte)IdentifierKind.App && entry.Status == (byte)EntryStatus.Active)
                {
                    names.Add(current.KeyOf(entry));
                }
            }

            var read = new ListedAppsAt(generation, ListedAppNames.From(names));
            Volatile.Write(ref listedApps, read);
            return read.Names;
        }
    }

    internal static IndexedEntry Read(EntryTable table, in PackedEntry entry, string key)
    {
        var fields = table.FieldsOf(entry);
        return new IndexedEntry(
            fields.Id, fields.Kind, key, fields.Category, fields.Risk, fields.Status, fields.FirstSeen, fields.LastSeen, fields.ExpiresAt, fields.Sources);
    }

    /// <summary>Replaces the whole index (first load, or tests).</summary>
    internal void Reset(IEnumerable<IndexedEntry> entries, long atVersion)
    {
        var loading = new EntryTable();
        foreach (var entry in entries.Where(e => e.Status is EntryStatus.Active or EntryStatus.Cleared))
        {
            loading.AppendLoaded(entry.Fields, System.Text.Encoding.UTF8.GetBytes(entry.Value));
        }

        loading.LinkPrefixes();
        Reset(loading, atVersion);
    }

    /// <summary>Replaces the whole index with a table loaded in bulk.</summary>
    internal void Reset(EntryTable loadedTable, long atVersion)
    {
        Volatile.Write(ref table, loadedTable);
        Interlocked.Exchange(ref version, atVersion);
        Interlocked.Increment(ref appsGeneration);
        loaded = true;
    }

    /// <summary>
    /// Applies the current state of changed entries; entries no longer active or cleared leave the index, and so do
    /// <paramref name="vacated"/> keys, which no entry holds any more.
    /// </summary>
    internal void Apply(IEnumerable<IndexedEntry> changed, long atVersion, IEnumerable<(IdentifierKind Kind, string Key)>? vacated = null)
    {
        var current = Table;
        var appsChanged = false;
        foreach (var (kind, key) in vacated ?? [])
        {
            current.Remove(kind, key);
            appsChanged |= kind == IdentifierKind.App;
        }

        foreach (var entry in changed)
        {
            appsChanged |= entry.Kind == IdentifierKind.App;
            if (entry.Status is EntryStatus.Active or EntryStatus.Cleared)
            {
                current.Upsert(entry.Fields, entry.Value);
            }
            else
            {
                current.Remove(entry.Kind, entry.Value);
            }
        }

        var superseded = current.RecordCount - current.Count;
        if (superseded > MinSupersededForRebuild && superseded > current.Count)
        {
            Volatile.Write(ref table, Rebuilt(current));
        }

        if (appsChanged)
        {
            Interlocked.Increment(ref appsGeneration);
        }

        if (atVersion > Version)
        {
            Interlocked.Exchange(ref version, atVersion);
        }
    }

    private sealed record ListedAppsAt(long Generation, ListedAppNames Names);

    /// <summary>A copy of the live records only; lookups keep reading the old table until the swap.</summary>
    private static EntryTable Rebuilt(EntryTable from)
    {
        var copy = new EntryTable(from.Count);
        foreach (var record in from.LiveRecords())
        {
            ref readonly var entry = ref from.Record(record);
            copy.AppendLoaded(from.FieldsOf(entry), from.KeyBytes(entry));
        }

        copy.LinkPrefixes();
        return copy;
    }
}
