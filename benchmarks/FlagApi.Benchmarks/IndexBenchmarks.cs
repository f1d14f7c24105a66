using BenchmarkDotNet.Attributes;
using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using FlagApi.Observability;
using FlagApi.Portal;
using FlagApi.Protection;
using FlagApi.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FlagApi.Benchmarks;

/// <summary>
/// The index at 1,000,000 phone entries (numbered as benchmarks/run.sh numbers its lists): finding a key, looking a
/// phone number up as the service does, and the batch handler with 1,000 items, without HTTP and JSON.
/// </summary>
public class IndexBenchmarks
{
    private const int Entries = 1_000_000;
    private const int Probes = 4096;

    // Built once for all the benchmarks of this class: they run in this one process.
    private static readonly Lazy<(ListIndex Index, LookupService Service)> Loaded = new(Load);

    private readonly string[] hits = new string[Probes];
    private readonly string[] misses = new string[Probes];
    private readonly string[] queries = new string[Probes];
    private ListIndex index = null!;
    private LookupService service = null!;
    private BatchLookupRequest batch = null!;

    // An API call without Accept-Language, as most are: hits get their notice in the default language.
    private readonly HttpRequest request = new DefaultHttpContext().Request;
    private IOptions<LookupOptions> lookupOptions = null!;
    private FlagApiMetrics metrics = null!;
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        (index, service) = Loaded.Value;
        var random = new Random(42);
        for (var k = 0; k < Probes; k++)
        {
            var i = random.Next(Entries);
            hits[k] = GeneratedPhones.Number(i);
            misses[k] = GeneratedPhones.Number(Entries + i);
            queries[k] = GeneratedPhones.Spelled(i);
        }

        batch = new BatchLookupRequest([.. Enumerable.Range(0, 1000).Select(k => new BatchLookupItem("phone", queries[k]))]);
        lookupOptions = Options.Create(new LookupOptions());
        metrics = new FlagApiMetrics(
            new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), index);

        if (index.Find(IdentifierKind.Phone, hits[0]) is null || index.Find(IdentifierKind.Phone, misses[0]) is not null
            || service.Lookup("phone", queries[0]).Response?.Verdict != Verdict.Flagged)
        {
            throw new InvalidOperationException("The index does not hold what the benchmarks expect.");
        }
    }

    [Benchmark(Description = "ListIndex.Find hit at 1M entries")]
    public IndexedEntry? FindHit() => index.Find(IdentifierKind.Phone, hits[next++ & (Probes - 1)]);

    [Benchmark(Description = "ListIndex.Find miss at 1M entries")]
    public IndexedEntry? FindMiss() => index.Find(IdentifierKind.Phone, misses[next++ & (Probes - 1)]);

    [Benchmark(Description = "HashIndex.Find prefix at 1M entries")]
    public int FindPrefix() => index.Hashes.Find(next++ & ((1 << 20) - 1), DateTime.UtcNow, out _).Count;

    [Benchmark(Description = "LookupService.Lookup phone hit at 1M entries")]
    public LookupResponse? Lookup() => service.Lookup("phone", queries[next++ & (Probes - 1)]).Response;

    [Benchmark(Description = "Batch handler, 1,000 phone hits at 1M entries")]
    public object LookupBatch() => LookupEndpoints.LookupBatch(batch, request, service, index, lookupOptions, metrics);

    private static (ListIndex, LookupService) Load()
    {
        var index = GeneratedPhones.Index(Entries, "Benchmark phone-1000000-0");

        // The protection and report indexes are never started: empty, as over a database without protections or reports.
        var provider = new ServiceCollection().BuildServiceProvider();
        var scopes = provider.GetRequiredService<IServiceScopeFactory>();
        var startup = new DatabaseStartup(provider, Options.Create(new DatabaseOptions()),
            new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance),
            NullLogger<DatabaseStartup>.Instance);
        var protection = new ProtectionIndex(scopes, Options.Create(new ProtectionOptions()), startup, NullLogger<ProtectionIndex>.Instance);
        var reports = new ReportIndex(scopes, Options.Create(new ReportsOptions()), startup, NullLogger<ReportIndex>.Instance);
        // Every hit carries its notice, built from list facts that this index never loaded (the notice names no list then).
        var notices = new FlagNoticeBuilder(new ListNotices(), Options.Create(new AppealsOptions()), Options.Create(new PortalOptions()));
        var service = new LookupService(index, protection, reports, notices, Options.Create(IdentifierOptions.Default), TimeProvider.System);
        return (index, service);
    }
}
