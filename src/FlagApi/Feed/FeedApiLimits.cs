namespace FlagApi.Feed;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): The feed of changes: where to start, how many, how long to wait.</summary>
internal sealed class FeedApiLimits : ApiDeclaration
{
    public override IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; } = new Dictionary<(string Operation, string Parameter), Limit>
    {
        [("FeedChanges", "since")] = Number(0, long.MaxValue),
        [("FeedChanges", "limit")] = Number(1, FeedOptions.MaxLimit),
        [("FeedChanges", "wait")] = Number<FeedOptions>(0, o => o.MaxWaitSeconds),
        [("FeedPrefixes", "state")] = Text(FeedOptions.MaxPrefixStateLength),
        [("FeedPrefixes", "maxEntries")] = Number(1, FeedOptions.MaxPrefixEntries),
    };
}
