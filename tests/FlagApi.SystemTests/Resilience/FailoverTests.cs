using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Tests.Deployment;
using Npgsql;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// Issue 27: a primary with a synchronous hot standby, built with Debian's PostgreSQL (<c>initdb</c>, <c>pg_basebackup -R</c>,
/// a second cluster on another port), and two service instances whose connection string names both servers. The primary
/// is killed under writes and lookups, the standby promoted, and every write the service acknowledged must be on the new
/// primary, with writes resumed and both instances caught up, none of them restarted.
/// </summary>
public sealed class FailoverTests(OwnPostgresCluster primary, ITestOutputHelper output) : IClassFixture<OwnPostgresCluster>
{
    /// <summary>How soon after the promotion the first write must be acknowledged again.</summary>
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(15);

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ConcurrentBag<Write> writes = [];
    private readonly ConcurrentBag<(string Instance, HttpStatusCode Status, string Body)> probes = [];
    private readonly ConcurrentBag<(string Instance, TimeSpan At, string Number, HttpStatusCode Status, string? Verdict)> lookups = [];
    private int next;

    [Fact]
    public async Task APromotedStandbyTakesOverWithoutLosingAnAcknowledgedWriteOrRestartingTheService()
    {
        primary.SkipUnlessAvailable();
        var single = await primary.CreateDatabaseAsync();
        await using var standby = await primary.StartStandbyAsync();
        await primary.RequireSynchronousStandbyAsync();

        // The deployment's connection string names both servers, the standby first, and asks for nothing: the service
        // writes to the one that takes writes.
        var both = new NpgsqlConnectionStringBuilder(single) { Host = $"{standby.Endpoint},{primary.Endpoint}" }.ConnectionString;
        await using var host = await ServiceHost.StartAsync(PostgresServiceDatabase.On(both), new Dictionary<string, string>
        {
            ["Database__RetryAfterSeconds"] = "1",
        });
        using var other = await host.StartAnotherInstanceAsync("second instance");
        Assert.DoesNotContain("synchronous_standby_names", host.Describe(), StringComparison.Ordinal);
        var before = await PublishAsync(host, "1350");
        Assert.Equal("flagged", await host.VerdictAsync(before));
        using var otherClient = ServiceCalls.Client(other.Address, null, TimeSpan.FromSeconds(10));
        await ServedByAsync(otherClient, other, before, "before the failover");

        using var load = new CancellationTokenSource();
        Task[] workers =
        [
            PublishUntilAsync(host, load.Token), ReportUntilAsync(host, load.Token),
            LookUpUntilAsync("first", host.Process.Address, before, load.Token), LookUpUntilAsync("second", other.Address, before, load.Token),
            ProbeUntilAsync("first", host.Process.Address, load.Token), ProbeUntilAsync("second", other.Address, load.Token),
        ];
        await Task.Delay(TimeSpan.FromSeconds(2));
        var acknowledgedBeforeCrash = writes.Count(w => w.Acknowledged);

        var crashed = clock.Elapsed;
        await primary.CrashAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var refusedWhileDown = writes.Count(w => !w.Acknowledged && w.At > crashed);
        var promoting = clock.Elapsed;
        await standby.PromoteAsync();
        var promoted = clock.Elapsed;

        TimeSpan? resumed = null;
        while (resumed is null)
        {
            resumed = writes.Where(w => w.Acknowledged && w.Started > promoted).Select(w => (TimeSpan?)w.At).Min();
            Assert.True(clock.Elapsed - promoted < ResumeBound + TimeSpan.FromSeconds(5), "No write was acknowledged after the promotion.\n" + host.Describe());
            await Task.Delay(50);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        await load.CancelAsync();
        await Task.WhenAll(workers);
        var resumeAfterPromotion = resumed.Value - promoted;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"acknowledged before the crash {acknowledgedBeforeCrash}; refused while down {refusedWhileDown}; promotion took {(promoted - promoting).TotalSeconds:0.00} s; first acknowledged write {resumeAfterPromotion.TotalSeconds:0.00} s after it ({(resumed.Value - crashed).TotalSeconds:0.00} s after the crash); writes {writes.Count}, acknowledged {writes.Count(w => w.Acknowledged)}; lookups {lookups.Count}"));

        // Every write answered either as done or as "the database is unavailable, retry": never a 500.
        var unexpected = writes.Where(w => !w.Acknowledged && w.Status != HttpStatusCode.ServiceUnavailable).ToList();
        Assert.True(unexpected.Count == 0, "Writes answered otherwise than 2xx or 503: " + string.Join(", ", unexpected.Select(w => $"{w.What} {(int)w.Status}")));
        Assert.True(refusedWhileDown > 0, "No write was refused while no server took writes: the test did not fail over.");
        Assert.True(resumeAfterPromotion < ResumeBound, $"Writes resumed {resumeAfterPromotion.TotalSeconds:0.0} s after the promotion.");

        // Lookups never stopped, on either instance, and what was flagged before stayed flagged.
        Assert.All(lookups, l => Assert.Equal(HttpStatusCode.OK, l.Status));
        var unflagged = lookups.Where(l => l.Number == before && l.Verdict != "flagged").OrderBy(l => l.At).ToList();
        Assert.True(unflagged.Count == 0, $"{unflagged.Count} lookups of a number flagged before the load answered otherwise (crash at {crashed.TotalSeconds:0.00} s): "
            + string.Join(", ", unflagged.Take(20).Select(l => $"{l.Instance} at {l.At.TotalSeconds:0.00} s {l.Verdict}")));

        // A balancer routing by readiness kept both instances: ready throughout, degraded while no server took writes.
        var probed = probes.ToList();
        Assert.All(probed, p => Assert.True(p.Status == HttpStatusCode.OK, $"{p.Instance}: /health/ready answered {(int)p.Status} {p.Body}"));
        Assert.Contains(probed, p => p.Body.Contains("\"degraded\"", StringComparison.Ordinal));

        // Everything acknowledged, on either server, is on the new primary, whole.
        var database = PostgresServiceDatabase.On(new NpgsqlConnectionStringBuilder(single) { Host = "127.0.0.1", Port = int.Parse(standby.Endpoint.Split(':')[1], CultureInfo.InvariantCulture) }.ConnectionString);
        var lists = await IdsAsync(database, "SELECT reference FROM lists");
        var reports = await IdsAsync(database, "SELECT id::text FROM reports");
        var missing = writes.Where(w => w.Acknowledged && !(w.Kind == "list" ? lists : reports).Contains(w.What)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged writes are not on the new primary: {string.Join(", ", missing.Take(10).Select(w => w.What))}");
        await database.AssertConsistentAsync();

        // Both instances follow the new primary's change log: a list published through one is served by the other.
        var after = await PublishAsync(host, "1360");
        await ServedByAsync(otherClient, other, after, "after the failover");
        Assert.Equal("flagged", await host.VerdictAsync(after));
    }

    /// <summary>Waits until the second instance, which hears of another's writes through the change log, serves <paramref name="number"/> as flagged.</summary>
    private async Task ServedByAsync(HttpClient client, ServiceProcess instance, string number, string when)
    {
        var served = Stopwatch.StartNew();
        while (await VerdictAsync(client, number) != "flagged")
        {
            Assert.True(served.Elapsed < TimeSpan.FromSeconds(10), $"The second instance did not serve a list published {when} within 10 seconds.\n" + instance.Describe());
            await Task.Delay(20);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the second instance served a list published {when} in {served.Elapsed.TotalSeconds:0.00} s"));
    }

    private static async Task<HashSet<string>> IdsAsync(ServiceDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private async Task<string> PublishAsync(ServiceHost host, string prefix)
    {
        var number = NextNumber(prefix);
        using var client = host.Client(host.PublisherKey);
        await host.ReadAsync(await client.PostAsJsonAsync("/v1/batches/", BatchBody(number)), HttpStatusCode.Created);
        return number;
    }

    private async Task PublishUntilAsync(ServiceHost host, CancellationToken stop)
    {
        using var client = ServiceCalls.Client(host.Process.Address, host.PublisherKey, TimeSpan.FromSeconds(30));
        while (!stop.IsCancellationRequested)
        {
            var number = NextNumber("1370");
            var started = clock.Elapsed;
            var response = await client.PostAsJsonAsync("/v1/batches/", BatchBody(number), CancellationToken.None);
            writes.Add(new Write("list", "failover-" + number, response.StatusCode, started, clock.Elapsed));
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private async Task ReportUntilAsync(ServiceHost host, CancellationToken stop)
    {
        using var client = ServiceCalls.Client(host.Process.Address, null, TimeSpan.FromSeconds(30));
        while (!stop.IsCancellationRequested)
        {
            var started = clock.Elapsed;
            var response = await client.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = NextNumber("1390"), description = "Called about a parcel." }, CancellationToken.None);
            var id = response.IsSuccessStatusCode
                ? (await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture)
                : "";
            writes.Add(new Write("report", id, response.StatusCode, started, clock.Elapsed));
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Looks up, in turn, a number flagged before the load began and the number of a list acknowledged during it.</summary>
    private async Task LookUpUntilAsync(string instance, Uri address, string flagged, CancellationToken stop)
    {
        using var client = ServiceCalls.Client(address, null, TimeSpan.FromSeconds(30));
        var turn = 0;
        while (!stop.IsCancellationRequested)
        {
            var acknowledged = writes.Where(w => w.Acknowledged && w.Kind == "list").Select(w => w.What).FirstOrDefault();
            var number = turn++ % 2 == 0 || acknowledged is null ? flagged : acknowledged["failover-".Length..];
            var response = await client.GetAsync($"/v1/lookup/phone?value={number}", CancellationToken.None);
            var verdict = response.IsSuccessStatusCode
                ? (await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("verdict").GetString()
                : null;
            lookups.Add((instance, clock.Elapsed, number, response.StatusCode, verdict));
            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>Asks for readiness as a load balancer does, every 200 ms.</summary>
    private async Task ProbeUntilAsync(string instance, Uri address, CancellationToken stop)
    {
        using var client = ServiceCalls.Client(address, null, TimeSpan.FromSeconds(30));
        while (!stop.IsCancellationRequested)
        {
            var response = await client.GetAsync("/health/ready", CancellationToken.None);
            probes.Add((instance, response.StatusCode, await response.Content.ReadAsStringAsync(CancellationToken.None)));
            await Task.Delay(200, CancellationToken.None);
        }
    }

    private static async Task<string?> VerdictAsync(HttpClient client, string number)
    {
        var response = await client.GetAsync($"/v1/lookup/phone?value={number}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("verdict").GetString();
    }

    private string NextNumber(string prefix) =>
        prefix + Interlocked.Increment(ref next).ToString("D7", CultureInfo.InvariantCulture);

    private static object BatchBody(string number) => new
    {
        reference = "failover-" + number,
        title = "Failover test",
        entries = new[] { new { kind = "phone", value = number, category = "other", risk = "high" } },
    };

    /// <param name="What">A list's reference, or a report's id.</param>
    /// <param name="Started">When the request was sent, and <paramref name="At"/> when it was answered, from the worker's start.</param>
    private sealed record Write(string Kind, string What, HttpStatusCode Status, TimeSpan Started, TimeSpan At)
    {
        public bool Acknowledged => (int)Status is >= 200 and < 300;
    }
}
