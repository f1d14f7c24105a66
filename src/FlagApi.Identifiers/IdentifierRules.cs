namespace FlagApi.Identifiers;

/// <summary>
/// Which version of the rules makes each kind's keys. A change to a kind's rules that gives a key someone may have stored
/// a different key, or none, raises that kind's version in the same change: a service whose database holds keys made by
/// an older version re-keys them when it migrates, and one whose keys were made by a newer version refuses to start.
/// </summary>
/// <remarks>
/// Re-keying reads each stored key again with <see cref="Identifier.Canonicalize"/>, so a version may only be raised
/// where canonical output of the old rules, read by the new ones, gives the new key.
/// </remarks>
public static class IdentifierRules
{
    public static int Version(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Phone => 1,
        IdentifierKind.Url => 1,
        IdentifierKind.Domain => 1,
        IdentifierKind.App => 1,
        IdentifierKind.Account => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
