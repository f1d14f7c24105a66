namespace FlagApi.Identifiers;

/// <summary>App display names and package ids. Placeholder until the rules land.</summary>
public static class Apps
{
    public static CanonicalResult Canonicalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CanonicalResult.Invalid("invalid_app", "App rules are not implemented yet.");
    }
}
