using System.Diagnostics.Metrics;
using FlagApi.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests.Observability;

public sealed class PrometheusTextTests : IDisposable
{
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MetricsCollector collector;
    private readonly Meter meter;

    public PrometheusTextTests()
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        collector = new MetricsCollector(factory, Options.Create(new MetricsOptions { FrameworkMeters = false }));
        meter = factory.Create(FlagApiMetrics.MeterName);
    }

    public void Dispose()
    {
        collector.Dispose();
        services.Dispose();
    }

    [Theory]
    [InlineData("flagapi.lookups", "{lookup}", true, "flagapi_lookups_total")]
    [InlineData("flagapi.list.version_lag", "{version}", false, "flagapi_list_version_lag")]
    [InlineData("http.server.request.duration", "s", false, "http_server_request_duration_seconds")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", true, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("jobs.done_total", null, true, "jobs_done_total")]
    [InlineData("9lives-métrique", null, false, "_9lives_m_trique")]
    public void InstrumentNamesBecomePrometheusNames(string instrument, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(instrument, unit, counter));

    [Fact]
    public void LabelValuesEscapeBackslashQuoteAndLineFeed()
    {
        meter.CreateCounter<long>("flagapi.test.things", description: "Things,\nwith a \\ in the help").Add(
            2, new KeyValuePair<string, object?>("zone", "a\"b\\c\nd"), new KeyValuePair<string, object?>("http.route", "/v1/{kind}"));

        var text = collector.Render();

        Assert.Contains("# HELP flagapi_test_things_total Things,\\nwith a \\\\ in the help\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE flagapi_test_things_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("flagapi_test_things_total{http_route=\"/v1/{kind}\",zone=\"a\\\"b\\\\c\\nd\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CountersAddUpAcrossTagOrdersAndUpDownCountersBecomeGauges()
    {
        var counter = meter.CreateCounter<long>("flagapi.test.lookups");
        counter.Add(1, new KeyValuePair<string, object?>("kind", "phone"), new KeyValuePair<string, object?>("verdict", "clear"));
        counter.Add(2, new KeyValuePair<string, object?>("verdict", "clear"), new KeyValuePair<string, object?>("kind", "phone"));
        var open = meter.CreateUpDownCounter<int>("flagapi.test.open");
        open.Add(5);
        open.Add(-2);

        var text = collector.Render();

        Assert.Contains("flagapi_test_lookups_total{kind=\"phone\",verdict=\"clear\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE flagapi_test_open gauge\nflagapi_test_open 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void HistogramsHaveCumulativeBucketsWithSumAndCount()
    {
        var histogram = meter.CreateHistogram<double>(
            "flagapi.test.duration", "s", "How long", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        histogram.Record(0.05);
        histogram.Record(0.1);
        histogram.Record(0.5);
        histogram.Record(3);

        var text = collector.Render();

        Assert.Contains(
            """
            # TYPE flagapi_test_duration_seconds histogram
            flagapi_test_duration_seconds_bucket{le="0.1"} 2
            flagapi_test_duration_seconds_bucket{le="1"} 3
            flagapi_test_duration_seconds_bucket{le="+Inf"} 4
            flagapi_test_duration_seconds_sum 3.65
            flagapi_test_duration_seconds_count 4

            """.ReplaceLineEndings("\n"),
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void AnObservedSeriesThatStopsReportingLeavesTheExposition()
    {
        var kinds = new List<string> { "phone", "url" };
        meter.CreateObservableGauge("flagapi.test.entries", () => kinds.Select(k => new Measurement<long>(7, new KeyValuePair<string, object?>("kind", k))));

        Assert.Contains("flagapi_test_entries{kind=\"url\"} 7\n", collector.Render(), StringComparison.Ordinal);
        kinds.Remove("url");
        var text = collector.Render();

        Assert.Contains("flagapi_test_entries{kind=\"phone\"} 7\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kind=\"url\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MetersOfAnotherApplicationAreNotExported()
    {
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        other.GetRequiredService<IMeterFactory>().Create(FlagApiMetrics.MeterName).CreateCounter<long>("flagapi.test.elsewhere").Add(1);
        using var unscoped = new Meter(FlagApiMetrics.MeterName);
        unscoped.CreateCounter<long>("flagapi.test.unscoped").Add(1);

        var text = collector.Render();

        Assert.DoesNotContain("elsewhere", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unscoped", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1E+21")]
    [InlineData(-3d, "-3")]
    public void NumbersAreWrittenAsGoParsesThem(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.Number(value));
}
