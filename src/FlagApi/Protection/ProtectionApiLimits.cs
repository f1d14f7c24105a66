namespace FlagApi.Protection;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): Protected identifiers and the overrides of a protection.</summary>
internal sealed class ProtectionApiLimits : ApiDeclaration
{
    public override IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; } = new Dictionary<(Type Record, string Member), Limit>
    {
        [(typeof(ProtectRequest), "kind")] = IdentifierKinds,
        [(typeof(ProtectRequest), "value")] = IdentifierValue,
        [(typeof(ProtectRequest), "reason")] = Text(ProtectionService.MaxReasonLength),
        [(typeof(OverrideRequest), "kind")] = IdentifierKinds,
        [(typeof(OverrideRequest), "value")] = IdentifierValue,
        [(typeof(OverrideRequest), "reason")] = Text(ProtectionService.MaxReasonLength),
    };

    public override IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; } = new Dictionary<(string Operation, string Parameter), Limit>
    {
        [("ListProtected", "limit")] = Number(1, ProtectionService.MaxPageSize),
        [("ListProtected", "after")] = Number(0, long.MaxValue),
        [("ListProtectionOverrides", "limit")] = Number(1, ProtectionService.MaxPageSize),
        [("ListProtectionOverrides", "after")] = Number(0, long.MaxValue),
        [("Unprotect", "reason")] = Text(ProtectionService.MaxReasonLength),
        [("RemoveProtectionOverride", "reason")] = Text(ProtectionService.MaxReasonLength),
    };
}
