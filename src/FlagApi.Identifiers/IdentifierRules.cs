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
        // 2: libphonenumber's plans (a trunk 0 after a country code dropped, impossible lengths refused).
        IdentifierKind.Phone => 2,

        // 2: an IPv4-mapped IPv6 host is its IPv4 address; numeric-looking hosts that are no IPv4 address are names.
        IdentifierKind.Url => 2,
        IdentifierKind.Domain => 2,
        IdentifierKind.App => 1,
        // 2: an account named by another country's phone number follows the phone rules.
        IdentifierKind.Account => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
