namespace FlagApi.Identifiers;

/// <summary>The single entry point: canonicalize any kind of identifier by the SPEC's rules.</summary>
public static class Identifier
{
    public static CanonicalResult Canonicalize(IdentifierKind kind, string? input, IdentifierOptions? options = null)
    {
        options ??= IdentifierOptions.Default;
        if (string.IsNullOrWhiteSpace(input))
        {
            return CanonicalResult.Invalid(kind.InvalidCode(), $"The {kind.ToWire()} value is empty.");
        }

        if (input.Length > options.MaxInputLength)
        {
            return CanonicalResult.Invalid(
                kind.InvalidCode(),
                $"The {kind.ToWire()} value is {input.Length} characters long; at most {options.MaxInputLength} are accepted.");
        }

        return kind switch
        {
            IdentifierKind.Phone => PhoneNumbers.Canonicalize(input, options.DefaultPhoneRegion),
            IdentifierKind.Url => Urls.Canonicalize(input),
            IdentifierKind.Domain => Domains.Canonicalize(input),
            IdentifierKind.App => Apps.Canonicalize(input),
            IdentifierKind.Account => Accounts.Canonicalize(input),
            _ => CanonicalResult.Invalid("unknown_kind", $"Unknown identifier kind {kind}."),
        };
    }
}
