using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;
using Npgsql;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// SQLite: the process is killed by the kernel at the Nth write into the write-ahead log, while the transaction's pages
/// are being written (strace injects SIGKILL at that system call), so the file really holds part of the change. A SQLite
/// write transaction takes the file's write lock when it begins, so no other connection can stop it half-way.
/// </summary>
[Collection(nameof(ProcessKills))]
public sealed class ProcessKillOnSqlite() : ProcessKillTests
{
    private protected override Task<ServiceDatabase> CreateDatabaseAsync() => Task.FromResult<ServiceDatabase>(new SqliteServiceDatabase());

    private protected override async Task<string> KillMidwayAsync(ServiceHost host, ServiceDatabase database, Func<Task<HttpResponseMessage>> send, int sqliteWalWrite)
    {
        var wal = ((SqliteServiceDatabase)database).WalPath;
        var log = Path.Combine(database.DataDirectory, "strace.log");
        using var strace = StraceKill.Attach(host.Process.ProcessId, wal, sqliteWalWrite, log);
        await strace.WaitAttachedAsync();

        var request = send();
        await WaitForDeathAsync(host, request);
        await strace.WaitAsync();
        var trace = await File.ReadAllTextAsync(log);
        var writes = trace.Split('\n').Count(l => l.Contains("pwrite64(", StringComparison.Ordinal));
        Assert.True(
            writes >= sqliteWalWrite && trace.Contains("killed by SIGKILL", StringComparison.Ordinal),
            $"strace did not kill the service at WAL write {sqliteWalWrite}: it saw {writes} writes.\n{strace.Output}\n{trace[^Math.Min(trace.Length, 2000)..]}");
        return $"killed at write {sqliteWalWrite} into {Path.GetFileName(wal)}, {sqliteWalWrite - 1} writes of the transaction's frames done";
    }
}

/// <summary>
/// PostgreSQL: the test holds a lock on <c>audit_log</c>, which each of these transactions writes after its other writes
/// (a list upload and a retraction last of all; an appeal decision after moving the list version), so the transaction
/// waits there half-done; the test sees it waiting in <c>pg_locks</c> with a transaction id (it has written), kills the
/// service, and only then lets go.
/// </summary>
[Collection(nameof(ProcessKills))]
public sealed class ProcessKillOnPostgres(PostgresTarget target) : ProcessKillTests, IClassFixture<PostgresTarget>
{
    private protected override async Task<ServiceDatabase> CreateDatabaseAsync() => await PostgresServiceDatabase.CreateAsync(target);

    private protected override async Task<string> KillMidwayAsync(ServiceHost host, ServiceDatabase database, Func<Task<HttpResponseMessage>> send, int sqliteWalWrite)
    {
        await using var holder = (NpgsqlConnection)await database.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE", holder, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        // Another connection: inside a transaction pg_stat_activity is read once and kept.
        await using var watcher = (NpgsqlConnection)await database.OpenAsync();
        var request = send();
        var (pid, xid, query) = await WaitUntilBlockedAsync(watcher, request, host);
        host.Process.Kill();
        await WaitForDeathAsync(host, request);
        Assert.Equal(1, await CountBackendAsync(watcher, pid));

        await hold.RollbackAsync();

        // The server ends the session (and rolls its transaction back) when it next talks to the client that is gone.
        var clock = Stopwatch.StartNew();
        while (await CountBackendAsync(watcher, pid) != 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"Backend {pid} of the killed service did not end.");
            await Task.Delay(50);
        }

        return $"killed while backend {pid} waited in transaction {xid} at: {query[..Math.Min(query.Length, 80)]}";
    }

    private static async Task<(int Pid, string Xid, string Query)> WaitUntilBlockedAsync(NpgsqlConnection watcher, Task<HttpResponseMessage> request, ServiceHost host)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using (var find = new NpgsqlCommand(
                """
                SELECT a.pid, a.backend_xid::text, a.query FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE NOT l.granted AND l.relation = 'audit_log'::regclass AND a.datname = current_database()
                  AND a.backend_xid IS NOT NULL AND a.state = 'active' AND a.pid <> pg_backend_pid()
                """, watcher))
            await using (var reader = await find.ExecuteReaderAsync())
            {
                if (await reader.ReadAsync())
                {
                    return (reader.GetInt32(0), reader.GetString(1), reader.GetString(2));
                }
            }

            if (request.IsCompleted)
            {
                var response = await request;
                Assert.Fail($"The request finished ({(int)response.StatusCode}) without waiting for audit_log.\n{host.Describe()}");
            }

            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"The request never waited for audit_log.\n{host.Describe()}");
            await Task.Delay(20);
        }
    }

    private static async Task<long> CountBackendAsync(NpgsqlConnection connection, int pid)
    {
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = @pid", connection);
        command.Parameters.AddWithValue("pid", pid);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

[CollectionDefinition(nameof(ProcessKills))]
public sealed class ProcessKills;

/// <summary>
/// The service killed with SIGKILL in the middle of its three large transactions (a list upload, an appeal approval, a
/// retraction) keeps the whole change or none of it, starts again on the same database and serves, and the interrupted
/// request, sent again, completes exactly once.
/// </summary>
public abstract class ProcessKillTests
{
    private const int UploadRows = 100_000;
    private const int RetractedRows = 20_000;

    [Fact]
    public async Task AServiceKilledInTheMiddleOfA100000RowUploadKeepsNoneOfItAndTheResentUploadPublishesItOnce()
    {
        await using var host = await ServiceHost.StartAsync(await CreateDatabaseAsync());
        var database = host.Database;
        using var publisher = host.Client(host.PublisherKey);
        var body = JsonList("upload-1", "139", UploadRows);
        var before = await database.CountsAsync();

        var evidence = await KillMidwayAsync(host, database, () => publisher.PostAsync("/v1/batches", Json(body)), sqliteWalWrite: 10_001);

        Assert.Equal(before, await database.CountsAsync());
        await database.AssertConsistentAsync();
        await host.RestartAsync();
        Assert.Equal("clear", await host.VerdictAsync(Phone("139", 0)));
        Assert.Equal("clear", await host.VerdictAsync(Phone("139", UploadRows - 1)));

        using var again = host.Client(host.PublisherKey);
        var published = await host.ReadAsync(await again.PostAsync("/v1/batches", Json(body)), HttpStatusCode.Created);
        Assert.Equal(UploadRows, published.GetProperty("added").GetInt32());
        var replay = await again.PostAsync("/v1/batches", Json(body));
        await host.ReadAsync(replay, HttpStatusCode.OK);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replay").Single());

        var after = await database.CountsAsync();
        Assert.Equal(before["lists"] + 1, after["lists"]);
        Assert.Equal(before["entries"] + UploadRows, after["entries"]);
        Assert.Equal(before["entry_sources"] + UploadRows, after["entry_sources"]);
        Assert.Equal(before["change_log"] + UploadRows, after["change_log"]);
        Assert.Equal(before["audit_log"] + 1, after["audit_log"]);
        Assert.Equal(before["list_state.version"] + UploadRows, after["list_state.version"]);
        await database.AssertConsistentAsync();
        Assert.Equal("flagged", await host.VerdictAsync(Phone("139", 0)));
        Assert.Equal("flagged", await host.VerdictAsync(Phone("139", UploadRows / 2)));
        Assert.Equal("flagged", await host.VerdictAsync(Phone("139", UploadRows - 1)));
        TestContext.Current.TestOutputHelper?.WriteLine($"{GetType().Name} upload: {evidence}");
    }

    [Fact]
    public async Task AServiceKilledInTheMiddleOfAnAppealApprovalLeavesTheAppealOpenAndTheEntryFlaggedAndTheResentDecisionClearsItOnce()
    {
        await using var host = await ServiceHost.StartAsync(await CreateDatabaseAsync());
        var database = host.Database;
        using var publisher = host.Client(host.PublisherKey);
        await host.ReadAsync(await publisher.PostAsync("/v1/batches", Json(JsonList("appeal-1", "138", 1_000))), HttpStatusCode.Created);
        var number = Phone("138", 500);
        using var anonymous = host.Client();
        var filed = await host.ReadAsync(await anonymous.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone",
            value = number,
            appellant = new { name = "王秀英", contact = "13900139000" },
            statement = "这是我开小卖部用了八年的号码。",
            evidence = Array.Empty<object>(),
        }), HttpStatusCode.Created);
        var id = filed.GetProperty("id").GetInt64();
        using var reviewer = host.Client(host.ReviewerKey);
        var etag = (await reviewer.GetAsync($"/v1/review/appeals/{id}")).Headers.ETag!.ToString();
        var before = await database.CountsAsync();

        var evidence = await KillMidwayAsync(host, database, () => reviewer.SendAsync(Approval(id, etag)), sqliteWalWrite: 10);

        Assert.Equal(before, await database.CountsAsync());
        Assert.Equal("submitted", await database.TextAsync($"SELECT status FROM appeals WHERE id = {id}"));
        await database.AssertConsistentAsync();
        await host.RestartAsync();
        Assert.Equal("flagged", await host.VerdictAsync(number));

        using var again = host.Client(host.ReviewerKey);
        var decided = await host.ReadAsync(await again.SendAsync(Approval(id, etag)), HttpStatusCode.OK);
        Assert.Equal("approved", decided.GetProperty("status").GetString());
        await Problem.AssertAsync(await again.SendAsync(Approval(id, etag)), HttpStatusCode.PreconditionFailed, "stale_appeal");

        var after = await database.CountsAsync();
        Assert.Equal(before["appeals approved"] + 1, after["appeals approved"]);
        Assert.Equal(before["change_log"] + 1, after["change_log"]);
        Assert.Equal(before["audit_log"] + 1, after["audit_log"]);
        Assert.Equal(before["list_state.version"] + 1, after["list_state.version"]);
        Assert.Equal(before["entries active"] - 1, after["entries active"]);
        await database.AssertConsistentAsync();
        Assert.Equal("cleared", await host.VerdictAsync(number));
        Assert.Equal("flagged", await host.VerdictAsync(Phone("138", 501)));
        TestContext.Current.TestOutputHelper?.WriteLine($"{GetType().Name} appeal: {evidence}");
    }

    [Fact]
    public async Task AServiceKilledInTheMiddleOfRetractingA20000RowListKeepsTheListWholeAndTheResentRetractionRetractsItOnce()
    {
        await using var host = await ServiceHost.StartAsync(await CreateDatabaseAsync());
        var database = host.Database;
        using var publisher = host.Client(host.PublisherKey);
        var listed = await host.ReadAsync(
            await publisher.PostAsync("/v1/batches?reference=retract-1&title=Retracted", new StringContent(CsvList("137", RetractedRows), Encoding.UTF8, "text/csv")),
            HttpStatusCode.Created);
        var id = listed.GetProperty("id").GetInt64();
        var before = await database.CountsAsync();

        var evidence = await KillMidwayAsync(host, database, () => publisher.PostAsJsonAsync($"/v1/batches/{id}/retract", new { reason = "Published by mistake." }), sqliteWalWrite: 2_001);

        Assert.Equal(before, await database.CountsAsync());
        await database.AssertConsistentAsync();
        await host.RestartAsync();
        Assert.Equal("flagged", await host.VerdictAsync(Phone("137", 0)));
        Assert.Equal("flagged", await host.VerdictAsync(Phone("137", RetractedRows - 1)));

        using var again = host.Client(host.PublisherKey);
        var retracted = await host.ReadAsync(await again.PostAsJsonAsync($"/v1/batches/{id}/retract", new { reason = "Published by mistake." }), HttpStatusCode.OK);
        Assert.Equal(RetractedRows, retracted.GetProperty("removed").GetInt32());
        await Problem.AssertAsync(await again.PostAsJsonAsync($"/v1/batches/{id}/retract", new { reason = "Published by mistake." }), HttpStatusCode.Conflict, "already_retracted");

        var after = await database.CountsAsync();
        Assert.Equal(before["lists retracted"] + 1, after["lists retracted"]);
        Assert.Equal(before["change_log"] + RetractedRows, after["change_log"]);
        Assert.Equal(before["entries active"] - RetractedRows, after["entries active"]);
        Assert.Equal(before["entry_sources open"] - RetractedRows, after["entry_sources open"]);
        Assert.Equal(before["audit_log"] + 1, after["audit_log"]);
        await database.AssertConsistentAsync();
        Assert.Equal("clear", await host.VerdictAsync(Phone("137", 0)));
        Assert.Equal("clear", await host.VerdictAsync(Phone("137", RetractedRows - 1)));
        TestContext.Current.TestOutputHelper?.WriteLine($"{GetType().Name} retraction: {evidence}");
    }

    private protected abstract Task<ServiceDatabase> CreateDatabaseAsync();

    /// <summary>
    /// Sends the request and kills the service (SIGKILL) while the request's transaction has written part of its change
    /// and not committed; returns what shows that it was in the middle.
    /// </summary>
    /// <param name="sqliteWalWrite">On SQLite, the write into the WAL at which the process dies.</param>
    private protected abstract Task<string> KillMidwayAsync(ServiceHost host, ServiceDatabase database, Func<Task<HttpResponseMessage>> send, int sqliteWalWrite);

    /// <summary>The process dies and the request gets no answer.</summary>
    private protected static async Task WaitForDeathAsync(ServiceHost host, Task<HttpResponseMessage> request)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var exited = host.Process.WaitForExitAsync(limit.Token);
        var first = await Task.WhenAny(exited, request);
        if (first == request && request.IsCompletedSuccessfully)
        {
            Assert.Fail($"The request finished ({(int)request.Result.StatusCode}) before the service was killed.\n{host.Describe()}");
        }

        await exited;
        Assert.Equal(128 + 9, host.Process.ExitCode);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => request);
    }

    private static string Phone(string prefix, int index) => "+86" + prefix + index.ToString("D8", CultureInfo.InvariantCulture);

    private static string JsonList(string reference, string prefix, int rows)
    {
        var json = new StringBuilder($"{{\"reference\":\"{reference}\",\"title\":\"Faults\",\"entries\":[");
        for (var i = 0; i < rows; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("{\"kind\":\"phone\",\"value\":\"").Append(Phone(prefix, i)).Append("\",\"category\":\"impersonating_authorities\",\"risk\":\"high\"}");
        }

        return json.Append("]}").ToString();
    }

    private static string CsvList(string prefix, int rows)
    {
        var csv = new StringBuilder("kind,value,category,risk,note\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append("phone,").Append(Phone(prefix, i)).Append(",loan_or_card,medium,\n");
        }

        return csv.ToString();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpRequestMessage Approval(long id, string etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/review/appeals/{id}/decision")
        {
            Content = JsonContent.Create(new { decision = "approve", reason = "The carrier confirmed the owner.", verification = "carrier_real_name" }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return request;
    }
}
