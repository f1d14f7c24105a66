namespace FlagApi.Keys;

/// <summary><c>POST /v1/keys</c>: a publisher key names its agency; <c>tier</c> picks a rate-limit tier other than the role's.</summary>
public sealed record CreateKeyRequest(string? Name, string? Role, string? Agency, string? Tier);

/// <summary>A new key; <see cref="Key"/> is the secret, shown this once and never again.</summary>
public sealed record CreatedKeyResponse(long Id, string Name, string Role, string? Agency, string? Tier, string Prefix, string Key, DateTime CreatedAt);

public sealed record KeyResponse(
    long Id, string Name, string Role, string? Agency, string? Tier, string Prefix, DateTime CreatedAt, string CreatedBy, DateTime? RevokedAt, string? RevokedBy);

public sealed record KeyListResponse(IReadOnlyList<KeyResponse> Keys);
