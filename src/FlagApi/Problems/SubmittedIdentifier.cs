using FlagApi.Identifiers;

namespace FlagApi.Problems;

/// <summary>An identifier a caller submits (a report, an appeal): its kind and canonical form, or the problem that refuses it (for the caller to throw).</summary>
internal static class SubmittedIdentifier
{
    /// <param name="missingValueDetail">What a blank value is told, naming what the caller was doing.</param>
    public static (IdentifierKind Kind, string Canonical, ProblemException? Problem) Read(
        string? kindName, string? value, string missingValueDetail, IdentifierOptions options)
    {
        if (!IdentifierKinds.TryParse(kindName, out var kind))
        {
            return (default, string.Empty, ProblemException.BadRequest(ProblemCodes.UnknownKind, IdentifierKinds.UnknownKindDetail(kindName)));
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return (kind, string.Empty, ProblemException.BadRequest(ProblemCodes.MissingValue, missingValueDetail));
        }

        var canonical = Identifier.Canonicalize(kind, value, options);
        return canonical.IsValid
            ? (kind, canonical.Value!, null)
            : (kind, string.Empty, ProblemException.BadRequest(canonical.ErrorCode!, canonical.ErrorDetail!));
    }

    /// <summary>A time cut to whole microseconds, as PostgreSQL keeps it, so what is answered now is what every later read shows.</summary>
    public static DateTime WholeMicroseconds(DateTime time) => time.AddTicks(-(time.Ticks % 10));
}
