using System.Collections.Frozen;
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
}

/// <summary>
/// The active keys by hash, in memory so that authenticating a lookup never waits on the database.
/// This process's own issues and revocations apply at once; other instances' within <see cref="KeysOptions.RefreshInterval"/>.
/// </summary>
public sealed class KeyStore(IServiceScopeFactory scopes, IOptions<KeysOptions> options, ILogger<KeyStore> logger) : BackgroundService
{
    private FrozenDictionary<string, KeyRecord> byHash = FrozenDictionary<string, KeyRecord>.Empty;

    public KeyRecord? Find(string secret) => byHash.TryGetValue(ApiKeySecrets.Hash(secret), out var key) ? key : null;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Reloads the keys after this process committed a change; see <see cref="PeriodicRefresh.AfterWriteAsync"/>.</summary>
    public Task ReloadAfterWriteAsync() => PeriodicRefresh.AfterWriteAsync(ReloadAsync, logger);

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.RevokedAt == null)
            .Select(k => new { k.KeyHash, Record = new KeyRecord(k.Id, k.Name, k.Role, k.Agency, k.Tier, k.Prefix) })
            .ToListAsync(cancellationToken);
        byHash = keys.ToFrozenDictionary(k => k.KeyHash, k => k.Record, StringComparer.Ordinal);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PeriodicRefresh.RunAsync(
        options.Value.RefreshInterval,
        ReloadAsync,
        ex => logger.LogWarning(ex, "Could not refresh API keys; the previous set stays in force"),
        stoppingToken);
}
