using FlagApi.Identifiers;
using FlagApi.Observability;

namespace FlagApi.Lookup;

/// <summary>The tags of the <c>flagapi.lookups</c> counter: a lookup's kind and verdict, as Lookup names them.</summary>
public static class LookupMetrics
{
    /// <summary>The verdict tag of a lookup whose value could not be canonicalized.</summary>
    public const string InvalidVerdict = "invalid";

    /// <summary>One lookup: its kind's wire name and verdict, or a null verdict when the value could not be looked up.</summary>
    public static void RecordLookup(this FlagApiMetrics metrics, string? kind, Verdict? verdict) =>
        metrics.RecordLookups(1, KindTag(kind, verdict), VerdictTag(verdict));

    /// <summary>A batch's items, added once per kind and verdict rather than once per item: a batch holds up to 1,000.</summary>
    public static void RecordLookups(this FlagApiMetrics metrics, IEnumerable<BatchLookupResult> results)
    {
        if (!metrics.LookupsObserved)
        {
            return;
        }

        foreach (var ((kind, verdict), count) in results.CountBy(r => (KindTag(r.Kind, r.Verdict), r.Verdict)))
        {
            metrics.RecordLookups(count, kind, VerdictTag(verdict));
        }
    }

    // A refused lookup's kind is what the caller sent: only known kinds become tag values, so callers cannot mint series.
    private static string? KindTag(string? kind, Verdict? verdict) =>
        verdict is not null ? kind : IdentifierKinds.TryParse(kind, out var parsed) ? parsed.ToWire() : "unknown";

    private static string VerdictTag(Verdict? verdict) => verdict switch
    {
        null => InvalidVerdict,
        Verdict.Flagged => "flagged",
        Verdict.Cleared => "cleared",
        _ => "clear",
    };
}
