using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FlagApi.Tests.Load;

/// <summary>
/// What a population of app users does at once: single and batch lookups, hash-prefix lookups, community reports, appeals
/// on flagged numbers (each from its own appellant, and now and then the same appellant again, who must be given the appeal
/// already open), and appellants following their appeals. Every request sends the app key, so the load is the service's
/// and not the limiter's; every accepted report and appeal is remembered with the id the service answered.
/// </summary>
internal sealed class MixedTraffic(HttpClient client)
{
    public const string Lookup = "lookup";
    public const string BatchLookup = "batch lookup";
    public const string HashPrefix = "hash prefix";
    public const string Report = "report";
    public const string Appeal = "appeal";
    public const string AppealAgain = "appeal again";
    public const string Tracking = "appeal tracking";

    private const int BatchItems = 20;
    private const int ReportedPhones = 20_000;
    private const int Reporters = 50_000;
    private const int MaxSurprises = 20;

    private readonly ConcurrentQueue<Outcome> outcomes = new();
    private readonly ConcurrentQueue<string> surprises = new();
    private readonly ConcurrentDictionary<long, int> acceptedReports = new();
    private readonly List<FiledAppeal> filedAppeals = [];
    private int appeals = -1;
    private int surpriseCount;

    /// <summary>Per report id, how many 202s named it (the same reporter reporting the same number again keeps its id).</summary>
    public IReadOnlyDictionary<long, int> AcceptedReports => acceptedReports;

    public IReadOnlyList<FiledAppeal> FiledAppeals
    {
        get
        {
            lock (filedAppeals)
            {
                return filedAppeals.ToList();
            }
        }
    }

    public IReadOnlyList<Outcome> Outcomes => outcomes.ToList();

    /// <summary>Responses that were not what their request should get, with their bodies (the first twenty).</summary>
    public IReadOnlyList<string> Surprises => surprises.ToList();

    public int SurpriseCount => surpriseCount;

    /// <summary>Runs <paramref name="workers"/> workers for <paramref name="duration"/>, each sending its next request as soon as the last is answered.</summary>
    /// <param name="writesOnly">Only reports and appeals: every worker wants the database's write lock at once.</param>
    public async Task<LoadFigures> RunAsync(int workers, TimeSpan duration, int seed, bool writesOnly = false)
    {
        var before = outcomes.Count;
        var clock = Stopwatch.StartNew();
        var until = clock.Elapsed + duration;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(HashCode.Combine(seed, w));
            while (clock.Elapsed < until)
            {
                await (writesOnly ? SendOneWriteAsync(random) : SendOneAsync(random));
            }
        })));
        var elapsed = clock.Elapsed;
        return new LoadFigures(outcomes.Skip(before), elapsed);
    }

    private Task SendOneAsync(Random random) => random.Next(100) switch
    {
        < 40 => LookupAsync(random),
        < 50 => BatchLookupAsync(random),
        < 60 => HashPrefixAsync(random),
        < 82 => ReportAsync(random),
        < 88 => AppealAsync(),
        < 90 => AppealAgainAsync(random),
        _ => TrackingAsync(random),
    };

    private Task SendOneWriteAsync(Random random) => random.Next(4) == 0 ? AppealAsync() : ReportAsync(random);

    private Task LookupAsync(Random random)
    {
        var (kind, value) = AnyIdentifier(random);
        return SendAsync(Lookup, () => new HttpRequestMessage(HttpMethod.Get, $"/v1/lookup/{kind}?value={Uri.EscapeDataString(value)}"), HttpStatusCode.OK, null);
    }

    private Task BatchLookupAsync(Random random)
    {
        var items = Enumerable.Range(0, BatchItems).Select(_ => AnyIdentifier(random)).Select(i => new { kind = i.Kind, value = i.Value }).ToList();
        return SendAsync(BatchLookup, () => Post("/v1/lookup", new { items }), HttpStatusCode.OK, null);
    }

    private Task HashPrefixAsync(Random random)
    {
        // Half of them a prefix that holds a flagged number's hash, as a client checking a number on the list would send.
        var prefix = random.Next(2) == 0
            ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("+86" + LoadService.FlaggedPhone(random.Next(LoadService.FlaggedPhones)))))[..5]
            : random.Next(0x100000).ToString("x5", CultureInfo.InvariantCulture);
        return SendAsync(HashPrefix, () => new HttpRequestMessage(HttpMethod.Get, $"/v1/hashes/{prefix}"), HttpStatusCode.OK, null);
    }

    private Task ReportAsync(Random random)
    {
        var n = random.Next(ReportedPhones);
        var body = new
        {
            kind = "phone",
            value = n % 2 == 0 ? LoadService.FlaggedPhone(n % LoadService.FlaggedPhones) : LoadService.UnflaggedPhone(n),
            category = "fake_customer_service",
            description = "Called saying they were my bank's customer service and asked me to move money to a safe account.",
            reporterId = "user-" + random.Next(Reporters).ToString(CultureInfo.InvariantCulture),
        };
        return SendAsync(Report, () => Post("/v1/reports", body), HttpStatusCode.Accepted, json =>
        {
            acceptedReports.AddOrUpdate(json.GetProperty("id").GetInt64(), 1, (_, times) => times + 1);
            return null;
        });
    }

    /// <summary>A new appellant on the next flagged number: 201 with a tracking code and a token.</summary>
    private Task AppealAsync()
    {
        var n = Interlocked.Increment(ref appeals);
        var value = LoadService.FlaggedPhone(n % LoadService.FlaggedPhones);
        var contact = $"appellant-{n}@example.org";
        return SendAsync(Appeal, () => Post("/v1/appeals", AppealBody(value, contact)), HttpStatusCode.Created, json =>
        {
            lock (filedAppeals)
            {
                filedAppeals.Add(new FiledAppeal(json.GetProperty("id").GetInt64(), json.GetProperty("trackingCode").GetString()!,
                    json.GetProperty("accessToken").GetString()!, value, contact));
            }

            return null;
        });
    }

    /// <summary>An appellant who already has an open appeal on the number files again: 200 with that same appeal, nothing new.</summary>
    private Task AppealAgainAsync(Random random)
    {
        if (AnyFiled(random) is not { } earlier)
        {
            return AppealAsync();
        }

        return SendAsync(AppealAgain, () => Post("/v1/appeals", AppealBody(earlier.Value, earlier.Contact)), HttpStatusCode.OK, json =>
            json.GetProperty("id").GetInt64() == earlier.Id && json.GetProperty("trackingCode").GetString() == earlier.TrackingCode
                ? null
                : $"the appeal again named {json}, not the open appeal {earlier.Id} ({earlier.TrackingCode})");
    }

    private Task TrackingAsync(Random random)
    {
        if (AnyFiled(random) is not { } appeal)
        {
            return LookupAsync(random);
        }

        return SendAsync(Tracking, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/appeals/{appeal.TrackingCode}");
            request.Headers.Add("X-Appeal-Token", appeal.Token);
            return request;
        }, HttpStatusCode.OK, json => json.GetProperty("status").GetString() == "submitted" ? null : $"appeal {appeal.TrackingCode} reads {json}");
    }

    private FiledAppeal? AnyFiled(Random random)
    {
        lock (filedAppeals)
        {
            return filedAppeals.Count == 0 ? null : filedAppeals[random.Next(filedAppeals.Count)];
        }
    }

    private static (string Kind, string Value) AnyIdentifier(Random random) => random.Next(10) switch
    {
        < 4 => ("phone", LoadService.FlaggedPhone(random.Next(LoadService.FlaggedPhones))),
        < 7 => ("phone", LoadService.UnflaggedPhone(random.Next(ReportedPhones))),
        < 8 => ("domain", LoadService.FlaggedDomain(random.Next(LoadService.FlaggedDomains * 2))),
        _ => ("url", $"http://www.{LoadService.FlaggedDomain(random.Next(LoadService.FlaggedDomains * 2))}/account/verify?session={random.Next()}"),
    };

    private static object AppealBody(string value, string contact) => new
    {
        kind = "phone",
        value,
        appellant = new { name = "Load Tester", contact },
        statement = "This is my shop's number; I have used it for eight years and never called anyone about their bank.",
        evidence = new[] { new { type = "text", text = "The carrier can confirm the number is registered to my shop." } },
    };

    private static HttpRequestMessage Post(string path, object body) => new(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    /// <summary>Sends one request and records its outcome; <paramref name="check"/> reads an expected answer and names what is wrong with it, if anything.</summary>
    private async Task SendAsync(string kind, Func<HttpRequestMessage> create, HttpStatusCode expected, Func<JsonElement, string?>? check)
    {
        using var request = create();
        var started = Stopwatch.GetTimestamp();
        int status;
        string? problem = null;
        try
        {
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            status = (int)response.StatusCode;
            if (response.StatusCode != expected)
            {
                problem = $"{status} {Encoding.UTF8.GetString(body)}";
            }
            else if (check is not null)
            {
                problem = check(JsonDocument.Parse(body).RootElement);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            status = 0;
            problem = $"no response: {ex.GetType().Name}: {ex.Message}";
        }

        outcomes.Enqueue(new Outcome(kind, status, Stopwatch.GetElapsedTime(started)));
        if (problem is not null && Interlocked.Increment(ref surpriseCount) <= MaxSurprises)
        {
            surprises.Enqueue($"{kind} {request.Method} {request.RequestUri}: {problem}");
        }
    }
}

/// <summary>An appeal the service answered 201 for: what it said and what was sent.</summary>
internal sealed record FiledAppeal(long Id, string TrackingCode, string Token, string Value, string Contact);
