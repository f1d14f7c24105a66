using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// Two processes of the built service over one PostgreSQL database, as behind a load balancer, driven only through HTTP:
/// what is written through one is served by the other within two seconds (each follows the change log every
/// <c>Lookup:PollInterval</c>, 1 s), keys within <c>Keys:RefreshInterval</c> and a second, and rate limits are each
/// instance's own.
/// </summary>
public sealed class TwoInstancesTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    private static readonly TimeSpan Consistency = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task AListPublishedOnOneInstanceIsFlaggedByTheOtherWithinTwoSeconds()
    {
        var (a, b) = await instances.StartedAsync();
        using var publisher = a.Client(instances.PublisherKey);

        await instances.PublishAsync(publisher, "13800138001", "list-1");

        var took = await instances.WithinAsync(Consistency, () => VerdictIsAsync(b, "13800138001", "flagged"), "B flags the number A published");
        Assert.True(took <= Consistency, $"B flagged it after {took.TotalMilliseconds:F0} ms.\n{instances.Describe()}");
    }

    [Fact]
    public async Task AnAppealFiledOnOneInstanceAndApprovedOnTheOtherIsClearedOnTheFirstWithinTwoSeconds()
    {
        var (a, b) = await instances.StartedAsync();
        using var publisher = a.Client(instances.PublisherKey);
        using var reviewerOnA = a.Client(instances.ReviewerKey);
        using var anonymousOnB = b.Client();
        await instances.PublishAsync(publisher, "13800138002", "list-2");
        await instances.WithinAsync(Consistency, () => VerdictIsAsync(b, "13800138002", "flagged"), "B flags the number A published");

        var filed = await anonymousOnB.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone",
            value = "13800138002",
            appellant = new { name = "王秀英", contact = "13900139000" },
            statement = "这是我开小卖部用了八年的号码。",
            evidence = Array.Empty<object>(),
        });
        var appeal = await instances.ReadAsync(filed, HttpStatusCode.Created);
        var id = appeal.GetProperty("id").GetInt64();

        // The reviewer on A reads the appeal filed on B: it is in the database, not in B's memory.
        var seen = await reviewerOnA.GetAsync($"/v1/review/appeals/{id}");
        await instances.ReadAsync(seen, HttpStatusCode.OK);
        using var decision = new HttpRequestMessage(HttpMethod.Post, $"/v1/review/appeals/{id}/decision")
        {
            Content = JsonContent.Create(new { decision = "approve", reason = "The carrier confirmed the owner.", verification = "carrier_real_name" }),
        };
        decision.Headers.TryAddWithoutValidation("If-Match", seen.Headers.ETag!.ToString());
        await instances.ReadAsync(await reviewerOnA.SendAsync(decision), HttpStatusCode.OK);

        var took = await instances.WithinAsync(Consistency, () => VerdictIsAsync(b, "13800138002", "cleared"), "B clears the number A's reviewer approved");
        Assert.True(took <= Consistency, $"B cleared it after {took.TotalMilliseconds:F0} ms.\n{instances.Describe()}");
    }

    [Fact]
    public async Task AReportAcceptedOnOneInstanceIsFlaggedByTheOtherWithinTwoSeconds()
    {
        var (a, b) = await instances.StartedAsync();
        using var anonymousOnB = b.Client();
        using var reviewerOnB = b.Client(instances.ReviewerKey);
        var reported = await anonymousOnB.PostAsJsonAsync("/v1/reports", new
        {
            kind = "phone", value = "13800138003", category = "task_brushing", description = "Offered paid likes, then asked for a deposit.",
        });
        var id = (await instances.ReadAsync(reported, HttpStatusCode.Accepted)).GetProperty("id").GetInt64();

        var accepted = await reviewerOnB.PostAsJsonAsync($"/v1/reports/{id}/decision", new
        {
            decision = "accept", category = "task_brushing", risk = "medium", reason = "The script matches known task scams.",
        });
        await instances.ReadAsync(accepted, HttpStatusCode.OK);

        var took = await instances.WithinAsync(Consistency, () => VerdictIsAsync(a, "13800138003", "flagged"), "A flags the report B accepted");
        Assert.True(took <= Consistency, $"A flagged it after {took.TotalMilliseconds:F0} ms.\n{instances.Describe()}");
    }

    [Fact]
    public async Task AKeyRevokedOnOneInstanceIsRefusedByTheOtherWithinTheKeyRefreshIntervalAndASecond()
    {
        var (a, b) = await instances.StartedAsync();
        using var admin = a.Client(instances.AdminKey);
        var (id, secret) = await instances.CreateKeyAsync(admin, "app", agency: null);
        var limit = TwoInstances.KeyRefresh + TimeSpan.FromSeconds(1);
        await instances.WithinAsync(limit, () => AnswersAsync(b, secret, HttpStatusCode.OK), "B accepts the key A issued");

        var revoked = await admin.DeleteAsync($"/v1/keys/{id}");
        Assert.True(revoked.StatusCode == HttpStatusCode.NoContent, $"Revoking answered {(int)revoked.StatusCode}.\n{instances.Describe()}");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(a, secret));

        var took = await instances.WithinAsync(limit, () => AnswersAsync(b, secret, HttpStatusCode.Unauthorized), "B refuses the key A revoked");
        Assert.True(took <= limit, $"B refused it after {took.TotalMilliseconds:F0} ms.\n{instances.Describe()}");
    }

    [Fact]
    public async Task AListPublishedOnOneInstanceRightAfterAnotherProtectedANumberCannotFlagIt()
    {
        var (a, b) = await instances.StartedAsync();
        using var admin = a.Client(instances.AdminKey);
        using var publisherOnB = b.Client(instances.PublisherKey);
        var protectedOnA = await admin.PostAsJsonAsync("/v1/protected", new { kind = "phone", value = "13800138005", reason = "A bank's fraud hotline" });
        await instances.ReadAsync(protectedOnA, HttpStatusCode.Created);

        // At once, well within B's Protection:RefreshInterval: B reads the allowlist from the database for a write.
        var published = await publisherOnB.PostAsJsonAsync("/v1/batches", new
        {
            reference = "list-5",
            entries = new[] { new { kind = "phone", value = "13800138005", category = "impersonating_authorities" } },
        });

        await Problem.AssertAsync(published, HttpStatusCode.UnprocessableEntity, "invalid_rows");
        Assert.True(await VerdictIsAsync(b, "13800138005", "clear"), instances.Describe());
    }

    [Fact]
    public async Task BothInstancesServeTheSameFeedAndTheSameListVersion()
    {
        var (a, b) = await instances.StartedAsync();
        using var publisher = a.Client(instances.PublisherKey);
        await instances.PublishAsync(publisher, "13800138004", "list-4");
        await instances.WithinAsync(Consistency, () => VerdictIsAsync(b, "13800138004", "flagged"), "B flags the number A published");

        var feedOnA = await FeedAsync(a);
        var feedOnB = await FeedAsync(b);

        Assert.Equal(feedOnA.GetProperty("toVersion").GetInt64(), feedOnB.GetProperty("toVersion").GetInt64());
        Assert.Equal(feedOnA.GetProperty("changes").GetRawText(), feedOnB.GetProperty("changes").GetRawText());
        Assert.Contains(feedOnA.GetProperty("changes").EnumerateArray(), c => c.GetProperty("value").GetString() == "+8613800138004");
        var toVersion = feedOnA.GetProperty("toVersion").GetInt64();
        foreach (var instance in new[] { a, b })
        {
            var lookup = await LookupAsync(instance, "13800138004");
            Assert.True(
                lookup.GetProperty("listVersion").GetInt64() == toVersion,
                $"{instance.Name} answers at list version {lookup.GetProperty("listVersion")}, the feed is at {toVersion}.\n{instances.Describe()}");
        }
    }

    [Fact]
    public async Task EachInstanceCountsItsOwnRateLimitsSoTwoInstancesAllowTwiceTheBudget()
    {
        var (a, b) = await instances.StartedAsync();
        using var anonymousOnA = a.Client();
        using var anonymousOnB = b.Client();

        var onA = await SpendAnonymousLookupsAsync(anonymousOnA);
        var onB = await SpendAnonymousLookupsAsync(anonymousOnB);

        var budget = TwoInstances.AnonymousLookups;
        Assert.True(onA.Answered == budget && onB.Answered == budget, $"A answered {onA.Answered}, B {onB.Answered}; each should answer {budget}.\n{instances.Describe()}");
        await Problem.AssertAsync(onA.Refusal, HttpStatusCode.TooManyRequests, "rate_limited");
        await Problem.AssertAsync(onB.Refusal, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    /// <summary>Anonymous lookups until the first refusal: how many were answered, and the refusal.</summary>
    private static async Task<(int Answered, HttpResponseMessage Refusal)> SpendAnonymousLookupsAsync(HttpClient client)
    {
        for (var answered = 0; answered <= TwoInstances.AnonymousLookups; answered++)
        {
            var response = await client.GetAsync("/v1/lookup/phone?value=13700137000");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return (answered, response);
            }
        }

        Assert.Fail($"More than {TwoInstances.AnonymousLookups} anonymous lookups were answered.");
        return default;
    }

    private async Task<bool> VerdictIsAsync(Instance instance, string phone, string verdict) =>
        (await LookupAsync(instance, phone)).GetProperty("verdict").GetString() == verdict;

    private async Task<JsonElement> LookupAsync(Instance instance, string phone)
    {
        using var client = instance.Client(instances.AppKey);
        return await instances.ReadAsync(await client.GetAsync($"/v1/lookup/phone?value={phone}"), HttpStatusCode.OK);
    }

    private async Task<JsonElement> FeedAsync(Instance instance)
    {
        using var client = instance.Client(instances.AppKey);
        return await instances.ReadAsync(await client.GetAsync("/v1/feed/changes?since=0"), HttpStatusCode.OK);
    }

    private static async Task<bool> AnswersAsync(Instance instance, string key, HttpStatusCode status) =>
        await StatusAsync(instance, key) == status;

    private static async Task<HttpStatusCode> StatusAsync(Instance instance, string key)
    {
        using var client = instance.Client(key);
        using var response = await client.GetAsync("/v1/lookup/phone?value=13700137000");
        return response.StatusCode;
    }
}

/// <summary>One running instance: its process and a way to talk to it.</summary>
public sealed class Instance(string name, Uri address)
{
    public string Name { get; } = name;

    public HttpClient Client(string? key = null) => ServiceCalls.Client(address, key, TimeSpan.FromSeconds(30));
}

/// <summary>
/// Instances A and B over one fresh PostgreSQL database, started once for the class (a start costs seconds), both at
/// the same moment as a deployment would, with the admin key given by <c>Bootstrap__AdminKey</c> and a publisher,
/// a reviewer and an app key issued through A.
/// </summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public const int AnonymousLookups = 3;

    public static readonly TimeSpan KeyRefresh = TimeSpan.FromSeconds(2);

    private readonly PostgresTarget database = new();
    private readonly List<ServiceProcess> processes = [];
    private readonly List<string> dataFolders = [];
    private Task<(Instance A, Instance B)>? started;

    public string AdminKey { get; } = RandomSecret();

    public string PublisherKey { get; private set; } = "";

    public string ReviewerKey { get; private set; } = "";

    public string AppKey { get; private set; } = "";

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Both instances, ready; skips (or fails in CI) without PostgreSQL.</summary>
    public Task<(Instance A, Instance B)> StartedAsync()
    {
        PostgresTarget.SkipUnlessConfigured();
        lock (processes)
        {
            return started ??= StartAsync();
        }
    }

    /// <summary>Every instance's output, for an assertion message.</summary>
    public string Describe()
    {
        lock (processes)
        {
            return string.Join('\n', processes.Select(p => p.Describe()));
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds and returns how long that took; fails with the instances' output if it never does.</summary>
    public async Task<TimeSpan> WithinAsync(TimeSpan limit, Func<Task<bool>> condition, string what)
    {
        // Keep looking well past the limit, so a failure says how late it was rather than only that it was.
        var giveUp = limit * 5;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > giveUp)
            {
                Assert.Fail($"{what}: not after {giveUp.TotalSeconds} s.\n{Describe()}");
            }

            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    public Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected) => ServiceCalls.ReadAsync(response, expected, Describe);

    public async Task PublishAsync(HttpClient publisher, string phone, string reference)
    {
        var response = await publisher.PostAsJsonAsync("/v1/batches", new
        {
            reference,
            title = "Two instances",
            entries = new[] { new { kind = "phone", value = phone, category = "impersonating_authorities", risk = "high" } },
        });
        await ReadAsync(response, HttpStatusCode.Created);
    }

    public async Task<(long Id, string Secret)> CreateKeyAsync(HttpClient admin, string role, string? agency)
    {
        var key = await ServiceCalls.CreateKeyAsync(admin, $"two instances {role}", role, agency, Describe);
        return (key.GetProperty("id").GetInt64(), key.GetProperty("key").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        lock (processes)
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }

        foreach (var folder in dataFolders)
        {
            Directory.Delete(folder, recursive: true);
        }

        await database.DisposeAsync();
    }

    private async Task<(Instance A, Instance B)> StartAsync()
    {
        var connectionString = await database.CreateDatabaseAsync();
        var shared = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__FlagApi"] = connectionString,
            ["Database__MigrateOnStart"] = "true",
            ["Bootstrap__AdminKey"] = AdminKey,
            ["Reports__HashKey"] = RandomSecret(),
            ["Keys__RefreshInterval"] = KeyRefresh.ToString(),
            ["RateLimiting__Tiers__anonymous__Lookup__PermitLimit"] = AnonymousLookups.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimiting__Tiers__anonymous__Lookup__Window"] = "01:00:00",
        };

        // Started together, as a deployment starts its replicas: both migrate and both try to store the bootstrap key.
        var instances = new List<Instance>();
        foreach (var name in new[] { "A", "B" })
        {
            var folder = Directory.CreateTempSubdirectory($"flagapi-instance-{name}-").FullName;
            var process = ServiceProcess.Start($"instance {name}", new Dictionary<string, string>(shared) { ["Database__DataDirectory"] = folder });
            lock (processes)
            {
                dataFolders.Add(folder);
                processes.Add(process);
            }

            instances.Add(new Instance(process.Name, process.Address));
        }

        await Task.WhenAll(processes.Select(p => p.WaitUntilReadyAsync(TimeSpan.FromSeconds(90))));
        var (a, b) = (instances[0], instances[1]);

        using var admin = a.Client(AdminKey);
        PublisherKey = (await CreateKeyAsync(admin, "publisher", "Two instances police")).Secret;
        ReviewerKey = (await CreateKeyAsync(admin, "reviewer", agency: null)).Secret;
        AppKey = (await CreateKeyAsync(admin, "app", agency: null)).Secret;
        foreach (var key in new[] { PublisherKey, ReviewerKey, AppKey })
        {
            await WithinAsync(KeyRefresh + TimeSpan.FromSeconds(1), () => KnownAsync(b, key), "B accepts the keys A issued");
        }

        return (a, b);
    }

    private static async Task<bool> KnownAsync(Instance instance, string key)
    {
        using var client = instance.Client(key);
        using var response = await client.GetAsync("/v1/batches");
        return response.StatusCode != HttpStatusCode.Unauthorized;
    }

    private static string RandomSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
