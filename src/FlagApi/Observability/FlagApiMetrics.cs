using System.Diagnostics.Metrics;
using FlagApi.Data;
using FlagApi.Identifiers;

namespace FlagApi.Observability;

/// <summary>What the database said at the last refresh of <see cref="DatabaseFiguresRefresher"/>.</summary>
/// <param name="OpenAppeals">Open appeals by status (submitted, in_review, needs_info).</param>
public sealed record DatabaseFigures(long ListVersion, IReadOnlyDictionary<AppealStatus, long> OpenAppeals, long OverdueAppeals, DateTimeOffset At);

/// <summary>
/// What the in-memory list index holds, read by the gauges at each scrape. The lookup capability's index is this and
/// registers itself as it, so that Observability does not use Lookup (Lookup records its lookups here).
/// </summary>
public interface IListFigures
{
    /// <summary>The list version the index reflects.</summary>
    long Version { get; }

    /// <summary>The entries of a kind held in memory, active and cleared.</summary>
    int CountOf(IdentifierKind kind);
}

/// <summary>
/// The service's own meter. Counters are recorded where the work happens; the gauges read the in-memory
/// index, or the figures the refresher last read from the database, so a scrape never queries the database.
/// </summary>
public sealed class FlagApiMetrics
{
    public const string MeterName = "FlagApi";

    private static readonly AppealStatus[] OpenStatuses = [AppealStatus.Submitted, AppealStatus.InReview, AppealStatus.NeedsInfo];

    private readonly IListFigures index;
    private readonly Counter<long> lookups;
    private readonly Counter<long> rateLimitRefusals;
    private readonly Counter<long> rateLimitFallbacks;
    private readonly Counter<long> notifications;
    private readonly ObservableGauge<long> appealsOpen;
    private readonly ObservableGauge<long> appealsOverdue;
    private readonly ObservableGauge<long> versionLag;
    private volatile DatabaseFigures? figures;

    public FlagApiMetrics(IMeterFactory meters, IListFigures index)
    {
        this.index = index;
        var meter = meters.Create(MeterName);
        lookups = meter.CreateCounter<long>(
            "flagapi.lookups", "{lookup}",
            "Lookups answered, by identifier kind and verdict (flagged, cleared, clear, or invalid when the value could not be read); each item of a batch counts once.");
        rateLimitRefusals = meter.CreateCounter<long>(
            "flagapi.ratelimit.refusals", "{request}",
            "Requests refused with 429 because the caller had spent its budget, by budget (lookup, write, appeal, report) and tier.");
        rateLimitFallbacks = meter.CreateCounter<long>(
            "flagapi.ratelimit.fallbacks", "{request}",
            "Requests this instance counted against its own budgets because Redis (ConnectionStrings:Redis) was unreachable, failed or too slow.");
        notifications = meter.CreateCounter<long>(
            "flagapi.notifications", "{message}",
            "Outbox deliveries attempted by this instance, by channel (email, sms) and outcome (sent; retry, when it failed and is tried again later; failed, when it was given up).");
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

    /// <summary>Whether anyone listens to the lookup counter: a batch's tags are only worth counting then.</summary>
    public bool LookupsObserved => lookups.Enabled;

    /// <summary>Lookups answered with one kind tag and verdict tag; the lookup capability chooses the tags.</summary>
    public void RecordLookups(long count, string? kind, string verdict) =>
        lookups.Add(count, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("verdict", verdict));

    public void RecordRateLimitRefusal(string budget, string tier) =>
        rateLimitRefusals.Add(1, new KeyValuePair<string, object?>("budget", budget), new KeyValuePair<string, object?>("tier", tier));

    public void RecordRateLimitFallback() => rateLimitFallbacks.Add(1);

    /// <summary>One delivery attempt; never the recipient, which is personal data.</summary>
    public void RecordNotification(string channel, string outcome) =>
        notifications.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", outcome));

    internal void Update(DatabaseFigures latest) => figures = latest;

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
