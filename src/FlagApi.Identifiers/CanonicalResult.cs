namespace FlagApi.Identifiers;

/// <summary>
/// The outcome of canonicalizing one input: either the canonical form, or a stable machine-readable
/// code with a sentence a person can act on. Canonicalizers never throw on user input.
/// </summary>
public readonly record struct CanonicalResult
{
    private CanonicalResult(string? value, string? errorCode, string? errorDetail)
    {
        Value = value;
        ErrorCode = errorCode;
        ErrorDetail = errorDetail;
    }

    public string? Value { get; }

    public string? ErrorCode { get; }

    public string? ErrorDetail { get; }

    public bool IsValid => Value is not null;

    public static CanonicalResult Ok(string value) => new(value, null, null);

    public static CanonicalResult Invalid(string code, string detail) => new(null, code, detail);

    public override string ToString() => IsValid ? Value! : $"{ErrorCode}: {ErrorDetail}";
}
