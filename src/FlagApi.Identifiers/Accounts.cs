namespace FlagApi.Identifiers;

/// <summary>Payment and social accounts as <c>platform:id</c>. Placeholder until the rules land.</summary>
public static class Accounts
{
    public static CanonicalResult Canonicalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CanonicalResult.Invalid("invalid_account", "Account rules are not implemented yet.");
    }
}
