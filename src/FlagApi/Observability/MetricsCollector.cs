using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace FlagApi.Observability;

/// <summary>
/// Listens to this application's meters and keeps running totals, so a scrape renders them in the
/// Prometheus text format. Our own exporter because OpenTelemetry's is not available to this build;
/// it aggregates only what a scrape needs: counters and up-down counters as sums, gauges as their last
/// value, histograms as cumulative buckets with their sum and count.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>Meters of ASP.NET Core and the runtime worth scraping beside our own.</summary>
    public static readonly IReadOnlySet<string> FrameworkMeterNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Runtime",
    };

    private readonly IMeterFactory meterFactory;
    private readonly bool frameworkMeters;
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<Instrument, MetricFamily> families = new();
    private readonly Lock scrape = new();

    public MetricsCollector(IMeterFactory meterFactory, IOptions<MetricsOptions> options)
    {
        this.meterFactory = meterFactory;
        frameworkMeters = options.Value.FrameworkMeters;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (Wanted(instrument) && MetricFamily.For(instrument) is { } family)
            {
                families[instrument] = family;
                l.EnableMeasurementEvents(instrument, family);
            }
        };
        listener.MeasurementsCompleted = (instrument, _) => families.TryRemove(instrument, out var _);
        listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        listener.Start();
    }

    /// <summary>Every family in the Prometheus text exposition format 0.0.4, sorted by name.</summary>
    public string Render()
    {
        lock (scrape)
        {
            // Observable instruments report when asked: clear their last values first, so a series that stopped reporting goes.
            foreach (var family in families.Values)
            {
                family.BeginObservation();
            }

            listener.RecordObservableInstruments();

            var text = new StringBuilder(8192);
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var family in families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                // Two instruments that map to one name would make the exposition invalid; the first one wins.
                if (written.Add(family.Name))
                {
                    family.WriteTo(text);
                }
            }

            return text.ToString();
        }
    }

    public void Dispose() => listener.Dispose();

    // Only this application's meters: tests host several applications in one process, each with its own meter factory.
    private bool Wanted(Instrument instrument)
    {
        var meter = instrument.Meter;
        if (meter.Name == FlagApiMetrics.MeterName)
        {
            return ReferenceEquals(meter.Scope, meterFactory);
        }

        return frameworkMeters && FrameworkMeterNames.Contains(meter.Name) && (meter.Scope is null || ReferenceEquals(meter.Scope, meterFactory));
    }
}

internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>How measurements combine: added up, the last one kept, or counted into buckets.</summary>
internal enum Aggregation
{
    Sum,
    LastValue,
    Buckets,
}

/// <summary>One instrument's series, keyed by their rendered label set.</summary>
internal sealed class MetricFamily
{
    // OpenTelemetry's default boundaries, for histograms that give no advice of their own.
    private static readonly double[] DefaultBoundaries = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly ConcurrentDictionary<string, Series> series = new(StringComparer.Ordinal);
    private readonly Aggregation aggregation;
    private readonly bool observable;
    private readonly double[] boundaries;

    private MetricFamily(string name, string help, MetricKind kind, Aggregation aggregation, bool observable, double[] boundaries)
    {
        Name = name;
        Help = help;
        Kind = kind;
        this.aggregation = aggregation;
        this.observable = observable;
        this.boundaries = boundaries;
    }

    public string Name { get; }

    public string Help { get; }

    public MetricKind Kind { get; }

    public static MetricFamily? For(Instrument instrument)
    {
        var definition = instrument.GetType().GetGenericTypeDefinition();

        // An observable counter reports its running total, so it keeps the last value like a gauge does.
        (MetricKind Kind, Aggregation Aggregation, bool Observable)? shape =
            definition == typeof(Counter<>) ? (MetricKind.Counter, Aggregation.Sum, false)
            : definition == typeof(ObservableCounter<>) ? (MetricKind.Counter, Aggregation.LastValue, true)
            : definition == typeof(UpDownCounter<>) ? (MetricKind.Gauge, Aggregation.Sum, false)
            : definition == typeof(ObservableUpDownCounter<>) ? (MetricKind.Gauge, Aggregation.LastValue, true)
            : definition == typeof(Gauge<>) ? (MetricKind.Gauge, Aggregation.LastValue, false)
            : definition == typeof(ObservableGauge<>) ? (MetricKind.Gauge, Aggregation.LastValue, true)
            : definition == typeof(Histogram<>) ? (MetricKind.Histogram, Aggregation.Buckets, false)
            : null;
        if (shape is not { } s)
        {
            return null;
        }

        var name = PrometheusText.MetricName(instrument.Name, instrument.Unit, s.Kind == MetricKind.Counter);
        var help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        return new MetricFamily(name, help, s.Kind, s.Aggregation, s.Observable, s.Kind == MetricKind.Histogram ? BoundariesOf(instrument) : []);
    }

    public void BeginObservation()
    {
        if (observable)
        {
            series.Clear();
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = PrometheusText.Labels(tags);
        var target = series.GetOrAdd(labels, _ => new Series(aggregation == Aggregation.Buckets ? boundaries.Length + 1 : 0));
        lock (target)
        {
            switch (aggregation)
            {
                case Aggregation.Sum:
                    target.Value += value;
                    break;
                case Aggregation.LastValue:
                    target.Value = value;
                    break;
                default:
                    var bucket = Array.BinarySearch(boundaries, value);
                    target.Buckets[bucket >= 0 ? bucket : ~bucket]++;
                    target.Sum += value;
                    target.Count++;
                    break;
            }
        }
    }

    public void WriteTo(StringBuilder text)
    {
        var type = Kind switch
        {
            MetricKind.Counter => "counter",
            MetricKind.Gauge => "gauge",
            _ => "histogram",
        };
        text.Append("# HELP ").Append(Name).Append(' ').Append(PrometheusText.EscapeHelp(Help)).Append('\n');
        text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, current) in series.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            lock (current)
            {
                if (Kind == MetricKind.Histogram)
                {
                    WriteHistogram(text, labels, current);
                }
                else
                {
                    PrometheusText.Sample(text, Name, labels, current.Value);
                }
            }
        }
    }

    private void WriteHistogram(StringBuilder text, string labels, Series current)
    {
        long cumulative = 0;
        for (var i = 0; i < boundaries.Length; i++)
        {
            cumulative += current.Buckets[i];
            PrometheusText.Sample(text, Name + "_bucket", PrometheusText.WithLabel(labels, "le", PrometheusText.Number(boundaries[i])), cumulative);
        }

        PrometheusText.Sample(text, Name + "_bucket", PrometheusText.WithLabel(labels, "le", "+Inf"), current.Count);
        PrometheusText.Sample(text, Name + "_sum", labels, current.Sum);
        PrometheusText.Sample(text, Name + "_count", labels, current.Count);
    }

    private static double[] BoundariesOf(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.Select(b => b),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            _ => null,
        };
        var boundaries = advised?.Where(double.IsFinite).Distinct().Order().ToArray();
        return boundaries is { Length: > 0 } ? boundaries : DefaultBoundaries;
    }

    private sealed class Series(int buckets)
    {
        public double Value;
        public double Sum;
        public long Count;
        public readonly long[] Buckets = new long[buckets];
    }
}

/// <summary>The Prometheus text exposition format 0.0.4: names, labels, escaping and numbers.</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// <c>flagapi.lookups</c> becomes <c>flagapi_lookups_total</c>: dots and other characters outside
    /// <c>[a-zA-Z0-9_:]</c> become underscores, a unit of seconds or bytes is spelled out as a suffix,
    /// and counters end in <c>_total</c>, as Prometheus's naming conventions ask.
    /// </summary>
    public static string MetricName(string instrument, string? unit, bool counter)
    {
        var name = Sanitize(instrument, allowColon: true);
        var suffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            _ => null,
        };
        if (suffix is not null && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        return counter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    /// <summary>The label set of one series, sorted by name: <c>kind="phone",verdict="flagged"</c>.</summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var sorted = tags.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder();
        foreach (var (key, value) in sorted)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(Sanitize(key, allowColon: false)).Append("=\"").Append(EscapeLabelValue(TagText(value))).Append('"');
        }

        return text.ToString();
    }

    public static string WithLabel(string labels, string name, string value) =>
        (labels.Length == 0 ? string.Empty : labels + ",") + name + "=\"" + EscapeLabelValue(value) + "\"";

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>HELP text escapes backslash and line feed only.</summary>
    public static string EscapeHelp(string help) =>
        help.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    internal static void Sample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string TagText(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }

        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }
}
