// In-process costs of a lookup's parts, with BenchmarkDotNet. Runs in this process (no generated project) with few
// iterations, so that benchmarks/run.sh stays short; writes summary.tsv (name, median nanoseconds per operation, bytes
// allocated per operation, benchmark class; a line each) to the artifacts folder for run.sh's table.
// usage: dotnet run -c Release --project benchmarks/FlagApi.Benchmarks -- [--quick] [--artifacts DIR] [--filter PATTERN]
// or, for the index alone at a given size: -- --index-scale N --snapshot FILE (build | load)   (IndexScale.cs)
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

if (OptionValue(args, "--index-scale") is { } scale)
{
    return FlagApi.Benchmarks.IndexScale.Run(
        int.Parse(scale, CultureInfo.InvariantCulture),
        OptionValue(args, "--snapshot") ?? throw new ArgumentException("--index-scale needs --snapshot FILE"),
        build: !args.Contains("load"));
}

var quick = args.Contains("--quick");
var artifacts = Path.GetFullPath(OptionValue(args, "--artifacts") ?? "BenchmarkDotNet.Artifacts");
var filter = OptionValue(args, "--filter") ?? "*";

var job = Job.Default
    .WithLaunchCount(1)
    .WithWarmupCount(quick ? 2 : 3)
    .WithIterationCount(quick ? 3 : 10)
    .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(quick ? 100 : 250))
    // A forced full collection between iterations walks the million-entry index each time: minutes, not seconds.
    .WithGcForce(false)
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithId(quick ? "Quick" : "Short");
var config = DefaultConfig.Instance
    .AddJob(job)
    .WithArtifactsPath(artifacts);

var summaries = BenchmarkSwitcher.FromAssembly(typeof(FlagApi.Benchmarks.IndexBenchmarks).Assembly)
    .Run(["--filter", filter], config);

var lines = summaries
    .SelectMany(s => s.Reports)
    .Where(r => r.ResultStatistics is not null)
    .Select(r => string.Create(CultureInfo.InvariantCulture,
        $"{r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'')}\t{r.ResultStatistics!.Median:F3}\t{r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) ?? 0}\t{r.BenchmarkCase.Descriptor.Type.Name}"))
    .ToList();
Directory.CreateDirectory(artifacts);
File.WriteAllLines(Path.Combine(artifacts, "summary.tsv"), lines);
return lines.Count > 0 && summaries.All(s => !s.HasCriticalValidationErrors) ? 0 : 1;

static string? OptionValue(string[] args, string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
