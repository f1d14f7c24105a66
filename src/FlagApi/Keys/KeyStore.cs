using System.Collections.Frozen;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FlagApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Keys;

/// <summary>An active key as requests are authenticated against it.</summary>
public sealed record KeyRecord(long Id, string Name, string Role, string? Agency, string? Tier, string Prefix);

public sealed class KeysOptions
{
    public const string Section = "Keys";

    /// <summary>How often keys issued or revoked by another instance are read from the database.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How soon after one read of the keys an unknown key may cause another (see <see cref="KeyStore.FindAsync"/>): a
    /// flood of made-up keys costs at most one read of the keys table per this interval.
    /// </summary>
    public TimeSpan UnknownKeyReadInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// The active keys, in memory so that authenticating a lookup never waits on the database.
/// This process's own issues and revocations apply at once; other instances' when their change notice is heard, and
/// within <see cref="KeysOptions.RefreshInterval"/> when it is not.
/// </summary>
public sealed class KeyStore(IServiceScopeFactory scopes, IOptions<KeysOptions> options, DatabaseStartup startup, ILogger<KeyStore> logger) : BackgroundService, IChangeFollower
{
    // Completes when the first load has run; the refresh loop starts after it (at once, unless the start waits for the database).
    private Task loaded = Task.CompletedTask;

    /// <summary>The topic of the change notice a key issued or revoked sends.</summary>
    public const string Topic = "keys";

    private readonly SemaphoreSlim unknownKeyRead = new(1, 1);

    // One read at a time, so that a read which began earlier cannot replace the keys a later one found.
    private readonly SemaphoreSlim reading = new(1, 1);

    private readonly RefreshSignal changed = new();

    private FrozenDictionary<string, StoredKey[]> byPrefix = FrozenDictionary<string, StoredKey[]>.Empty;

    private long unknownKeyReadAt;

    /// <summary>
    /// The active key whose hash is the presented secret's. Candidates are found by the key's prefix, which is
    /// public (lists and support show it); the hashes are then compared in constant time, so how long a refusal
    /// takes says nothing about how close a guess came to a stored hash.
    /// </summary>
    public KeyRecord? Find(string secret) => Find(secret, byPrefix);

    /// <summary>
    /// <see cref="Find(string)"/> for a request on a connection whose <paramref name="items"/> outlive the request. A client
    /// sends the same key request after request on one keep-alive connection, so the key found is kept with the
    /// connection and given again, without hashing the secret anew, while the same set of keys is in force (any key issued,
    /// revoked or read again replaces the set). The secret is compared in constant time: behind a proxy one connection can
    /// carry several clients' requests.
    /// </summary>
    public KeyRecord? Find(string secret, IDictionary<object, object?>? items)
    {
        var keys = byPrefix;
        if (items is not null && items.TryGetValue(typeof(ConnectionKey), out var held) && held is ConnectionKey kept
            && ReferenceEquals(kept.Keys, keys) && SameText(kept.Secret, secret))
        {
            return kept.Record;
        }

        var found = Find(secret, keys);
        if (found is not null && items is not null)
        {
            items[typeof(ConnectionKey)] = new ConnectionKey(secret, found, keys);
        }

        return found;
    }

    /// <summary>
    /// Whether two texts are the same, in a time that depends on their length only: every 8 bytes are compared whatever
    /// the ones before held. <see cref="CryptographicOperations.FixedTimeEquals"/> does the same a byte at a time, with
    /// the JIT's optimizations off, which cost an authenticated lookup more than the rest of its key check.
    /// </summary>
    private static bool SameText(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        var x = MemoryMarshal.AsBytes(a.AsSpan());
        var y = MemoryMarshal.AsBytes(b.AsSpan());
        ulong difference = 0;
        var at = 0;
        for (; at + sizeof(ulong) <= x.Length; at += sizeof(ulong))
        {
            difference |= MemoryMarshal.Read<ulong>(x[at..]) ^ MemoryMarshal.Read<ulong>(y[at..]);
        }

        for (; at < x.Length; at++)
        {
            difference |= (uint)(x[at] ^ y[at]);
        }

        return difference == 0;
    }

    /// <summary>The key a connection's last request presented, found among <see cref="Keys"/>.</summary>
    private sealed record ConnectionKey(string Secret, KeyRecord Record, FrozenDictionary<string, StoredKey[]> Keys);

    private static KeyRecord? Find(string secret, FrozenDictionary<string, StoredKey[]> byPrefix)
    {
        var prefix = ApiKeySecrets.Prefix(secret);
        var prefixed = byPrefix.GetValueOrDefault(prefix);

        // Operator-chosen keys stored before their prefix was shortened to 4 characters carry the first 11.
        var legacy = secret.Length > ApiKeySecrets.PrefixLength && !secret.StartsWith(prefix, StringComparison.Ordinal)
            ? byPrefix.GetValueOrDefault(secret[..ApiKeySecrets.PrefixLength])
            : null;
        if (prefixed is null && legacy is null)
        {
            return null;
        }

        Span<byte> presented = stackalloc byte[ApiKeySecrets.HashBytes];
        ApiKeySecrets.Hash(secret, presented);
        return Match(presented, prefixed) ?? Match(presented, legacy);
    }

    /// <summary>
    /// <see cref="Find"/>, reading the keys again first when none matches, so that a key just issued by the <c>keys</c>
    /// command or another instance works at once rather than after <see cref="KeysOptions.RefreshInterval"/> (a script
    /// that creates a key and uses it on its next line). One read at a time serves every caller waiting for it, and
    /// unknown keys cause at most one read per <see cref="KeysOptions.UnknownKeyReadInterval"/>; while the database
    /// cannot be read, the keys in memory stay in force.
    /// </summary>
    public async ValueTask<KeyRecord?> FindAsync(string secret, CancellationToken cancellationToken)
    {
        if (Find(secret) is { } known)
        {
            return known;
        }

        var arrivedAfter = Volatile.Read(ref unknownKeyReadAt);
        await unknownKeyRead.WaitAsync(cancellationToken);
        try
        {
            // A read that started after this caller arrived has seen every key issued before it; otherwise read now,
            // unless the last read is too recent.
            var last = Volatile.Read(ref unknownKeyReadAt);
            if (last == arrivedAfter && (last == 0 || Stopwatch.GetElapsedTime(last) >= options.Value.UnknownKeyReadInterval))
            {
                Volatile.Write(ref unknownKeyReadAt, Stopwatch.GetTimestamp());
                await ReloadAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
        {
            logger.LogDebug("An unknown key could not be checked against the database ({Reason})", DatabaseFailures.Describe(ex));
        }
        finally
        {
            unknownKeyRead.Release();
        }

        return Find(secret);
    }

    private static KeyRecord? Match(ReadOnlySpan<byte> presented, StoredKey[]? candidates)
    {
        KeyRecord? found = null;
        foreach (var candidate in candidates ?? [])
        {
            if (CryptographicOperations.FixedTimeEquals(presented, candidate.Hash))
            {
                found = candidate.Record;
            }
        }

        return found;
    }

    public string ChangeTopic => Topic;

    public void Heard(string? detail) => changed.Raise();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        loaded = await startup.StartOrDeferAsync("API keys", ReloadAsync, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        unknownKeyRead.Dispose();
        reading.Dispose();
        base.Dispose();
    }

    /// <summary>Reloads the keys after this process committed a change; see <see cref="PeriodicRefresh.AfterWriteAsync"/>.</summary>
    public Task ReloadAfterWriteAsync() => PeriodicRefresh.AfterWriteAsync(ReloadAsync, logger);

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await reading.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var keys = await db.ApiKeys.AsNoTracking()
                .Where(k => k.RevokedAt == null)
                .Select(k => new { k.KeyHash, Record = new KeyRecord(k.Id, k.Name, k.Role, k.Agency, k.Tier, k.Prefix) })
                .ToListAsync(cancellationToken);
            byPrefix = keys
                .GroupBy(k => k.Record.Prefix, StringComparer.Ordinal)
                .ToFrozenDictionary(g => g.Key, g => g.Select(k => new StoredKey(Convert.FromHexString(k.KeyHash), k.Record)).ToArray(), StringComparer.Ordinal);
        }
        finally
        {
            reading.Release();
        }
    }

    private sealed record StoredKey(byte[] Hash, KeyRecord Record);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PeriodicRefresh.RunAsync(
        options.Value.RefreshInterval,
        ReloadAsync,
        ex => logger.LogWarning(ex, "Could not refresh API keys; the previous set stays in force"),
        stoppingToken,
        changed,
        after: loaded);
}
