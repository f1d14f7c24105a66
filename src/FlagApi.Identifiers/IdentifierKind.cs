namespace FlagApi.Identifiers;

/// <summary>The five kinds of identifier FlagApi knows (docs/product.md, identifier kinds).</summary>
public enum IdentifierKind
{
    Phone,
    Url,
    Domain,
    App,
    Account,
}

public static class IdentifierKinds
{
    public static IReadOnlyList<IdentifierKind> All { get; } =
        [IdentifierKind.Phone, IdentifierKind.Url, IdentifierKind.Domain, IdentifierKind.App, IdentifierKind.Account];

    /// <summary>The names used on the wire, in the database and in list files.</summary>
    public static IReadOnlyList<string> WireNames { get; } = ["phone", "url", "domain", "app", "account"];

    /// <summary>What a caller is told for a kind name that is not one of <see cref="WireNames"/>, by the service and the client alike.</summary>
    public static string UnknownKindDetail(string? name) => $"'{name}' is not an identifier kind; use one of: {string.Join(", ", WireNames)}.";

    public static string ToWire(this IdentifierKind kind) => kind switch
    {
        IdentifierKind.Phone => "phone",
        IdentifierKind.Url => "url",
        IdentifierKind.Domain => "domain",
        IdentifierKind.App => "app",
        IdentifierKind.Account => "account",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses a wire name exactly (lowercase, no padding): kinds are part of the contract, not free text.</summary>
    public static bool TryParse(string? text, out IdentifierKind kind)
    {
        switch (text)
        {
            case "phone": kind = IdentifierKind.Phone; return true;
            case "url": kind = IdentifierKind.Url; return true;
            case "domain": kind = IdentifierKind.Domain; return true;
            case "app": kind = IdentifierKind.App; return true;
            case "account": kind = IdentifierKind.Account; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>The stable problem code for a value of this kind that cannot be canonicalized.</summary>
    public static string InvalidCode(this IdentifierKind kind) => "invalid_" + kind.ToWire();
}
