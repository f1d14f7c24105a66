using FlagApi.Appeals;

namespace FlagApi.Watches;

/// <summary>What the watch routes declare for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>).</summary>
internal sealed class WatchApiLimits : ApiDeclaration
{
    /// <summary>The access token (the appeal's form, typed in any case with spaces and dashes) or a mail's end code (hexadecimal).</summary>
    private static readonly Limit Token = new(_ => AppealSecrets.MaxTokenInputLength, Pattern: "^[A-Za-z0-9 -]+$");

    public override IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; } = new Dictionary<(Type Record, string Member), Limit>
    {
        [(typeof(WatchRequest), "kind")] = IdentifierKinds,
        [(typeof(WatchRequest), "value")] = IdentifierValue,
        [(typeof(WatchRequest), "email")] = Text(_ => WatchService.MaxEmailLength, "email"),
        [(typeof(WatchRequest), "language")] = Text(WatchService.MaxLanguageLength),
        [(typeof(WatchRequest), "statement")] = Text(AppealSubmissionService.MaxStatementLength),
        [(typeof(WatchConfirmRequest), "code")] = Text(WatchService.MaxCodeLength),
        [(typeof(WatchVerifyRequest), "verification")] = OneOf(Data.WireNames.All<Data.Verification>),
        [(typeof(WatchVerifyRequest), "note")] = Text(WatchService.MaxNoteLength),
        [(typeof(WatchRejectRequest), "reason")] = Text(WatchService.MaxReasonLength),
    };

    public override IReadOnlyDictionary<string, Limit> ParametersByName { get; } = new Dictionary<string, Limit>
    {
        [WatchEndpoints.TokenHeader] = Token,
    };

    public override IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; } = new Dictionary<(string Operation, string Parameter), Limit>
    {
        [("GetWatchQueue", "status")] = OneOf(() => WatchStatuses.All),
        [("GetWatchQueue", "pageSize")] = Number(1, WatchService.MaxPageSize),
    };
}
