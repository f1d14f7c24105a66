using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FlagApi.Tests.Load;

/// <summary>One request as the client saw it: what it was, its status (0: no response at all) and how long it took.</summary>
internal readonly record struct Outcome(string Kind, int Status, TimeSpan Latency);

/// <summary>The outcomes of a run, by kind: counts, rates, latency percentiles and a status histogram.</summary>
internal sealed class LoadFigures
{
    private readonly List<Outcome> outcomes;

    public LoadFigures(IEnumerable<Outcome> outcomes, TimeSpan duration)
    {
        this.outcomes = outcomes.ToList();
        Duration = duration;
    }

    public TimeSpan Duration { get; }

    public int Count => outcomes.Count;

    public double PerSecond => outcomes.Count / Duration.TotalSeconds;

    public IReadOnlyList<Outcome> Outcomes => outcomes;

    public int CountWhere(Func<Outcome, bool> predicate) => outcomes.Count(predicate);

    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> latencies, double percentile)
    {
        if (latencies.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var sorted = latencies.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    /// <summary>A table: per kind and in all, requests, requests/s, p50 and p99 latency, and every status with its count.</summary>
    public string Table(string title)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{title}: {Count} requests in {Duration.TotalSeconds:F1} s = {PerSecond:F0} requests/s");
        text.AppendLine("  kind              requests  req/s   p50 ms   p99 ms   max ms  statuses");
        foreach (var group in outcomes.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Append(null))
        {
            var rows = group?.ToList() ?? outcomes;
            var latencies = rows.Select(o => o.Latency).ToList();
            var statuses = string.Join(' ', rows.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {group?.Key ?? "all",-16} {rows.Count,9} {rows.Count / Duration.TotalSeconds,6:F0} {Percentile(latencies, 50).TotalMilliseconds,8:F1} {Percentile(latencies, 99).TotalMilliseconds,8:F1} {Percentile(latencies, 100).TotalMilliseconds,8:F1}  {statuses}");
        }

        return text.ToString();
    }
}

/// <summary>The service's memory every quarter second: its resident set from /proc, and its GC heap from <c>/metrics</c>.</summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly LoadService service;
    private readonly HttpClient metrics;
    private readonly CancellationTokenSource stop = new();
    private readonly List<(TimeSpan At, long Resident, long? Heap)> samples = [];
    private readonly Task sampling;
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public MemorySampler(LoadService service)
    {
        this.service = service;
        metrics = service.Client();
        sampling = Task.Run(SampleAsync);
    }

    public IReadOnlyList<(TimeSpan At, long Resident, long? Heap)> Samples
    {
        get
        {
            lock (samples)
            {
                return samples.ToList();
            }
        }
    }

    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await sampling;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        metrics.Dispose();
        stop.Dispose();
    }

    /// <summary>
    /// How much a third of the run grew: the median of its last quarter of samples minus the median of its first quarter.
    /// Medians, so a collection that happens to land at one edge does not count as growth or as its absence.
    /// </summary>
    public static long Growth(IReadOnlyList<long> third)
    {
        var quarter = Math.Max(1, third.Count / 4);
        return Median(third.TakeLast(quarter)) - Median(third.Take(quarter));
    }

    public static IReadOnlyList<IReadOnlyList<long>> Thirds(IReadOnlyList<long> values)
    {
        var size = values.Count / 3;
        return [values.Take(size).ToList(), values.Skip(size).Take(size).ToList(), values.Skip(2 * size).ToList()];
    }

    public static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    public string Table()
    {
        var text = new StringBuilder("memory samples (s: VmRSS MB / GC heap after the last collection MB):\n ");
        var column = 0;
        foreach (var (at, resident, heap) in Samples)
        {
            text.Append(CultureInfo.InvariantCulture, $" {at.TotalSeconds,5:F1}: {resident / 1048576.0,6:F1} / {(heap is { } h ? (h / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) : "?"),5}");
            if (++column % 6 == 0)
            {
                text.Append("\n ");
            }
        }

        return text.AppendLine().ToString();
    }

    private async Task SampleAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var resident = service.ResidentBytes();
            var heap = await HeapAsync();
            lock (samples)
            {
                samples.Add((clock.Elapsed, resident, heap));
            }

            try
            {
                await Task.Delay(250, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The sum over generations of <c>dotnet_gc_last_collection_heap_size_bytes</c>, or null if /metrics did not answer in time.</summary>
    private async Task<long?> HeapAsync()
    {
        try
        {
            var text = await metrics.GetStringAsync("/metrics", stop.Token);
            long sum = 0;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("dotnet_gc_last_collection_heap_size_bytes{", StringComparison.Ordinal))
                {
                    sum += (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                }
            }

            return sum;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }
}

/// <summary>CPU time the service and this test process spent over a run, to tell which of them was the bottleneck.</summary>
internal sealed class CpuClock
{
    private readonly int serviceId;
    private readonly TimeSpan serviceStart;
    private readonly TimeSpan clientStart;

    public CpuClock(int serviceId)
    {
        this.serviceId = serviceId;
        serviceStart = ServiceCpu();
        clientStart = Process.GetCurrentProcess().TotalProcessorTime;
    }

    public string Describe(TimeSpan wall)
    {
        var service = ServiceCpu() - serviceStart;
        var client = Process.GetCurrentProcess().TotalProcessorTime - clientStart;
        return string.Create(CultureInfo.InvariantCulture,
            $"cpu over the run: the service used {service.TotalSeconds / wall.TotalSeconds:F2} cores, the test's clients {client.TotalSeconds / wall.TotalSeconds:F2}, of {Environment.ProcessorCount} shared with everything else on the machine (load average {File.ReadAllText("/proc/loadavg").Trim()})");
    }

    /// <summary>utime + stime from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux).</summary>
    private TimeSpan ServiceCpu()
    {
        var stat = File.ReadAllText($"/proc/{serviceId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
