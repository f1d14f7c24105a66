namespace FlagApi.Identifiers;

/// <summary>Phone numbers to E.164 (SPEC: kind <c>phone</c>). Placeholder until the rules land.</summary>
public static class PhoneNumbers
{
    public static CanonicalResult Canonicalize(string input, string defaultRegion = "CN")
    {
        ArgumentNullException.ThrowIfNull(input);
        return CanonicalResult.Invalid("invalid_phone", "Phone rules are not implemented yet.");
    }
}
