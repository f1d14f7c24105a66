using System.Text.Json;
using FlagApi.Data;
using FlagApi.Feed;
using FlagApi.Lists;
using FlagApi.Lookup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests.Infrastructure;

/// <summary>
/// Random changes to a test application's list, each made the way the service makes it: lists published (some rows with an
/// expiry), lists retracted, entries cleared as an approved appeal clears them, and time moved on, with the expiry sweep or
/// without it. The tests of the feeds interleave them to show a copy follows whatever happens.
/// </summary>
/// <param name="app">The application whose list changes.</param>
/// <param name="random">Decides every step, so a seed repeats a run.</param>
/// <param name="pool">The identifiers lists are drawn from (kind, value as published); a small pool makes them meet again.</param>
public sealed class ListChurn(FlagApiFactory app, Random random, IReadOnlyList<(string Kind, string Value)> pool)
{
    public static readonly string[] Categories = ["task_brushing", "loan_or_card", "impersonating_authorities", "fake_customer_service", "other"];
    public static readonly string[] Risks = ["low", "medium", "high"];

    /// <summary>24 numbers and 8 domains.</summary>
    public static readonly IReadOnlyList<(string Kind, string Value)> NumbersAndDomains =
    [
        .. Enumerable.Range(0, 24).Select(i => ("phone", $"138001{i:D5}")),
        .. Enumerable.Range(0, 8).Select(i => ("domain", $"bad{i}.example")),
    ];

    private readonly List<long> lists = [];
    private int references;

    /// <summary>How many steps of each kind were taken: <c>publish</c>, <c>retract</c>, <c>clear</c>, <c>sweep</c>, <c>expire unswept</c>.</summary>
    public Dictionary<string, int> Steps { get; } = [];

    /// <summary>
    /// One random step: a publication (two chances in five), a retraction, a clearing, or 5 to 60 minutes passing. With
    /// <paramref name="sweepAlways"/> false, time passes without the sweep half the times, so entries past their expiry stay
    /// active in the database and only their expiry date says they no longer flag.
    /// </summary>
    public async Task StepAsync(bool sweepAlways = true)
    {
        switch (random.Next(5))
        {
            case 0 or 1:
                await PublishAsync();
                break;
            case 2 when lists.Count > 0:
                var list = lists[random.Next(lists.Count)];
                lists.Remove(list);
                await RetractAsync(app, list);
                Count("retract");
                break;
            case 3:
                await ClearAsync();
                break;
            default:
                app.Clock.Advance(TimeSpan.FromMinutes(random.Next(5, 60)));
                if (sweepAlways || random.Next(2) == 0)
                {
                    await SweepAsync(app);
                    Count("sweep");
                }
                else
                {
                    Count("expire unswept");
                }

                break;
        }
    }

    /// <summary>Publishes a list of 1 to 6 identifiers of the pool with random categories and risks; a third of its rows expire within two hours.</summary>
    public async Task PublishAsync()
    {
        var rows = pool.OrderBy(_ => random.Next()).Take(random.Next(1, 7)).Select(p => new Dictionary<string, string>
        {
            ["kind"] = p.Kind,
            ["value"] = p.Value,
            ["category"] = Categories[random.Next(Categories.Length)],
            ["risk"] = Risks[random.Next(Risks.Length)],
        }).ToList();
        foreach (var row in rows.Where(_ => random.Next(3) == 0))
        {
            row["expiresAt"] = app.Clock.GetUtcNow().AddMinutes(random.Next(1, 120)).ToString("O");
        }

        var outcome = await app.PublishAsync(JsonSerializer.Serialize(new { entries = rows }), reference: $"r{++references}");
        lists.Add(outcome.Result!.ListId);
        Count("publish");
    }

    /// <summary>Retracts a list as its publisher would, then waits until lookups see it.</summary>
    public static async Task RetractAsync(FlagApiFactory app, long listId)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<ListWriter>().RetractAsync(listId, "test", "published by mistake");
            Assert.Equal(RetractStatus.Retracted, result.Status);
        }

        await app.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
    }

    /// <summary>Runs the expiry sweep now; how many entries it expired.</summary>
    public static Task<int> SweepAsync(FlagApiFactory app) =>
        app.Services.GetRequiredService<ExpirySweepService>().SweepAsync(CancellationToken.None);

    /// <summary>Clears one active entry as an approved appeal does (<see cref="FlagApiFactory.ClearEntryAsync"/>).</summary>
    public async Task ClearAsync()
    {
        List<long> active;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            active = await db.Entries.Where(e => e.Status == EntryStatus.Active).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync();
        }

        if (active.Count > 0)
        {
            await app.ClearEntryAsync(active[random.Next(active.Count)]);
            Count("clear");
        }
    }

    private void Count(string step) => Steps[step] = Steps.GetValueOrDefault(step) + 1;
}
