using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;
using Npgsql;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// Two processes of the built service whose <c>ConnectionStrings:FlagApi</c> goes through a real PgBouncer in transaction
/// mode with a pool of three server connections, and whose <c>ConnectionStrings:FlagApiDirect</c> names the PostgreSQL
/// server itself (docs/operations.md, "Behind PgBouncer"). The whole write path runs through the pooler at once on both
/// instances; every answer is checked, and then what the database holds, read directly. The instances poll only every
/// 30 s, so the second serving a list published through the first within two seconds is the LISTEN on the direct
/// connection at work; the server's and PgBouncer's own views say which connection went which way.
/// </summary>
[Collection(AcrossInstances.Name)]
public sealed class PgBouncerTests(OwnPostgresCluster cluster) : IClassFixture<OwnPostgresCluster>
{
    private const int PoolSize = 3;
    private const int CsvRows = 2_000;
    private const string ListenerName = "flagapi-listen";
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SlowPoll = TimeSpan.FromSeconds(30);

    private Func<string> describe = () => "";

    [Fact]
    public async Task TheWritePathRunsThroughPgBouncerInTransactionModeWhileEachInstanceListensOnItsDirectConnection()
    {
        cluster.SkipUnlessAvailable();
        var direct = await cluster.CreateDatabaseAsync();
        var serverPort = new NpgsqlConnectionStringBuilder(direct).Port;
        using var bouncer = await PgBouncerProcess.StartAsync(serverPort, direct, PoolSize);
        var pooled = bouncer.Through(direct);
        await LogStatementsAsync(direct);
        var adminKey = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var hashKey = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var settings = new Dictionary<string, string>
        {
            // The direct connection names only the server; the database, user and password come from ConnectionStrings:FlagApi.
            ["ConnectionStrings__FlagApiDirect"] = $"Host=127.0.0.1;Port={serverPort.ToString(CultureInfo.InvariantCulture)}",
            ["Bootstrap__AdminKey"] = adminKey,
            ["Reports__HashKey"] = hashKey,
            ["Lookup__PollInterval"] = SlowPoll.ToString(),
            ["Keys__RefreshInterval"] = SlowPoll.ToString(),
            ["Protection__RefreshInterval"] = SlowPoll.ToString(),
            ["Reports__PollInterval"] = SlowPoll.ToString(),
        };

        await using var a = await ServiceHost.StartAsync(PostgresServiceDatabase.On(pooled), settings);
        await using var b = await ServiceHost.StartAsync(PostgresServiceDatabase.On(pooled), settings);
        string Describe() => $"{a.Describe()}\n{b.Describe()}\n--- pgbouncer ---\n{bouncer.Output}";
        describe = Describe;

        using var publisherA = a.Client(a.PublisherKey);
        using var publisherB = b.Client(b.PublisherKey);
        using var adminA = a.Client(adminKey);
        using var reviewerA = a.Client(a.ReviewerKey);
        using var anonymousA = a.Client();
        using var anonymousB = b.Client();

        // At once on both instances: lists as JSON and as CSV (both written with COPY), reports, a key, a list to retract.
        var json = Phones("1380013", 20);
        var csv = Phones("1390013", CsvRows);
        var retracting = Phones("1370013", 30);
        string[] reported = ["13600136001", "13600136002", "13600136003", "13600136004", "13600136005", "13600136006"];
        var jsonList = PublishJsonAsync(publisherA, "pgbouncer-json", json);
        var csvList = publisherB.PostAsync("/v1/batches?reference=pgbouncer-csv&title=CSV", new StringContent(Csv(csv), Encoding.UTF8, "text/csv"));
        var retractList = PublishJsonAsync(publisherB, "pgbouncer-retract", retracting);
        var reports = reported.Select((phone, i) => (i % 2 == 0 ? anonymousA : anonymousB).PostAsJsonAsync("/v1/reports", new
        {
            kind = "phone", value = phone, category = "task_brushing", description = "Offered paid likes, then asked for a deposit.",
        })).ToArray();
        var key = adminA.PostAsJsonAsync("/v1/keys", new { name = "pgbouncer app", role = "app" });
        await Task.WhenAll([jsonList, csvList, retractList, key, .. reports]);

        var jsonId = (await ReadAsync(await jsonList, HttpStatusCode.Created)).GetProperty("id").GetInt64();
        var csvAnswer = await ReadAsync(await csvList, HttpStatusCode.Created);
        Assert.Equal(CsvRows, csvAnswer.GetProperty("added").GetInt32());
        var csvId = csvAnswer.GetProperty("id").GetInt64();
        var retractId = (await ReadAsync(await retractList, HttpStatusCode.Created)).GetProperty("id").GetInt64();
        foreach (var report in reports)
        {
            await ReadAsync(await report, HttpStatusCode.Accepted);
        }

        var keyId = (await ReadAsync(await key, HttpStatusCode.Created)).GetProperty("id").GetInt64();

        // At once again: an appeal filed on B and decided by a reviewer on A, and a retraction on A.
        var appeal = FileAndApproveAsync(anonymousB, reviewerA, json[0]);
        var retraction = publisherA.PostAsJsonAsync($"/v1/batches/{retractId}/retract", new { reason = "Published by mistake." });
        await Task.WhenAll(appeal, retraction);
        var (appealId, appealStatus) = await appeal;
        Assert.Equal(retracting.Length, (await ReadAsync(await retraction, HttpStatusCode.OK)).GetProperty("removed").GetInt32());

        // B serves a list published through A long before its next poll: the notice came on B's direct LISTEN.
        var fresh = Phones("1350013", 1);
        await ReadAsync(await PublishJsonAsync(publisherA, "pgbouncer-fresh", fresh), HttpStatusCode.Created);
        var clock = Stopwatch.StartNew();
        while (await b.VerdictAsync(fresh[0]) != "flagged")
        {
            Assert.True(clock.Elapsed < Propagation, $"B did not flag the number published through A within {Propagation.TotalSeconds} s.\n{Describe()}");
            await Task.Delay(25);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"B flagged the list published through A after {clock.ElapsedMilliseconds} ms");

        // What the database holds, read on the server itself.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(direct) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(json.Length, await ScalarAsync(connection, "SELECT count(*) FROM entry_sources WHERE list_id = @id AND removed_at IS NULL", jsonId));
        Assert.Equal(CsvRows, await ScalarAsync(connection, "SELECT count(*) FROM entry_sources WHERE list_id = @id AND removed_at IS NULL", csvId));
        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM entry_sources WHERE list_id = @id AND removed_at IS NULL", retractId));
        Assert.Equal(1, await ScalarAsync(connection, "SELECT count(*) FROM lists WHERE id = @id AND retracted_at IS NOT NULL", retractId));
        Assert.Equal(reported.Length, await ScalarAsync(connection, "SELECT count(*) FROM reports WHERE id > @id", 0));
        Assert.Equal(1, await ScalarAsync(connection, "SELECT count(*) FROM api_keys WHERE id = @id AND name = 'pgbouncer app' AND revoked_at IS NULL", keyId));
        await using (var status = new NpgsqlCommand("SELECT status FROM appeals WHERE id = @id", connection))
        {
            status.Parameters.AddWithValue("id", appealId);
            Assert.Equal(appealStatus, (string?)await status.ExecuteScalarAsync());
        }

        Assert.Equal("flagged", await b.VerdictAsync(csv[^1]));
        Assert.Equal("clear", await a.VerdictAsync(retracting[0]));

        await AssertConnectionsAsync(connection, bouncer, Describe);

        // Behind the pooler the service does not reset a pooled connection: a DISCARD ALL would run on whichever server
        // connection PgBouncer lent for it (docs/operations.md, "Behind PgBouncer").
        await using (var log = new NpgsqlCommand("SELECT pg_read_file(current_setting('data_directory') || '/server.log')", connection))
        {
            var statements = ((string)(await log.ExecuteScalarAsync())!).Split('\n');
            Assert.Contains(statements, line => line.Contains("COPY entries", StringComparison.Ordinal));
            var resets = statements.Where(line => line.Contains("DISCARD ALL", StringComparison.Ordinal)).ToList();
            Assert.True(resets.Count == 0, $"{resets.Count} connection resets reached the server, the first: {resets.FirstOrDefault()}");
        }
    }

    /// <summary>Has the server log every statement on <paramref name="connectionString"/>'s database, from its next sessions on.</summary>
    private static async Task LogStatementsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"ALTER DATABASE \"{connection.Database}\" SET log_statement = 'all'", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Each instance's listening connection is a backend of its own, not one of PgBouncer's server connections; every
    /// other backend on the database is one of PgBouncer's, at most the pool's size; and PgBouncer's clients (both
    /// instances' pools) include no listener.
    /// </summary>
    private static async Task AssertConnectionsAsync(NpgsqlConnection connection, PgBouncerProcess bouncer, Func<string> describe)
    {
        var servers = (await bouncer.ShowAsync("SERVERS")).Select(s => int.Parse(s["local_port"], CultureInfo.InvariantCulture)).ToHashSet();
        var backends = new List<(int Port, string Name, string Query)>();
        await using (var activity = new NpgsqlCommand(
            "SELECT client_port, coalesce(application_name, ''), coalesce(query, '') FROM pg_stat_activity " +
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'", connection))
        await using (var reader = await activity.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                backends.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        var seen = $"backends: {string.Join("; ", backends.Select(b => $"{b.Port} {b.Name} {b.Query}"))}; PgBouncer's server ports: {string.Join(", ", servers)}\n{describe()}";
        var listeners = backends.Where(b => b.Name == ListenerName && b.Query.StartsWith("LISTEN", StringComparison.Ordinal)).ToList();
        Assert.True(listeners.Count == 2, $"Expected one listening backend per instance. {seen}");
        Assert.True(listeners.All(l => !servers.Contains(l.Port)), $"A listening connection went through PgBouncer. {seen}");
        var others = backends.Except(listeners).ToList();
        Assert.True(others.Count > 0 && others.All(o => servers.Contains(o.Port)), $"A connection other than the listeners bypassed PgBouncer. {seen}");
        Assert.True(others.Count <= PoolSize, $"More server connections than PgBouncer's pool of {PoolSize}. {seen}");

        var clients = (await bouncer.ShowAsync("CLIENTS")).Where(c => c["database"] != "pgbouncer").ToList();
        Assert.True(clients.Count >= 2, $"Expected both instances' pooled connections among PgBouncer's clients, saw {clients.Count}. {seen}");
        Assert.DoesNotContain(clients, c => c["application_name"] == ListenerName);
    }

    private async Task<(long Id, string Status)> FileAndApproveAsync(HttpClient appellant, HttpClient reviewer, string phone)
    {
        var filed = await appellant.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone",
            value = phone,
            appellant = new { name = "王秀英", contact = "13900139000" },
            statement = "这是我开小卖部用了八年的号码。",
            evidence = Array.Empty<object>(),
        });
        var id = (await ReadAsync(filed, HttpStatusCode.Created)).GetProperty("id").GetInt64();

        // The reviewer reads the appeal through the other instance: it is in the database, not in one instance's memory.
        var seen = await reviewer.GetAsync($"/v1/review/appeals/{id}");
        await ReadAsync(seen, HttpStatusCode.OK);
        using var decision = new HttpRequestMessage(HttpMethod.Post, $"/v1/review/appeals/{id}/decision")
        {
            Content = JsonContent.Create(new { decision = "approve", reason = "The carrier confirmed the owner.", verification = "carrier_real_name" }),
        };
        decision.Headers.TryAddWithoutValidation("If-Match", seen.Headers.ETag!.ToString());
        var decided = await ReadAsync(await reviewer.SendAsync(decision), HttpStatusCode.OK);
        return (id, decided.GetProperty("status").GetString()!);
    }

    private static Task<HttpResponseMessage> PublishJsonAsync(HttpClient publisher, string reference, IEnumerable<string> phones) =>
        publisher.PostAsJsonAsync("/v1/batches", new
        {
            reference,
            title = "Behind PgBouncer",
            entries = phones.Select(phone => new { kind = "phone", value = phone, category = "impersonating_authorities", risk = "high" }).ToArray(),
        });

    private static string[] Phones(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => prefix + i.ToString("D4", CultureInfo.InvariantCulture))];

    private static string Csv(IEnumerable<string> phones) =>
        "kind,value,category,risk\n" + string.Concat(phones.Select(phone => $"phone,{phone},fake_customer_service,high\n"));

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, long id)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}, not {(int)expected}: {body}\n{describe()}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
