using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FlagApi.Tests.Deployment;
using Npgsql;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// Issue 27, read replicas: a primary and a hot standby built with Debian's PostgreSQL (<c>pg_basebackup -R</c>, a second
/// cluster on another port), the service's <c>ConnectionStrings:FlagApiReadOnly</c> naming the standby. The heavy reads
/// (feed snapshot and changes, stats, lists, entries, a cold start's index load) go to the standby while it is current,
/// to the primary while its replay is paused behind what the instance serves, and to the primary when it is stopped,
/// answering the same either way.
/// </summary>
public sealed partial class ReadReplicaTests(OwnPostgresCluster primary, ITestOutputHelper output) : IClassFixture<OwnPostgresCluster>
{
    private const string ReplicaApplication = "flagapi-read-replica-test";

    private static readonly string[] ReadNames = ["feed_snapshot", "feed_changes", "stats", "lists", "entries"];

    private int next;

    [Fact]
    public async Task HeavyReadsAndAColdLoadGoToTheStandbyAndAnswerWhatThePrimaryAnswersWhenItIsStopped()
    {
        primary.SkipUnlessAvailable();
        var (single, standby) = await PrimaryAndStandbyAsync();
        await using var _ = standby;

        // No lag allowed beyond the version gate: the standby serves only because it has replayed all it received while
        // its WAL receiver runs, which a role without pg_read_all_stats can tell.
        await using var host = await StartAsync(single, standby, ("Database__ReadOnlyMaxLag", "00:00:00"));
        var published = await PublishAsync(host, "1410");
        await ReplayedAsync(single, standby);

        // A second instance starts cold: its whole index comes from the standby, then the primary's change log.
        using var other = await host.StartAnotherInstanceAsync("cold start");
        var otherMetrics = await ReadsAsync(other.Address);
        Assert.True(otherMetrics.Replica("index_load") >= 1, "The cold start did not load its index from the standby.\n" + other.Describe());
        Assert.Contains("(read replica)", other.Describe(), StringComparison.Ordinal);
        using (var otherClient = ServiceCalls.Client(other.Address, null, TimeSpan.FromSeconds(10)))
        {
            var lookup = await otherClient.GetFromJsonAsync<JsonElement>($"/v1/lookup/phone?value={published.Number}");
            Assert.Equal("flagged", lookup.GetProperty("verdict").GetString());
        }

        var before = await ReadsAsync(host.Process.Address);
        var fromStandby = await ReadEverythingAsync(host, published, since: 0);
        var after = await ReadsAsync(host.Process.Address);
        foreach (var read in ReadNames)
        {
            Assert.True(after.Replica(read) > before.Replica(read), $"{read} was not served by the standby: {after}");
        }

        Assert.Equal(before.Primary(), after.Primary());
        Assert.True(await StandbySessionsAsync(standby) > 0, $"The standby saw no session named {ReplicaApplication}.");

        // The standby stopped: the same reads answer 200 from the primary, and the same as the standby answered.
        const string Warning = "The read replica \\(ConnectionStrings:FlagApiReadOnly\\) failed";
        var warnedBefore = Regex.Count(host.Describe(), Warning);
        await standby.StopAsync();
        var stopped = Stopwatch.StartNew();
        var fromPrimary = await ReadEverythingAsync(host, published, since: 0);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"every read answered from the primary {stopped.ElapsedMilliseconds} ms after the standby stopped"));
        var fallen = await ReadsAsync(host.Process.Address);
        foreach (var read in ReadNames)
        {
            Assert.Equal(after.Replica(read), fallen.Replica(read));
            Assert.True(fallen.Primary(read, "unavailable") > 0, $"{read} was not counted as answered by the primary: {fallen}");
        }

        Assert.Equal(fromStandby, fromPrimary);
        Assert.Equal(warnedBefore + 1, Regex.Count(host.Describe(), Warning));
    }

    [Fact]
    public async Task AStandbyWhoseReplayIsPausedNeverAnswersOlderDataThanTheInstanceServes()
    {
        primary.SkipUnlessAvailable();
        var (single, standby) = await PrimaryAndStandbyAsync();
        await using var _ = standby;
        await using var host = await StartAsync(single, standby);
        var first = await PublishAsync(host, "1420");
        await ReplayedAsync(single, standby);
        var caughtUp = await ReadsAsync(host.Process.Address);
        await ReadEverythingAsync(host, first, since: 0);
        Assert.True((await ReadsAsync(host.Process.Address)).Replica("feed_snapshot") > caughtUp.Replica("feed_snapshot"));

        await StandbyAsync(standby, "SELECT pg_wal_replay_pause()");
        var versionBefore = await ReadyVersionAsync(host);
        var second = await PublishAsync(host, "1421");
        var served = await ReadyVersionAsync(host);
        Assert.True(served > versionBefore, "Publishing did not move the instance's list version.");
        Assert.True(await StandbyVersionAsync(standby, single) < served, "The paused standby replayed the publication anyway.");

        var paused = await ReadsAsync(host.Process.Address);
        var answers = await ReadEverythingAsync(host, second, since: versionBefore);
        Assert.True(JsonDocument.Parse(answers["feed snapshot"]).RootElement.GetProperty("version").GetInt64() >= served, answers["feed snapshot"]);
        Assert.True(JsonDocument.Parse(answers["stats"]).RootElement.GetProperty("listVersion").GetInt64() >= served, answers["stats"]);

        // A feed client at the version this instance serves is ahead of the standby, not of the list: never since_ahead.
        using (var app = host.Client(host.AdminKey))
        {
            var page = await host.ReadAsync(await app.GetAsync($"/v1/feed/changes?since={served}"), HttpStatusCode.OK);
            Assert.Equal(served, page.GetProperty("toVersion").GetInt64());
        }

        var behind = await ReadsAsync(host.Process.Address);
        foreach (var read in ReadNames)
        {
            Assert.Equal(paused.Replica(read), behind.Replica(read));
            Assert.True(behind.Primary(read, "behind") > paused.Primary(read, "behind"), $"{read} was not counted as sent to the primary for a standby behind: {behind}");
        }

        // Replay resumed: once the standby has the publication, the reads go to it again.
        await StandbyAsync(standby, "SELECT pg_wal_replay_resume()");
        var resumed = Stopwatch.StartNew();
        await ReplayedAsync(single, standby);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the standby replayed the paused publication {resumed.ElapsedMilliseconds} ms after replay resumed"));
        await ReadEverythingAsync(host, second, since: versionBefore);
        var again = await ReadsAsync(host.Process.Address);
        foreach (var read in ReadNames)
        {
            Assert.True(again.Replica(read) > behind.Replica(read), $"{read} did not go back to the standby after it caught up: {again}");
        }
    }

    private async Task<(string Primary, OwnPostgresCluster Standby)> PrimaryAndStandbyAsync()
    {
        var single = await primary.CreateDatabaseAsync();
        var standby = await primary.StartStandbyAsync();
        return (single, standby);
    }

    private static string OnStandby(string single, OwnPostgresCluster standby, string? application = null, string? user = null) =>
        new NpgsqlConnectionStringBuilder(single)
        {
            Host = "127.0.0.1",
            Port = int.Parse(standby.Endpoint.Split(':')[1], CultureInfo.InvariantCulture),
            ApplicationName = application,
            Pooling = application is not null,
            Username = user ?? new NpgsqlConnectionStringBuilder(single).Username,
        }.ConnectionString;

    /// <summary>
    /// The service on <paramref name="single"/>, reading from the standby as a role of its own that may only read (no
    /// superuser, no pg_read_all_stats), as a deployment would give it; its grants reach the standby by replication.
    /// </summary>
    private static async Task<ServiceHost> StartAsync(string single, OwnPostgresCluster standby, params (string Name, string Value)[] more)
    {
        var reader = "flagapi_reader_" + new NpgsqlConnectionStringBuilder(single).Database![^12..];
        await using (var connection = new NpgsqlConnection(single))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"CREATE ROLE {reader} LOGIN; GRANT USAGE ON SCHEMA public TO {reader}; " +
                $"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {reader}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__FlagApiReadOnly"] = OnStandby(single, standby, ReplicaApplication, reader),

            // A start before the standby has replayed the schema finds no tables there; the next reads try it again a second later.
            ["Database__ReadOnlyRetryAfter"] = "00:00:01",
            ["Stats__CacheDuration"] = "00:00:00",
            ["Metrics__Enabled"] = "true",
            ["Metrics__AllowedNetworks__0"] = "127.0.0.1",

            // Cold starts load every entry from a database, not a snapshot file of the first instance's.
            ["Lookup__SnapshotFile"] = "",
            ["Lookup__PublishSnapshot"] = "false",
        };
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        return await ServiceHost.StartAsync(PostgresServiceDatabase.On(single), settings);
    }

    private sealed record Published(string Number, string Reference, long ListId);

    private async Task<Published> PublishAsync(ServiceHost host, string prefix)
    {
        var number = prefix + Interlocked.Increment(ref next).ToString("D7", CultureInfo.InvariantCulture);
        var reference = "replica-" + number;
        using var client = host.Client(host.PublisherKey);
        var response = await client.PostAsJsonAsync("/v1/batches/", new
        {
            reference,
            title = "Read replica test",
            entries = new[] { new { kind = "phone", value = number, category = "other", risk = "high" } },
        });
        await host.ReadAsync(response, HttpStatusCode.Created);
        var id = long.Parse(response.Headers.Location!.OriginalString.Split('/')[^1], CultureInfo.InvariantCulture);
        return new Published(number, reference, id);
    }

    /// <summary>
    /// Every heavy read, each asserted to hold <paramref name="published"/>, by name, with what changes between two
    /// computations of the same data (the stats' generatedAt) left out.
    /// </summary>
    private static async Task<SortedDictionary<string, string>> ReadEverythingAsync(ServiceHost host, Published published, long since)
    {
        using var app = host.Client(host.AdminKey);
        using var reviewer = host.Client(host.ReviewerKey);
        using var anyone = host.Client();
        var read = new SortedDictionary<string, string>(StringComparer.Ordinal);
        async Task<string> ReadAsync(string name, HttpClient client, string path, params string[] changing)
        {
            var json = await host.ReadAsync(await client.GetAsync(path), HttpStatusCode.OK);
            var node = JsonNode.Parse(json.GetRawText())!;
            foreach (var property in changing)
            {
                Assert.True(node.AsObject().Remove(property), $"The answer has no {property}: {json}");
            }

            return read[name] = node.ToJsonString();
        }

        Assert.Contains(published.Number, await ReadAsync("feed snapshot", app, "/v1/feed/snapshot"), StringComparison.Ordinal);
        Assert.Contains(published.Number, await ReadAsync("feed changes", app, $"/v1/feed/changes?since={since}&limit=10000"), StringComparison.Ordinal);
        Assert.Contains("\"listVersion\"", await ReadAsync("stats", anyone, "/v1/stats", "generatedAt"), StringComparison.Ordinal);
        Assert.Contains(published.Reference, await ReadAsync("lists", anyone, "/v1/batches?pageSize=100"), StringComparison.Ordinal);
        Assert.Contains(published.Number, await ReadAsync("list", anyone, $"/v1/batches/{published.ListId}"), StringComparison.Ordinal);
        var search = await ReadAsync("entries", reviewer, $"/v1/entries?q={published.Number}");
        var entry = JsonDocument.Parse(search).RootElement.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetInt64();
        Assert.Contains(published.Number, await ReadAsync("entry", reviewer, $"/v1/entries/{entry}"), StringComparison.Ordinal);
        return read;
    }

    private static async Task<long> ReadyVersionAsync(ServiceHost host)
    {
        using var client = host.Client();
        return (await host.ReadAsync(await client.GetAsync("/health/ready"), HttpStatusCode.OK)).GetProperty("listVersion").GetInt64();
    }

    /// <summary>Waits until the standby has replayed the primary's list version.</summary>
    private static async Task ReplayedAsync(string single, OwnPostgresCluster standby)
    {
        long target;
        await using (var connection = new NpgsqlConnection(single))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT version FROM list_state WHERE id = 1", connection);
            target = (long)(await command.ExecuteScalarAsync())!;
        }

        var waited = Stopwatch.StartNew();
        while (await StandbyVersionAsync(standby, single) < target)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "The standby did not replay the primary's list version within 30 seconds.");
            await Task.Delay(50);
        }
    }

    private static async Task<long> StandbyVersionAsync(OwnPostgresCluster standby, string single)
    {
        await using var connection = new NpgsqlConnection(OnStandby(single, standby));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COALESCE((SELECT version FROM list_state WHERE id = 1), -1)", connection);
        try
        {
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return -1;
        }
    }

    private static async Task StandbyAsync(OwnPostgresCluster standby, string sql)
    {
        await using var connection = new NpgsqlConnection(standby.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> StandbySessionsAsync(OwnPostgresCluster standby)
    {
        await using var connection = new NpgsqlConnection(standby.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{ReplicaApplication}'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The service's <c>flagapi_database_reads_total</c> counters, by read, server and reason.</summary>
    private static async Task<ReadCounts> ReadsAsync(Uri address)
    {
        using var client = ServiceCalls.Client(address, null, TimeSpan.FromSeconds(10));
        var text = await client.GetStringAsync("/metrics");
        var counts = new Dictionary<(string Read, string Server, string Reason), double>();
        foreach (Match line in CounterLine().Matches(text))
        {
            var labels = Label().Matches(line.Groups["labels"].Value).ToDictionary(l => l.Groups["name"].Value, l => l.Groups["value"].Value);
            var key = (labels.GetValueOrDefault("read", ""), labels.GetValueOrDefault("server", ""), labels.GetValueOrDefault("reason", ""));
            counts[key] = counts.GetValueOrDefault(key) + double.Parse(line.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return new ReadCounts(counts);
    }

    private sealed record ReadCounts(Dictionary<(string Read, string Server, string Reason), double> Counts)
    {
        public double Replica(string read) => Counts.Where(c => c.Key.Read == read && c.Key.Server == "replica").Sum(c => c.Value);

        public double Primary(string read, string reason) => Counts.GetValueOrDefault((read, "primary", reason));

        public double Primary() => Counts.Where(c => c.Key.Server == "primary").Sum(c => c.Value);

        public override string ToString() => string.Join(", ", Counts.OrderBy(c => c.Key).Select(c => $"{c.Key.Read}/{c.Key.Server}/{c.Key.Reason}={c.Value}"));
    }

    [GeneratedRegex(@"^flagapi_database_reads_total\{(?<labels>[^}]*)\} (?<value>[0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex CounterLine();

    [GeneratedRegex("(?<name>[a-z_]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Label();
}
