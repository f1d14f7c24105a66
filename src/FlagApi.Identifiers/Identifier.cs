namespace FlagApi.Identifiers;

/// <summary>The single entry point: canonicalize any kind of identifier by the rules of docs/product.md and docs/phone-numbers.md.</summary>
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

        if (FindUnacceptableCharacter(kind, input) is { } problem)
        {
            return CanonicalResult.Invalid(kind.InvalidCode(), $"The {kind.ToWire()} value {problem}.");
        }

        var result = kind switch
        {
            IdentifierKind.Phone => Phones.Canonicalize(input, options.DefaultPhoneRegion),
            IdentifierKind.Url => Urls.Canonicalize(input),
            IdentifierKind.Domain => Domains.Canonicalize(input),
            IdentifierKind.App => Apps.Canonicalize(input),
            IdentifierKind.Account => Accounts.Canonicalize(input),
            _ => CanonicalResult.Invalid("unknown_kind", $"Unknown identifier kind {kind}."),
        };

        // Escaping can make a URL up to nine times longer (例 becomes %E4%BE%8B); a canonical
        // form longer than the input limit would be refused when it is read again, so it is refused now.
        if (result.IsValid && result.Value!.Length > options.MaxInputLength)
        {
            return CanonicalResult.Invalid(
                kind.InvalidCode(),
                $"The {kind.ToWire()} value is {result.Value.Length} characters long once canonicalized; at most {options.MaxInputLength} are accepted.");
        }

        return result;
    }

    /// <summary>
    /// Control characters and broken UTF-16 are never part of an identifier a person wrote; they come
    /// from corrupted data or probing. A pasted URL may carry tabs and line breaks, which Safe
    /// Browsing canonicalization removes, so those alone are let through for URLs.
    /// </summary>
    private static string? FindUnacceptableCharacter(IdentifierKind kind, string input)
    {
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (char.IsHighSurrogate(c) && i + 1 < input.Length && char.IsLowSurrogate(input[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return $"holds a broken character (a lone UTF-16 surrogate) at position {i + 1}";
            }

            if (char.IsControl(c) && !(kind == IdentifierKind.Url && c is '\t' or '\r' or '\n'))
            {
                return $"holds the control character U+{(int)c:X4} at position {i + 1}";
            }
        }

        return null;
    }
}
