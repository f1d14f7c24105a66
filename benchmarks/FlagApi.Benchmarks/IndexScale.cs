using System.Diagnostics;
using System.Globalization;
using FlagApi.Identifiers;
using FlagApi.Lookup;

namespace FlagApi.Benchmarks;

/// <summary>
/// The index alone at a size no database here holds (issue 21's 100 M entries): generated phone entries put in the
/// index the way a first start reads them, its snapshot written, then, in a second process, the snapshot read back as a
/// restart reads it; each prints the time it took, the resident memory after a full collection, and what a hit costs.
/// This is the index, not the service: no database, change log, HTTP or feed is in it.
/// usage: dotnet run -c Release --project benchmarks/FlagApi.Benchmarks -- --index-scale N --snapshot FILE (build | load)
/// </summary>
internal static class IndexScale
{
    private const int Probes = 2_000_000;

    public static int Run(int entries, string snapshot, bool build)
    {
        var clock = Stopwatch.StartNew();
        var before = ResidentMegabytes();
        EntryTable table;
        if (build)
        {
            var index = GeneratedPhones.Index(entries, "Generated phone list");
            Print($"put {entries:N0} entries in the index in {clock.Elapsed.TotalSeconds:F1} s");
            table = index.Table;
            clock.Restart();
            IndexSnapshotFile.Write(snapshot, table, new SnapshotAnchor(entries, entries, GeneratedPhones.Added.Ticks, 0, 0));
            Print($"wrote the snapshot ({new FileInfo(snapshot).Length / (1 << 20):N0} MiB) in {clock.Elapsed.TotalSeconds:F1} s");
        }
        else
        {
            (table, _) = IndexSnapshotFile.Read(snapshot);
            Print($"read the snapshot of {table.Count:N0} entries in {clock.Elapsed.TotalSeconds:F1} s");
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var after = ResidentMegabytes();
        Print($"VmRSS {after:N0} MB ({before:N0} MB before), {(after - before) * 1024.0 * 1024 / table.Count:F0} bytes per entry; peak {PeakMegabytes():N0} MB");

        var random = new Random(7);
        var keys = Enumerable.Range(0, 1 << 16).Select(_ => GeneratedPhones.Number(random.Next(table.Count))).ToArray();
        for (var round = 1; round <= 3; round++)
        {
            clock.Restart();
            var hits = 0;
            for (var i = 0; i < Probes; i++)
            {
                hits += table.Find(IdentifierKind.Phone, keys[i & 0xFFFF]) >= 0 ? 1 : 0;
            }

            Print($"round {round}: {clock.Elapsed.TotalMilliseconds * 1e6 / Probes:F0} ns per hit ({hits:N0} of {Probes:N0} found)");
        }

        return 0;
    }

    private static long ResidentMegabytes() => StatusKilobytes("VmRSS:") / 1024;

    private static long PeakMegabytes() => StatusKilobytes("VmHWM:") / 1024;

    private static long StatusKilobytes(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static void Print(string line) => Console.WriteLine(line);
}
