namespace FlagApi.Identifiers;

/// <summary>Knobs of the identifier rules that a deployment may change.</summary>
public sealed record IdentifierOptions
{
    public static IdentifierOptions Default { get; } = new();

    /// <summary>ISO 3166 region whose national format applies to phone numbers written without a country code.</summary>
    public string DefaultPhoneRegion { get; init; } = "CN";

    /// <summary>Longest input accepted for any kind; longer input is rejected before any parsing work.</summary>
    public int MaxInputLength { get; init; } = 4096;
}
