using System.Globalization;
using System.Text;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Load;

/// <summary>
/// The built service, alone in its process on loopback, under mixed traffic from many concurrent clients at its saturation
/// rate: a short ramp finds the concurrency at which throughput stops rising, the run goes on at twice that (32 to 64
/// workers) so requests queue in the server, then a burst of writes only from 64 workers. No request may fail with a 5xx
/// (nor with a 503: on one database a write waiting for the write lock is load, not an outage), every report and appeal the
/// service accepted must be in its database, and its memory must level off.
/// </summary>
[Collection(LoadRuns.Name)]
public abstract class MixedLoadTests(DatabaseTarget target, ITestOutputHelper output)
{
    /// <summary>Far past the knee on a 2-core machine, and enough writers at once to contend for SQLite's write lock.</summary>
    private const int MinimumWorkers = 32;

    private const int WriteBurstWorkers = 64;
    private static readonly TimeSpan WriteBurst = TimeSpan.FromSeconds(5);

    private static readonly int[] RampWorkers = [1, 2, 4, 8, 16, 32, 64];
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RampStep = TimeSpan.FromSeconds(2);

    /// <summary>25 s in CI; <c>FLAGAPI_LOAD_SECONDS</c> runs it longer, to watch the memory of a longer run.</summary>
    private static readonly TimeSpan Saturated = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("FLAGAPI_LOAD_SECONDS"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 25);

    /// <summary>
    /// Growth a third of the run may show whatever the first third did. Each pooled SQLite connection fills its page cache
    /// (2 MB) as the tables grow, the GC sizes its heaps to the load, Kestrel and the pools keep buffers: in a 150 s run the
    /// resident set rises about 50 MB in the first minute and then stays within a few MB, so a 45 s run may still be rising a
    /// little at its end. In CI, with the other test assemblies running beside it on two cores, the last third of a run with
    /// no leak grew up to 34 MB (PostgreSQL, 5 December 2026; 4-9 MB when run alone). A third is about 15 s, so this
    /// still catches a leak of more than about 3 MB/s (a few KB a request at 1,000 requests/s).
    /// </summary>
    private const long MemoryNoise = 48 * 1024 * 1024;

    [Fact]
    public async Task MixedTrafficAtTheSaturationRateAnswersNoServerErrorLosesNoWriteAndLevelsOffInMemory()
    {
        // The app tier's budgets out of the way: this test is about the service under load; LoadRateLimitTests is about the limiter.
        var settings = new Dictionary<string, string> { ["Metrics__Enabled"] = "true" };
        foreach (var budget in new[] { "Lookup", "Write", "Appeal", "Report" })
        {
            settings[$"RateLimiting__Tiers__app__{budget}__PermitLimit"] = "100000000";
            settings[$"RateLimiting__Tiers__app__{budget}__Window"] = "00:01:00";
        }

        await using var service = await LoadService.StartAsync(target, settings);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = service.Address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Add("X-Api-Key", service.AppKey);
        var traffic = new MixedTraffic(client);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"{target.Provider}, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");

        await using var memory = new MemorySampler(service);

        // Not measured: the first seconds run the JIT's first tier, and would make the first ramp steps look slow.
        await traffic.RunAsync(8, WarmUp, seed: 0);

        // The ramp: throughput at each concurrency. Saturation is the first step within a tenth of the best, so one step that a
        // neighbour's load slowed down does not look like the knee.
        var ramp = new List<(int Workers, double PerSecond)>();
        foreach (var workers in RampWorkers)
        {
            var step = await traffic.RunAsync(workers, RampStep, seed: workers);
            ramp.Add((workers, step.PerSecond));
            report.AppendLine(CultureInfo.InvariantCulture, $"ramp: {workers,3} workers {step.PerSecond,7:F0} requests/s (p99 {LoadFigures.Percentile(step.Outcomes.Select(o => o.Latency).ToList(), 99).TotalMilliseconds:F0} ms)");
        }

        var best = ramp.Max(step => step.PerSecond);
        var saturation = ramp.First(step => step.PerSecond >= best * 0.9);
        var workersAtLoad = Math.Clamp(saturation.Workers * 2, MinimumWorkers, RampWorkers[^1]);
        report.AppendLine(CultureInfo.InvariantCulture,
            $"saturation: {saturation.PerSecond:F0} requests/s at {saturation.Workers} workers, within a tenth of the best step ({best:F0}); the run drives {workersAtLoad} (twice that, 32 to 64)");

        var cpu = new CpuClock(service.ProcessId);
        var run = await traffic.RunAsync(workersAtLoad, Saturated, seed: 1);

        // Memory is watched under the mixed load; the burst below opens many more connections at once, each its own cache.
        await memory.StopAsync();
        report.AppendLine(cpu.Describe(run.Duration));
        report.Append(run.Table($"saturated run, {workersAtLoad} workers"));

        // Then only writes, from 64 workers: SQLite has one writer at a time, and a request that waits for the lock
        // must wait (Database:SqliteBusyTimeout), not answer 503 as if the database were down.
        var burst = await traffic.RunAsync(WriteBurstWorkers, WriteBurst, seed: 2, writesOnly: true);
        report.Append(burst.Table($"write burst, {WriteBurstWorkers} workers"));
        report.Append(memory.Table());

        var all = new LoadFigures(traffic.Outcomes, TimeSpan.FromSeconds(1));
        var serverErrors = all.CountWhere(o => o.Status >= 500);
        var unanswered = all.CountWhere(o => o.Status == 0);
        report.AppendLine(CultureInfo.InvariantCulture,
            $"whole load (ramp and run): {all.Count} requests, {serverErrors} answered 5xx, {unanswered} unanswered, {traffic.SurpriseCount} not as expected");

        var (stored, memoryVerdict) = await CheckAsync(service, traffic, memory, report);
        output.WriteLine(report.ToString());

        Assert.True(serverErrors == 0 && unanswered == 0 && traffic.SurpriseCount == 0,
            $"{serverErrors} responses were 5xx, {unanswered} got no response, {traffic.SurpriseCount} were not what their request should get:\n"
            + string.Join('\n', traffic.Surprises) + "\n" + service.Describe());
        Assert.True(stored is null, stored);
        Assert.True(memoryVerdict is null, memoryVerdict);
    }

    /// <summary>Reads the database for every write the service accepted; returns what is missing, and what is wrong with the memory.</summary>
    private static async Task<(string? Lost, string? Memory)> CheckAsync(LoadService service, MixedTraffic traffic, MemorySampler memory, StringBuilder report)
    {
        var accepted = traffic.AcceptedReports;
        var filed = traffic.FiledAppeals;
        var acceptedCount = accepted.Values.Sum();
        var problems = new List<string>();

        await using (var db = await service.OpenDatabaseAsync())
        {
            // The database held no report and no appeal before the load, so every row is one the load made.
            var reportRows = new Dictionary<long, long>();
            await using (var command = db.CreateCommand())
            {
                command.CommandText = "SELECT id, times FROM reports";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    reportRows[reader.GetInt64(0)] = reader.GetInt64(1);
                }
            }

            var appealRows = new Dictionary<long, string>();
            await using (var command = db.CreateCommand())
            {
                command.CommandText = "SELECT id, tracking_code FROM appeals";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    appealRows[reader.GetInt64(0)] = reader.GetString(1);
                }
            }

            var missingReports = accepted.Where(r => !reportRows.TryGetValue(r.Key, out var times) || times != r.Value).ToList();
            var missingAppeals = filed.Where(a => !appealRows.TryGetValue(a.Id, out var code) || code != a.TrackingCode).ToList();
            var submittedEvents = await LoadService.ScalarAsync(db, "SELECT COUNT(*) FROM appeal_events WHERE action = 'submitted'");
            var reportAudits = await LoadService.ScalarAsync(db, "SELECT COUNT(*) FROM audit_log WHERE action IN ('report.received', 'report.repeated')");
            var appealAudits = await LoadService.ScalarAsync(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'appeal.submitted'");

            report.AppendLine(CultureInfo.InvariantCulture,
                $"reports: {acceptedCount} answered 202 naming {accepted.Count} ids; the database holds {reportRows.Count} rows counting {reportRows.Values.Sum()} reports, {reportAudits} audit rows");
            report.AppendLine(CultureInfo.InvariantCulture,
                $"appeals: {filed.Count} answered 201; the database holds {appealRows.Count} appeals, {submittedEvents} 'submitted' events, {appealAudits} audit rows");

            if (missingReports.Count > 0 || reportRows.Count != accepted.Count || reportRows.Values.Sum() != acceptedCount || reportAudits != acceptedCount)
            {
                problems.Add($"reports: {missingReports.Count} accepted ids missing or short of their count (first: {string.Join(", ", missingReports.Take(5))}); "
                    + $"{accepted.Count} ids / {acceptedCount} 202s answered, {reportRows.Count} rows / {reportRows.Values.Sum()} counted / {reportAudits} audited");
            }

            if (missingAppeals.Count > 0 || appealRows.Count != filed.Count || submittedEvents != filed.Count || appealAudits != filed.Count)
            {
                problems.Add($"appeals: {missingAppeals.Count} filed appeals missing (first: {string.Join(", ", missingAppeals.Take(5).Select(a => a.Id))}); "
                    + $"{filed.Count} 201s answered, {appealRows.Count} rows, {submittedEvents} submitted events, {appealAudits} audited");
            }
        }

        var resident = memory.Samples.Select(s => s.Resident).ToList();
        var thirds = MemorySampler.Thirds(resident);
        var (first, last) = (MemorySampler.Growth(thirds[0]), MemorySampler.Growth(thirds[2]));
        var allowed = Math.Max(first / 2, MemoryNoise);
        report.AppendLine(CultureInfo.InvariantCulture,
            $"memory: {resident.Count} samples; VmRSS grew {first / 1048576.0:F1} MB in the first third, {MemorySampler.Growth(thirds[1]) / 1048576.0:F1} MB in the second, "
            + $"{last / 1048576.0:F1} MB in the last (allowed: half the first third's growth, at least {MemoryNoise / 1048576} MB: {allowed / 1048576.0:F1} MB)");
        var memoryVerdict = resident.Count >= 30 && last <= allowed
            ? null
            : $"Memory did not level off: VmRSS grew {last / 1048576.0:F1} MB in the last third of the run (allowed {allowed / 1048576.0:F1} MB) over {resident.Count} samples.\n{memory.Table()}";

        return (problems.Count == 0 ? null : "Writes were lost: " + string.Join("; ", problems), memoryVerdict);
    }

    public sealed class OnSqlite(ITestOutputHelper output) : MixedLoadTests(new SqliteTarget(), output);

    public sealed class OnPostgres(ITestOutputHelper output) : MixedLoadTests(new PostgresTarget(), output);
}

/// <summary>
/// The load tests run one at a time and after the rest of the suite, not beside it: each wants the cores to itself, so its
/// figures say something about the service and its saturation is the service's, not the suite's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadRuns
{
    public const string Name = "Load";
}
