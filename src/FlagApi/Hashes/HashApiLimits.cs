using FlagApi.Identifiers;

namespace FlagApi.Hashes;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): Hash-prefix lookups: the prefixes and the padding header.</summary>
internal sealed class HashApiLimits : ApiDeclaration
{
    private static readonly Limit HashPrefix = new(_ => IdentifierHash.PrefixLength, Pattern: $"^[0-9a-fA-F]{{{IdentifierHash.PrefixLength}}}$");

    public override IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; } = new Dictionary<(Type Record, string Member), Limit>
    {
        // A prefix that is not one is an error in its place in the answer, not a 400 for the batch.
        [(typeof(HashBatchRequest), "prefixes")] = Items<HashesOptions>(o => o.MaxPrefixes) with { Each = HashPrefix },
    };

    public override IReadOnlyDictionary<string, Limit> ParametersByName { get; } = new Dictionary<string, Limit>
    {
        [HashEndpoints.PaddingHeader] = Boolean,
    };

    public override IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; } = new Dictionary<(string Operation, string Parameter), Limit>
    {
        [("HashesForPrefix", "prefix")] = HashPrefix,
    };

    /// <summary>Prefixes are sent as POST for their number; nothing is stored.</summary>
    public override IReadOnlySet<string> ReadOnlyOperations { get; } = new HashSet<string> { "HashesForPrefixes" };
}
