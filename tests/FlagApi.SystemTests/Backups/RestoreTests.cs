using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlagApi.Backups;
using FlagApi.Reports;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;
using FlagApi.Tests.Resilience;
using Npgsql;

namespace FlagApi.Tests.Backups;

/// <summary>
/// SQLite: the <c>backup</c> command run beside the running service into a folder, as a cron line runs it, and the restore
/// docs/operations.md gives: the copy becomes <c>flagapi.db</c> of a new data folder, and the reporter hash key the command
/// copied beside it becomes that folder's <c>reports-hash.key</c>.
/// </summary>
[Collection(nameof(Restores))]
[UnsupportedOSPlatform("windows")]
public sealed class RestoreOnSqlite : RestoreTests
{
    private protected override Task<ServiceDatabase> CreateDatabaseAsync() => Task.FromResult<ServiceDatabase>(new SqliteServiceDatabase());

    private protected override async Task<ServiceDatabase> BackUpAndRestoreAsync(ServiceHost original, string folder, long listVersion)
    {
        var (code, output) = await original.RunCommandAsync("backup", folder + Path.DirectorySeparatorChar);
        Assert.True(code == 0, $"backup exited with {code}:\n{output}");
        var backup = Assert.Single(Directory.GetFiles(folder, "flagapi-*.db"));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"list version {listVersion:N0} "), output, StringComparison.Ordinal);
        Assert.Contains("integrity ok.", output, StringComparison.Ordinal);
        var key = backup + BackupCommand.HashKeySuffix;
        Assert.True(File.Exists(key), $"backup copied no reporter hash key to {key}:\n{output}");

        var restored = new SqliteServiceDatabase();
        File.Copy(backup, restored.FilePath);
        File.Copy(key, Path.Combine(restored.DataDirectory, ReporterHasher.KeyFileName));
        return restored;
    }
}

/// <summary>
/// PostgreSQL: <c>pg_dump -Fc</c> of the running service's database and <c>pg_restore --no-owner</c> into a new database,
/// as docs/operations.md gives them; the service on the restore keeps the original's <c>Reports:HashKey</c>, which is
/// configuration, not data. The client tools are required: CI installs PostgreSQL from Debian, which brings them.
/// </summary>
[Collection(nameof(Restores))]
[UnsupportedOSPlatform("windows")]
public sealed class RestoreOnPostgres(PostgresTarget target) : RestoreTests, IClassFixture<PostgresTarget>
{
    private protected override async Task<ServiceDatabase> CreateDatabaseAsync() => await PostgresServiceDatabase.CreateAsync(target);

    private protected override async Task<ServiceDatabase> BackUpAndRestoreAsync(ServiceHost original, string folder, long listVersion)
    {
        var dump = Path.Combine(folder, "flagapi.dump");
        var source = new NpgsqlConnectionStringBuilder(((PostgresServiceDatabase)original.Database).ConnectionString);
        await RunClientToolAsync("pg_dump", source, folder, "-Fc", "-d", source.Database!, "-f", dump);

        var restored = await PostgresServiceDatabase.CreateAsync(target);
        var into = new NpgsqlConnectionStringBuilder(restored.ConnectionString);
        await RunClientToolAsync("pg_restore", into, folder, "--no-owner", "--exit-on-error", "-d", into.Database!, dump);
        return restored;
    }

    /// <summary>Runs pg_dump or pg_restore against the server and role of the connection, its password in <c>PGPASSWORD</c>.</summary>
    private static async Task RunClientToolAsync(string tool, NpgsqlConnectionStringBuilder connection, string folder, params string[] arguments)
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
        Assert.True(onPath is not null,
            $"{tool} is not on the PATH. The restore test needs PostgreSQL's client tools (Debian: postgresql-client, which the " +
            "server packages CI installs depend on); it fails rather than skips without them.");

        string[] server = ["-h", connection.Host!, "-p", connection.Port.ToString(CultureInfo.InvariantCulture), "-U", connection.Username!, "--no-password"];
        var (code, output) = await Processes.RunAsync(onPath, [.. server, .. arguments], folder, TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["PGPASSWORD"] = connection.Password ?? "" });
        Assert.True(code == 0, $"{tool} {string.Join(' ', arguments)} exited with {code}:\n{output}");
    }
}

/// <summary>Services and client tools heavy enough for two cores: the two databases' restores run one after the other.</summary>
[CollectionDefinition(nameof(Restores))]
public sealed class Restores;

/// <summary>
/// Issue 25: a backup is only as good as its restore. A database with lists from two agencies (one list retracted), reports
/// (accepted, rejected, pending), appeals with attachments (approved, open, answering a request for information), keys and
/// the change log of all that is backed up while the service runs, restored into a fresh database, and a service started
/// on the restore answers every read the same, serves the same attachment bytes, counts the same reporters, and continues
/// the list version where the original stopped, without a gap a feed client would have to start again for.
/// </summary>
[UnsupportedOSPlatform("windows")]
public abstract class RestoreTests
{
    private const string Harbour = "Harbour police";

    /// <summary>A 1×1 PNG, which the appeal rules recognise by its content.</summary>
    private static readonly byte[] Png =
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
    ];

    private static readonly byte[] Pdf = "%PDF-1.4 a phone bill for the restore test"u8.ToArray();

    protected RestoreTests() => LinuxOnly.SkipUnlessLinux("The service's backup and PostgreSQL's client tools run as child processes");

    [Fact]
    public async Task AServiceOnARestoredBackupAnswersAsTheOriginalDidAndContinuesItsListVersionWithoutAGap()
    {
        var folder = Directory.CreateTempSubdirectory("flagapi-backup-").FullName;
        try
        {
            await using var original = await ServiceHost.StartAsync(await CreateDatabaseAsync());
            var state = await BuildStateAsync(original);
            var before = await ReadEverythingAsync(original, state);
            var listVersion = long.Parse(before["list version"], CultureInfo.InvariantCulture);
            var counts = await original.Database.CountsAsync();

            var copy = await BackUpAndRestoreAsync(original, folder, listVersion);
            await using var restored = await ServiceHost.StartOnCopyAsync(original, copy);

            // The rows first: the reads below may add audit rows of their own.
            Assert.Equal(counts, await copy.CountsAsync());
            await copy.AssertConsistentAsync();
            AssertSame(before, await ReadEverythingAsync(restored, state));

            await AssertTheSameReportersCountOnceAsync(restored, state);
            await AssertNewWritesContinueTheListVersionAsync(restored, state, listVersion);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private protected abstract Task<ServiceDatabase> CreateDatabaseAsync();

    /// <summary>Backs the running service's database up and restores the backup into a new database, as an operator would.</summary>
    /// <param name="folder">A folder of the test's own for the backup's files.</param>
    /// <param name="listVersion">The list version the original answered just before, which a backup that reports it must show.</param>
    private protected abstract Task<ServiceDatabase> BackUpAndRestoreAsync(ServiceHost original, string folder, long listVersion);

    /// <summary>What the test made, to read back on either service.</summary>
    private sealed record State(string AppKey, long[] Lists, Appeal[] Appeals, string[] Lookups, Dictionary<string, long> Reports);

    private sealed record Appeal(long Id, string Code, string Token, string Phone);

    /// <summary>
    /// Everything through the HTTP API, so that the history is the one the service writes: three lists, one retracted (adds,
    /// a second source, removes and entries kept by another list), reports by distinct reporters decided both ways and left
    /// pending, three appeals (approved, open with a PDF, answered with a PNG after a request for information), two keys.
    /// </summary>
    private static async Task<State> BuildStateAsync(ServiceHost host)
    {
        using var admin = host.Client(host.AdminKey);
        var appKey = (await ServiceCalls.CreateKeyAsync(admin, "restore app", "app", null, host.Describe)).GetProperty("key").GetString()!;
        var harbourKey = (await ServiceCalls.CreateKeyAsync(admin, "restore harbour", "publisher", Harbour, host.Describe)).GetProperty("key").GetString()!;
        using var faults = host.Client(host.PublisherKey);
        using var harbour = host.Client(harbourKey);

        var listA = await host.ReadAsync(await faults.PostAsJsonAsync("/v1/batches", new
        {
            reference = "restore-a",
            title = "Impersonators",
            publishedOn = "2026-11-30",
            entries = Enumerable.Range(0, 12).Select(i => (object)new { kind = "phone", value = Phone("137", i), category = "impersonating_authorities", risk = "high" })
                .Append(new { kind = "url", value = "https://restore-a.example/pay", category = "other", risk = "medium" })
                .Append(new { kind = "account", value = "wechat:wxid_restorea", category = "other", risk = "high" }),
        }), HttpStatusCode.Created);
        var listB = await host.ReadAsync(await harbour.PostAsync(
            "/v1/batches?reference=restore-b&title=Loans", Csv(Enumerable.Range(0, 8).Select(i => Phone("138", i)).Concat(Enumerable.Range(8, 4).Select(i => Phone("137", i))))),
            HttpStatusCode.Created);
        var listC = await host.ReadAsync(await harbour.PostAsync(
            "/v1/batches?reference=restore-c&title=Mistaken", Csv(Enumerable.Range(0, 4).Select(i => Phone("136", i)).Concat([Phone("137", 10), Phone("137", 11)]))),
            HttpStatusCode.Created);
        var retraction = await host.ReadAsync(
            await harbour.PostAsJsonAsync($"/v1/batches/{listC.GetProperty("id").GetInt64()}/retract", new { reason = "Published by mistake." }), HttpStatusCode.OK);
        Assert.Equal(4, retraction.GetProperty("removed").GetInt32());
        Assert.Equal(2, retraction.GetProperty("keptByOtherSources").GetInt32());

        // Reports: reporters are an app's users (reporterId) and the test itself, anonymous from 127.0.0.1.
        using var app = host.Client(appKey);
        using var anonymous = host.Client();
        using var reviewer = host.Client(host.ReviewerKey);
        var reports = new Dictionary<string, long>();
        async Task<long> ReportAsync(HttpClient client, string phone, string? user)
        {
            var received = await host.ReadAsync(await client.PostAsJsonAsync("/v1/reports", new
            {
                kind = "phone",
                value = phone,
                category = "impersonating_authorities",
                description = "自称公安局，要求转账到安全账户。",
                reporterId = user,
            }), HttpStatusCode.Accepted);
            var id = received.GetProperty("id").GetInt64();
            reports[$"{phone} by {user ?? "anonymous"}"] = id;
            return id;
        }

        var accepted = await ReportAsync(app, Phone("139", 1), "u1");
        await ReportAsync(app, Phone("139", 1), "u2");
        await ReportAsync(app, Phone("139", 1), "u3");
        var rejected = await ReportAsync(app, Phone("139", 2), "u1");
        await ReportAsync(anonymous, Phone("139", 2), null);
        await ReportAsync(app, Phone("139", 3), "u4");
        await ReportAsync(anonymous, Phone("139", 4), null);
        await host.ReadAsync(await reviewer.PostAsJsonAsync($"/v1/reports/{accepted}/decision", new
        {
            decision = "accept", category = "impersonating_authorities", risk = "high", reason = "Three callers describe the same script.",
        }), HttpStatusCode.OK);
        await host.ReadAsync(await reviewer.PostAsJsonAsync($"/v1/reports/{rejected}/decision", new
        {
            decision = "reject", reason = "A delivery company's number.",
        }), HttpStatusCode.OK);

        // Appeals: approved (its entry cleared), open with a PDF, and one that answered a request for information with a PNG.
        var approved = await FileAppealAsync(host, Phone("137", 0), "13900139001", [("contract.png", Png)]);
        var open = await FileAppealAsync(host, Phone("137", 1), "13900139002", [("bill.pdf", Pdf)]);
        var answered = await FileAppealAsync(host, Phone("137", 2), "13900139003", []);
        await host.ReadAsync(await reviewer.SendAsync(Decision(approved.Id, await ETagAsync(host, reviewer, approved.Id), "approve")), HttpStatusCode.OK);
        await host.ReadAsync(await reviewer.PostAsJsonAsync($"/v1/review/appeals/{open.Id}/assign", new { }), HttpStatusCode.OK);
        await host.ReadAsync(
            await reviewer.PostAsJsonAsync($"/v1/review/appeals/{answered.Id}/request-info", new { message = "Please send a photo of your SIM card contract." }),
            HttpStatusCode.OK);
        using var appellant = host.Client();
        appellant.DefaultRequestHeaders.Add("X-Appeal-Token", answered.Token);
        await host.ReadAsync(await appellant.PostAsJsonAsync($"/v1/appeals/{answered.Code}/messages", new
        {
            message = "The contract is attached.",
            attachments = new[] { new { fileName = "sim-contract.png", contentBase64 = Convert.ToBase64String(Png) } },
        }), HttpStatusCode.OK);

        long[] lists = [listA.GetProperty("id").GetInt64(), listB.GetProperty("id").GetInt64(), listC.GetProperty("id").GetInt64()];
        string[] lookups = [Phone("137", 0), Phone("137", 1), Phone("137", 10), Phone("138", 3), Phone("136", 0), Phone("139", 1), Phone("139", 2), Phone("139", 4)];
        return new State(appKey, lists, [approved, open, answered], lookups, reports);
    }

    /// <summary>
    /// Every read a client, an appellant, a reviewer or the public can make of what the test wrote, by name: the feed's
    /// snapshot and its whole change log, the statistics, each list, the keys, each appeal as its appellant and as a
    /// reviewer sees it (with its ETag) and its attachments' bytes, the report queues, and lookups of every kind of outcome.
    /// </summary>
    private static async Task<SortedDictionary<string, string>> ReadEverythingAsync(ServiceHost host, State state)
    {
        using var app = host.Client(state.AppKey);
        using var admin = host.Client(host.AdminKey);
        using var reviewer = host.Client(host.ReviewerKey);
        using var anyone = host.Client();
        var read = new SortedDictionary<string, string>(StringComparer.Ordinal);
        async Task<JsonElement> ReadAsync(string name, HttpClient client, string path, params string[] changing)
        {
            var response = await client.GetAsync(path);
            var json = await host.ReadAsync(response, HttpStatusCode.OK);
            read[name] = Without(json, changing);
            return json;
        }

        var snapshot = await ReadAsync("feed snapshot", app, "/v1/feed/snapshot");
        read["list version"] = snapshot.GetProperty("version").GetInt64().ToString(CultureInfo.InvariantCulture);
        await ReadAsync("feed changes since 0", app, "/v1/feed/changes?since=0&limit=10000");

        // generatedAt is the time of the computation, which on the restore is later; every figure is from the data.
        await ReadAsync("stats", anyone, "/v1/stats", "generatedAt");
        await ReadAsync("lists", anyone, "/v1/batches?pageSize=500");
        foreach (var id in state.Lists)
        {
            await ReadAsync($"list {id}", anyone, $"/v1/batches/{id}?pageSize=500");
        }

        await ReadAsync("keys", admin, "/v1/keys");
        await ReadAsync("appeal queue", reviewer, "/v1/review/appeals?pageSize=500");
        foreach (var appeal in state.Appeals)
        {
            using var appellant = host.Client();
            appellant.DefaultRequestHeaders.Add("X-Appeal-Token", appeal.Token);
            await ReadAsync($"appeal {appeal.Code} as its appellant", appellant, $"/v1/appeals/{appeal.Code}");

            var response = await reviewer.GetAsync($"/v1/review/appeals/{appeal.Id}");
            var view = await host.ReadAsync(response, HttpStatusCode.OK);
            read[$"appeal {appeal.Id} as a reviewer"] = Without(view);
            read[$"appeal {appeal.Id} ETag"] = response.Headers.ETag!.ToString();
            foreach (var attachment in view.GetProperty("attachments").EnumerateArray())
            {
                var id = attachment.GetProperty("id").GetInt64();
                var download = await reviewer.GetAsync($"/v1/review/appeals/{appeal.Id}/attachments/{id}");
                Assert.Equal(HttpStatusCode.OK, download.StatusCode);
                read[$"appeal {appeal.Id} attachment {id}"] =
                    $"{download.Content.Headers.ContentType} {Convert.ToBase64String(await download.Content.ReadAsByteArrayAsync())}";
            }
        }

        foreach (var status in new[] { "pending", "accepted", "rejected" })
        {
            await ReadAsync($"reports {status}", reviewer, $"/v1/reports?status={status}&pageSize=200");
        }

        foreach (var phone in state.Lookups)
        {
            await ReadAsync($"lookup {phone}", anyone, $"/v1/lookup/phone?value={Uri.EscapeDataString(phone)}");
        }

        await ReadAsync("lookup url", anyone, $"/v1/lookup/url?value={Uri.EscapeDataString("https://restore-a.example/pay")}");
        await ReadAsync("lookup account", anyone, $"/v1/lookup/account?value={Uri.EscapeDataString("wechat:wxid_restorea")}");
        return read;
    }

    private static void AssertSame(SortedDictionary<string, string> original, SortedDictionary<string, string> restored)
    {
        Assert.True(original.Keys.SequenceEqual(restored.Keys),
            $"The restore answers other things: missing {string.Join(", ", original.Keys.Except(restored.Keys))}; " +
            $"new {string.Join(", ", restored.Keys.Except(original.Keys))}.");
        var differences = original
            .Where(read => read.Value != restored[read.Key])
            .Select(read => $"{read.Key}:\n  original: {Cut(read.Value)}\n  restored: {Cut(restored[read.Key])}")
            .ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} of {original.Count} reads answer otherwise on the restore:\n{string.Join('\n', differences)}");
        Assert.Contains(original, read => read.Key.Contains("attachment", StringComparison.Ordinal));
    }

    /// <summary>
    /// The reporters of the backup report again on the restore: each one's report is its earlier one (the same id, one more
    /// time), so the reporter counts as before. That needs the original's hash key: with another, each is a new reporter.
    /// </summary>
    private static async Task AssertTheSameReportersCountOnceAsync(ServiceHost host, State state)
    {
        using var app = host.Client(state.AppKey);
        using var anonymous = host.Client();
        foreach (var (client, phone, user) in new[] { (app, Phone("139", 3), "u4"), (anonymous, Phone("139", 4), (string?)null) })
        {
            var received = await host.ReadAsync(await client.PostAsJsonAsync("/v1/reports", new
            {
                kind = "phone", value = phone, category = "impersonating_authorities", description = "又打来了，还是同一套说辞。", reporterId = user,
            }), HttpStatusCode.Accepted);
            var earlier = state.Reports[$"{phone} by {user ?? "anonymous"}"];
            Assert.True(earlier == received.GetProperty("id").GetInt64(),
                $"{user ?? "The anonymous caller"}, reporting {phone} again on the restore, made report {received.GetProperty("id")}, not a repeat of " +
                $"report {earlier}: the restore hashes reporters with another key, so every reporter counts anew.");
        }

        using var reviewer = host.Client(host.ReviewerKey);
        var pending = await host.ReadAsync(await reviewer.GetAsync("/v1/reports?status=pending&pageSize=200"), HttpStatusCode.OK);
        foreach (var phone in new[] { Phone("139", 3), Phone("139", 4) })
        {
            var group = pending.GetProperty("items").EnumerateArray().Single(g => g.GetProperty("value").GetString() == phone);
            Assert.Equal(1, group.GetProperty("reporters").GetInt32());
            Assert.Equal(2, group.GetProperty("times").GetInt32());
        }
    }

    /// <summary>
    /// A list and an appeal decision on the restore take the versions right after the original's last: a feed client that
    /// synced from the original to the backup's version asks from there and gets exactly the new changes, none skipped.
    /// </summary>
    private static async Task AssertNewWritesContinueTheListVersionAsync(ServiceHost host, State state, long listVersion)
    {
        using var faults = host.Client(host.PublisherKey);
        string[] added = [.. Enumerable.Range(0, 4).Select(i => Phone("135", i))];
        var published = await host.ReadAsync(await faults.PostAsJsonAsync("/v1/batches", new
        {
            reference = "restore-after",
            title = "After the restore",
            entries = added.Select(phone => new { kind = "phone", value = phone, category = "impersonating_authorities", risk = "high" }),
        }), HttpStatusCode.Created);
        Assert.Equal(listVersion + added.Length, published.GetProperty("listVersion").GetInt64());

        // The open appeal, decided with the ETag the original gave: the restore holds its revision too.
        using var reviewer = host.Client(host.ReviewerKey);
        var open = state.Appeals[1];
        var etag = await ETagAsync(host, reviewer, open.Id);
        await host.ReadAsync(await reviewer.SendAsync(Decision(open.Id, etag, "approve")), HttpStatusCode.OK);

        using var app = host.Client(state.AppKey);
        var feed = await host.ReadAsync(await app.GetAsync($"/v1/feed/changes?since={listVersion}&limit=1000"), HttpStatusCode.OK);
        var changes = feed.GetProperty("changes").EnumerateArray()
            .Select(c => (Version: c.GetProperty("version").GetInt64(), Op: c.GetProperty("op").GetString(), Value: c.GetProperty("value").GetString()))
            .ToList();
        Assert.Equal(LongRange(listVersion + 1, added.Length + 1), changes.Select(c => c.Version));
        Assert.Equal(added.Order(StringComparer.Ordinal), changes.Take(added.Length).Where(c => c.Op == "add").Select(c => c.Value!).Order(StringComparer.Ordinal));
        Assert.Equal(("remove", open.Phone), (changes[^1].Op!, changes[^1].Value!));
        Assert.Equal(listVersion + added.Length + 1, feed.GetProperty("toVersion").GetInt64());
        Assert.False(feed.GetProperty("more").GetBoolean());
        Assert.Equal("cleared", await host.VerdictAsync(open.Phone));
        Assert.Equal("flagged", await host.VerdictAsync(added[0]));
    }

    private static IEnumerable<long> LongRange(long start, int count) => Enumerable.Range(0, count).Select(i => start + i);

    private static async Task<Appeal> FileAppealAsync(ServiceHost host, string phone, string contact, (string Name, byte[] Bytes)[] attachments)
    {
        using var anonymous = host.Client();
        var filed = await host.ReadAsync(await anonymous.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone",
            value = phone,
            appellant = new { name = "王秀英", contact },
            statement = "这是我开小卖部用了八年的号码。",
            evidence = new[] { "营业执照上登记的就是这个号码。" },
            attachments = attachments.Select(a => new { fileName = a.Name, contentBase64 = Convert.ToBase64String(a.Bytes) }),
        }), HttpStatusCode.Created);
        return new Appeal(filed.GetProperty("id").GetInt64(), filed.GetProperty("trackingCode").GetString()!, filed.GetProperty("accessToken").GetString()!, phone);
    }

    private static async Task<string> ETagAsync(ServiceHost host, HttpClient reviewer, long id)
    {
        var response = await reviewer.GetAsync($"/v1/review/appeals/{id}");
        await host.ReadAsync(response, HttpStatusCode.OK);
        return response.Headers.ETag!.ToString();
    }

    private static HttpRequestMessage Decision(long id, string etag, string decision)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/review/appeals/{id}/decision")
        {
            Content = JsonContent.Create(new { decision, reason = "The carrier confirmed the owner.", verification = "carrier_real_name" }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return request;
    }

    /// <summary>The JSON as text, without the named top-level properties.</summary>
    private static string Without(JsonElement json, params string[] properties)
    {
        var node = JsonNode.Parse(json.GetRawText())!;
        foreach (var property in properties)
        {
            Assert.True(node.AsObject().Remove(property), $"The answer has no {property} to leave out: {json}");
        }

        return node.ToJsonString();
    }

    private static string Cut(string text) => text.Length <= 3000 ? text : text[..3000] + "…";

    private static string Phone(string prefix, int index) => "+86" + prefix + index.ToString("D8", CultureInfo.InvariantCulture);

    private static StringContent Csv(IEnumerable<string> phones) =>
        new("kind,value,category,risk,note\n" + string.Concat(phones.Select(phone => $"phone,{phone},loan_or_card,medium,\n")), Encoding.UTF8, "text/csv");
}
