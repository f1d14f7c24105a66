namespace FlagApi.Messages;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): the message to check.</summary>
internal sealed class MessageApiLimits : ApiDeclaration
{
    public override IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; } = new Dictionary<(Type Record, string Member), Limit>
    {
        [(typeof(MessageCheckRequest), "text")] = Text(MessageCheckService.MaxTextLength),
    };

    /// <summary>A message check is sent as POST for its body; it stores nothing.</summary>
    public override IReadOnlySet<string> ReadOnlyOperations { get; } = new HashSet<string> { "CheckMessage" };
}
