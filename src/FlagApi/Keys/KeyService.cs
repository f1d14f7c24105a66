using FlagApi.Data;
using FlagApi.Problems;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Keys;

/// <summary>Issues, lists and revokes keys, each change with an audit record, for the endpoints and the <c>keys</c> command alike.</summary>
public sealed class KeyService(FlagDbContext db, DatabaseProviderInfo database, KeyStore store, IConfiguration configuration, TimeProvider time)
{
    public const int MaxNameLength = 100;
    public const int MaxAgencyLength = 200;

    public async Task<CreatedKeyResponse> CreateAsync(CreateKeyRequest request, string actor, CancellationToken cancellationToken = default)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            throw Invalid(KeyProblemCodes.InvalidName, $"Give the key a name of 1 to {MaxNameLength} characters, saying who holds it.");
        }

        var role = request.Role?.Trim().ToLowerInvariant();
        if (!Roles.IsKnown(role))
        {
            throw Invalid(KeyProblemCodes.InvalidRole, $"The role '{request.Role}' is not one of {string.Join(", ", Roles.All)}.");
        }

        var agency = string.IsNullOrWhiteSpace(request.Agency) ? null : request.Agency.Trim();
        if (role == Roles.Publisher && (agency is null || agency.Length > MaxAgencyLength || agency.Any(char.IsControl)))
        {
            throw Invalid(KeyProblemCodes.MissingAgency, $"A publisher key is bound to one agency: give 'agency' (1 to {MaxAgencyLength} characters), e.g. 北京市公安局.");
        }

        if (role != Roles.Publisher && agency is not null)
        {
            throw Invalid(KeyProblemCodes.UnexpectedAgency, "Only publisher keys are bound to an agency; leave 'agency' out for this role.");
        }

        var tier = string.IsNullOrWhiteSpace(request.Tier) ? null : request.Tier.Trim();
        var tiers = configuration.GetSection("RateLimiting:Tiers").GetChildren().Select(c => c.Key).ToList();
        if (tier is not null && !tiers.Contains(tier, StringComparer.Ordinal))
        {
            throw Invalid(KeyProblemCodes.UnknownTier, $"The tier '{tier}' is not configured; configured tiers: {string.Join(", ", tiers)}.");
        }

        var secret = ApiKeySecrets.Generate();
        var key = await AddAsync(name, role!, agency, tier, secret, actor, cancellationToken);
        return new CreatedKeyResponse(key.Id, key.Name, key.Role, key.Agency, key.Tier, key.Prefix, secret, key.CreatedAt);
    }

    /// <summary>Stores a key whose secret the caller chose (the bootstrap admin key) or generated.</summary>
    internal async Task<ApiKey> AddAsync(string name, string role, string? agency, string? tier, string secret, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var key = new ApiKey
        {
            Name = name,
            Role = role,
            Agency = agency,
            Tier = tier,
            Prefix = ApiKeySecrets.Prefix(secret),
            KeyHash = ApiKeySecrets.Hash(secret),
            CreatedAt = now,
            CreatedBy = actor,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        db.Record(now, actor, "key.created", "key", Id(key.Id), new { key.Name, key.Role, key.Agency, key.Tier, key.Prefix });
        await db.SaveChangesAsync(cancellationToken);
        await db.NotifyAsync(KeyStore.Topic, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await store.ReloadAfterWriteAsync();
        return key;
    }

    public async Task<IReadOnlyList<KeyResponse>> ListAsync(CancellationToken cancellationToken = default)
    {
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);
        return [.. keys.Select(ToResponse)];
    }

    /// <summary>Revokes a key; it stops working in this process at once. Revoking a revoked key changes nothing.</summary>
    public async Task<KeyResponse?> RevokeAsync(long id, string actor, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (database.Dialect.LockActiveAdminKeys is { } lockAdmins)
        {
            await db.Database.ExecuteSqlRawAsync(lockAdmins, cancellationToken);
        }

        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return null;
        }

        if (key.RevokedAt is null)
        {
            if (key.Role == Roles.Admin && !await db.ApiKeys.AnyAsync(k => k.Role == Roles.Admin && k.RevokedAt == null && k.Id != id, cancellationToken))
            {
                throw new ProblemException(StatusCodes.Status409Conflict, KeyProblemCodes.LastAdminKey, "This is the last admin key",
                    "Revoking the last active admin key would leave nobody able to issue keys; issue another admin key first.");
            }

            var now = time.GetUtcNow().UtcDateTime;
            key.RevokedAt = now;
            key.RevokedBy = actor;
            db.Record(now, actor, "key.revoked", "key", Id(key.Id), new { key.Name, key.Role, key.Prefix });
            await db.SaveChangesAsync(cancellationToken);
            await db.NotifyAsync(KeyStore.Topic, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        await store.ReloadAfterWriteAsync();
        return ToResponse(key);
    }

    public Task<bool> AnyActiveAdminAsync(CancellationToken cancellationToken = default) =>
        db.ApiKeys.AnyAsync(k => k.Role == Roles.Admin && k.RevokedAt == null, cancellationToken);

    private static KeyResponse ToResponse(ApiKey k) =>
        new(k.Id, k.Name, k.Role, k.Agency, k.Tier, k.Prefix, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.RevokedBy);

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ProblemException Invalid(string code, string detail) =>
        new(StatusCodes.Status400BadRequest, code, "The key request is not valid", detail);
}
