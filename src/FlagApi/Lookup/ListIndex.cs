using System.Collections.Concurrent;
using FlagApi.Entries;
using FlagApi.Hashes;
using FlagApi.Identifiers;

namespace FlagApi.Lookup;

/// <summary>Where an indexed entry comes from, as a lookup shows it.</summary>
public sealed record IndexedSource(string Type, string Label, long? ListId, DateTime AddedAt);

/// <summary>An entry as the in-memory index holds it: everything a lookup answers with.</summary>
public sealed record IndexedEntry(
    long Id,
    IdentifierKind Kind,
    string Value,
    string Display,
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
}

/// <summary>
/// The active and cleared entries, keyed by kind and match key. Lookups read only this (SPEC: "Lookups
/// never wait on the database"); <see cref="ListIndexFollower"/> keeps it in step with the change log.
/// </summary>
public sealed class ListIndex
{
    private readonly ConcurrentDictionary<string, IndexedEntry>[] byKind =
        [.. IdentifierKinds.All.Select(_ => new ConcurrentDictionary<string, IndexedEntry>(StringComparer.Ordinal))];

    private long version;
    private volatile bool loaded;

    /// <summary>The list version the index reflects.</summary>
    public long Version => Interlocked.Read(ref version);

    public bool IsLoaded => loaded;

    public int Count => byKind.Sum(d => d.Count);

    public IndexedEntry? Find(IdentifierKind kind, string key) =>
        byKind[(int)kind].TryGetValue(key, out var entry) ? entry : null;

    public int CountOf(IdentifierKind kind) => byKind[(int)kind].Count;

    /// <summary>The flagged entries by hash prefix, for k-anonymity lookups; kept in step by <see cref="Reset"/> and <see cref="Apply"/>.</summary>
    public HashIndex Hashes { get; } = new();

    /// <summary>Replaces the whole index (first load).</summary>
    internal void Reset(IEnumerable<IndexedEntry> entries, long atVersion)
    {
        foreach (var dictionary in byKind)
        {
            dictionary.Clear();
        }

        var all = entries as IReadOnlyCollection<IndexedEntry> ?? [.. entries];
        foreach (var entry in all)
        {
            byKind[(int)entry.Kind][entry.Value] = entry;
        }

        Hashes.Reset(all);
        Interlocked.Exchange(ref version, atVersion);
        loaded = true;
    }

    /// <summary>Applies the current state of changed entries; entries no longer active or cleared leave the index.</summary>
    internal void Apply(IEnumerable<IndexedEntry> changed, long atVersion)
    {
        foreach (var entry in changed)
        {
            var dictionary = byKind[(int)entry.Kind];
            if (entry.Status is EntryStatus.Active or EntryStatus.Cleared)
            {
                dictionary[entry.Value] = entry;
            }
            else
            {
                dictionary.TryRemove(entry.Value, out _);
            }

            Hashes.Apply(entry);
        }

        if (atVersion > Version)
        {
            Interlocked.Exchange(ref version, atVersion);
        }
    }
}
