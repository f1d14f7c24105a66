using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.Versioning;
using System.Text;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Resilience;
using Microsoft.Data.Sqlite;

namespace FlagApi.Tests.Backups;

/// <summary>
/// The <c>backup</c> command run beside a service that keeps publishing lists and answering lookups: each copy is one
/// consistent state of the database, the one at some moment between the command's start and its end. Lists are published
/// one after another, each in one transaction, so such a state holds the first <c>m</c> of them whole and none of the rest,
/// with every list acknowledged before the command started among them, and a change log without a gap up to its version.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class BackupUnderWritesTests
{
    private const int BaseEntries = 30_000;
    private const int EntriesPerList = 20;
    private const int Backups = 3;

    [Fact]
    public async Task Copies_taken_while_lists_are_published_each_hold_a_whole_prefix_of_them()
    {
        await using var host = await ServiceHost.StartAsync(new SqliteServiceDatabase());
        using var publisher = host.Client(host.PublisherKey);
        // A base large enough that copying it takes a moment, so that lists are published while the copy is made.
        await host.ReadAsync(
            await publisher.PostAsync("/v1/batches", Json(ListBody("base", BaseEntries, i => string.Create(CultureInfo.InvariantCulture, $"+86 139{i:D8}")))),
            HttpStatusCode.Created);

        var clock = Stopwatch.StartNew();
        var acknowledged = new ConcurrentQueue<(int List, TimeSpan At)>();
        var lookups = new ConcurrentQueue<(HttpStatusCode Status, TimeSpan At)>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var list = 1; !stop.IsCancellationRequested; list++)
            {
                var number = list;
                using var answer = await publisher.PostAsync("/v1/batches", Json(ListBody($"w-{number}", EntriesPerList, i => Phone(number, i))));
                await host.ReadAsync(answer, HttpStatusCode.Created);
                acknowledged.Enqueue((number, clock.Elapsed));
            }
        });
        var reader = Task.Run(async () =>
        {
            using var anonymous = host.Client();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var answer = await anonymous.GetAsync($"/v1/lookup/phone?value=%2B86139{i % BaseEntries:D8}");
                lookups.Enqueue((answer.StatusCode, clock.Elapsed));
            }
        });

        var folder = Directory.CreateTempSubdirectory("flagapi-backups-").FullName;
        var copies = new List<(string Path, TimeSpan Began, TimeSpan Ended, string Output)>();
        try
        {
            for (var b = 1; b <= Backups; b++)
            {
                await Task.Delay(500);
                var path = Path.Combine(folder, $"copy-{b}.db");
                var began = clock.Elapsed;
                var (code, output) = await host.RunCommandAsync("backup", path);
                var ended = clock.Elapsed;
                Assert.True(code == 0, $"backup exited with {code}:\n{output}\n{host.Describe()}");
                Assert.Contains("integrity ok", output, StringComparison.Ordinal);
                copies.Add((path, began, ended, output));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writer, reader);
        }

        try
        {
            AssertConsistent(copies, acknowledged, lookups);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AssertConsistent(
        List<(string Path, TimeSpan Began, TimeSpan Ended, string Output)> copies,
        ConcurrentQueue<(int List, TimeSpan At)> acknowledged,
        ConcurrentQueue<(HttpStatusCode Status, TimeSpan At)> lookups)
    {

        foreach (var (path, began, ended, output) in copies)
        {
            var context = $"{Path.GetFileName(path)}, taken from {began.TotalSeconds:0.00} s to {ended.TotalSeconds:0.00} s: {output}";
            Assert.True(acknowledged.Any(a => a.At > began && a.At < ended), $"No list was acknowledged while {context}");
            Assert.True(lookups.Any(l => l.At > began && l.At < ended), $"No lookup was answered while {context}");

            var copy = CopyState.ReadAsync(path).GetAwaiter().GetResult();
            var before = acknowledged.Where(a => a.At < began).Select(a => a.List).DefaultIfEmpty(0).Max();
            var byEnd = acknowledged.Where(a => a.At < ended).Select(a => a.List).DefaultIfEmpty(0).Max();
            Assert.Equal(Enumerable.Range(1, copy.Lists.Count), copy.Lists.Select(l => l.Number));
            Assert.True(copy.Lists.Count >= before, $"The copy holds {copy.Lists.Count} lists, but list {before} was acknowledged before it began ({context})");
            // Lists go one at a time: by the command's end at most the one in flight can be committed and not yet answered.
            Assert.True(copy.Lists.Count <= byEnd + 1, $"The copy holds {copy.Lists.Count} lists, but only {byEnd} were acknowledged by its end ({context})");
            Assert.All(copy.Lists, l => Assert.Equal((EntriesPerList, EntriesPerList), (l.EntryCount, l.Sources)));
            Assert.Equal(copy.Lists.Select(l => l.Version).Order(), copy.Lists.Select(l => l.Version));
            Assert.Equal(BaseEntries + (EntriesPerList * copy.Lists.Count), copy.ActiveEntries);
            Assert.Equal((copy.ListVersion, copy.ListVersion), (copy.ChangeLogMax, copy.ChangeLogRows));
            Assert.Equal(copy.ListVersion, copy.Lists.Count == 0 ? BaseEntries : copy.Lists[^1].Version);
            Assert.Equal(("ok", "delete"), (copy.Integrity, copy.JournalMode));
        }

        Assert.All(lookups, l => Assert.Equal(HttpStatusCode.OK, l.Status));
        Assert.True(copies[^1].Began > copies[0].Began && acknowledged.Count > Backups, $"{acknowledged.Count} lists published");
    }

    private static string Phone(int list, int row) => string.Create(CultureInfo.InvariantCulture, $"+86 150{list:D4}{row:D4}");

    private static string ListBody(string reference, int rows, Func<int, string> phone)
    {
        var json = new StringBuilder($"{{\"reference\":\"{reference}\",\"title\":\"Backup under writes\",\"entries\":[");
        for (var i = 0; i < rows; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("{\"kind\":\"phone\",\"value\":\"").Append(phone(i)).Append("\",\"category\":\"task_brushing\",\"risk\":\"high\"}");
        }

        return json.Append("]}").ToString();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private sealed record CopiedList(int Number, long Version, long EntryCount, long Sources);

    /// <summary>What a copy holds, read with SQLite directly, not through the service, which would repair nothing but could hide.</summary>
    private sealed record CopyState(
        IReadOnlyList<CopiedList> Lists, long ActiveEntries, long ListVersion, long ChangeLogMax, long ChangeLogRows, string Integrity, string JournalMode)
    {
        public static async Task<CopyState> ReadAsync(string path)
        {
            await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            var lists = new List<CopiedList>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = """
                    SELECT l.reference, l.version, l.entry_count, (SELECT COUNT(*) FROM entry_sources s WHERE s.list_id = l.id)
                    FROM lists l WHERE l.reference LIKE 'w-%'
                    """;
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    lists.Add(new CopiedList(int.Parse(reader.GetString(0)[2..], CultureInfo.InvariantCulture), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
                }
            }

            return new CopyState(
                [.. lists.OrderBy(l => l.Number)],
                await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM entries WHERE status = 'active'"),
                await ScalarAsync<long>(connection, "SELECT version FROM list_state"),
                await ScalarAsync<long>(connection, "SELECT MAX(version) FROM change_log"),
                await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM change_log"),
                await ScalarAsync<string>(connection, "PRAGMA integrity_check"),
                await ScalarAsync<string>(connection, "PRAGMA journal_mode"));
        }

        private static async Task<T> ScalarAsync<T>(SqliteConnection connection, string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
        }
    }
}
