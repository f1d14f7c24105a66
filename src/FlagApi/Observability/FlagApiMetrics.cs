using System.Diagnostics;
using System.Diagnostics.Metrics;
using FlagApi.Data;
using FlagApi.Appeals;
using FlagApi.Identifiers;
using FlagApi.Lookup;

namespace FlagApi.Observability;

/// <summary>What the database said at the last refresh of <see cref="DatabaseFiguresRefresher"/>.</summary>
/// <param name="OpenAppeals">Open appeals by status (submitted, in_review, needs_info).</param>
public sealed record DatabaseFigures(long ListVersion, IReadOnlyDictionary<AppealStatus, long> OpenAppeals, long OverdueAppeals, DateTimeOffset At);

/// <summary>
/// The service's own meter. Counters are recorded where the work happens; the gauges read the in-memory
/// index, or the figures the refresher last read from the database, so a scrape never queries the database.
/// </summary>
public sealed class FlagApiMetrics
{
    public const string MeterName = "FlagApi";

    /// <summary>The verdict tag of a lookup whose value could not be canonicalized.</summary>
    public const string InvalidVerdict = "invalid";

    private static readonly AppealStatus[] OpenStatuses = [AppealStatus.Submitted, AppealStatus.InReview, AppealStatus.NeedsInfo];

    private readonly ListIndex index;
    private readonly Counter<long> lookups;
    private readonly Counter<long> rateLimitRefusals;
    private readonly ObservableGauge<long> appealsOpen;
    private readonly ObservableGauge<long> appealsOverdue;
    private readonly ObservableGauge<long> versionLag;
    private volatile DatabaseFigures? figures;

    public FlagApiMetrics(IMeterFactory meters, ListIndex index)
    {
        this.index = index;
        var meter = meters.Create(MeterName);
        lookups = meter.CreateCounter<long>(
            "flagapi.lookups", "{lookup}",
            "Lookups answered, by identifier kind and verdict (flagged, cleared, clear, or invalid when the value could not be read); each item of a batch counts once.");
        rateLimitRefusals = meter.CreateCounter<long>(
            "flagapi.ratelimit.refusals", "{request}",
            "Requests refused with 429 because the caller had spent its budget, by budget (lookup, write, appeal, report) and tier.");
        meter.CreateObservableGauge(
            "flagapi.list.entries", ObserveEntries, "{entry}",
            "Entries this instance holds in memory (active and cleared), by identifier kind.");
        meter.CreateObservableGauge(
            "flagapi.list.version", () => index.Version, "{version}",
            "The list version this instance answers lookups from.");
        versionLag = meter.CreateObservableGauge(
            "flagapi.list.version_lag", ObserveLag, "{version}",
            "List versions in the database that this instance has not applied yet, as of the last database refresh.");
        appealsOpen = meter.CreateObservableGauge(
            "flagapi.appeals.open", ObserveOpenAppeals, "{appeal}",
            "Open appeals by status (submitted, in_review, needs_info), as of the last database refresh.");
        appealsOverdue = meter.CreateObservableGauge(
            "flagapi.appeals.overdue", ObserveOverdueAppeals, "{appeal}",
            "Open appeals past their due time, as of the last database refresh.");
    }

    /// <summary>Whether anyone (the /metrics exporter, dotnet-counters) listens to the gauges that need database figures.</summary>
    public bool DatabaseFiguresObserved => appealsOpen.Enabled || appealsOverdue.Enabled || versionLag.Enabled;

    /// <summary>One lookup: its kind's wire name and verdict, or a null verdict when the value could not be looked up.</summary>
    public void RecordLookup(string? kind, Verdict? verdict) => lookups.Add(1, LookupTags(kind, verdict));

    /// <summary>A batch's items, added once per kind and verdict rather than once per item: a batch holds up to 1,000.</summary>
    public void RecordLookups(IEnumerable<BatchLookupResult> results)
    {
        if (!lookups.Enabled)
        {
            return;
        }

        foreach (var ((kind, verdict), count) in results.CountBy(r => (r.Verdict is null ? KindTag(r.Kind) : r.Kind, r.Verdict)))
        {
            lookups.Add(count, LookupTags(kind, verdict));
        }
    }

    public void RecordRateLimitRefusal(string budget, string tier) =>
        rateLimitRefusals.Add(1, new KeyValuePair<string, object?>("budget", budget), new KeyValuePair<string, object?>("tier", tier));

    internal void Update(DatabaseFigures latest) => figures = latest;

    // A refused lookup's kind is what the caller sent: only known kinds become tag values, so callers cannot mint series.
    private static TagList LookupTags(string? kind, Verdict? verdict) => new()
    {
        { "kind", verdict is null ? KindTag(kind) : kind },
        { "verdict", VerdictTag(verdict) },
    };

    private static string VerdictTag(Verdict? verdict) => verdict switch
    {
        null => InvalidVerdict,
        Verdict.Flagged => "flagged",
        Verdict.Cleared => "cleared",
        _ => "clear",
    };

    private static string KindTag(string? kind) => IdentifierKinds.TryParse(kind, out var parsed) ? parsed.ToWire() : "unknown";

    private IEnumerable<Measurement<long>> ObserveEntries()
    {
        foreach (var kind in IdentifierKinds.All)
        {
            yield return new Measurement<long>(index.CountOf(kind), new KeyValuePair<string, object?>("kind", kind.ToWire()));
        }
    }

    // The index's version is read now and the database's at the last refresh: an index that caught up since shows no lag, never a negative one.
    private IEnumerable<Measurement<long>> ObserveLag() =>
        figures is { } f ? [new Measurement<long>(Math.Max(0, f.ListVersion - index.Version))] : [];

    private IEnumerable<Measurement<long>> ObserveOpenAppeals()
    {
        if (figures is not { } f)
        {
            yield break;
        }

        foreach (var status in OpenStatuses)
        {
            yield return new Measurement<long>(
                f.OpenAppeals.GetValueOrDefault(status), new KeyValuePair<string, object?>("status", AppealStatusTag(status)));
        }
    }

    private IEnumerable<Measurement<long>> ObserveOverdueAppeals() =>
        figures is { } f ? [new Measurement<long>(f.OverdueAppeals)] : [];

    private static string AppealStatusTag(AppealStatus status) => status switch
    {
        AppealStatus.Submitted => "submitted",
        AppealStatus.InReview => "in_review",
        _ => "needs_info",
    };
}
