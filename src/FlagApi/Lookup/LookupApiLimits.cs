namespace FlagApi.Lookup;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): Lookups: a batch of identifiers, and the one looked up by URL.</summary>
internal sealed class LookupApiLimits : ApiDeclaration
{
    public override IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; } = new Dictionary<(Type Record, string Member), Limit>
    {
        [(typeof(BatchLookupRequest), "items")] = Items<LookupOptions>(o => o.MaxBatchItems),
        [(typeof(BatchLookupItem), "kind")] = IdentifierKinds,
        [(typeof(BatchLookupItem), "value")] = IdentifierValue,
    };

    public override IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; } = new Dictionary<(string Operation, string Parameter), Limit>
    {
        [("LookupOne", "value")] = IdentifierValue,
    };

    /// <summary>A batch lookup is sent as POST for its body's size; it stores nothing.</summary>
    public override IReadOnlySet<string> ReadOnlyOperations { get; } = new HashSet<string> { "LookupBatch" };
}
