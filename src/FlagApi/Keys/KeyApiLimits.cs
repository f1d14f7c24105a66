namespace FlagApi.Keys;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): Creating an API key.</summary>
internal sealed class KeyApiLimits : ApiDeclaration
{
    public override IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; } = new Dictionary<(Type Record, string Member), Limit>
    {
        [(typeof(CreateKeyRequest), "name")] = Text(KeyService.MaxNameLength),
        [(typeof(CreateKeyRequest), "role")] = OneOf(() => Roles.All),
        [(typeof(CreateKeyRequest), "agency")] = Text(KeyService.MaxAgencyLength),
        [(typeof(CreateKeyRequest), "tier")] = BoundByBody,
    };
}
