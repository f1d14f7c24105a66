namespace FlagApi.Tests.Architecture;

/// <summary>
/// The service's namespaces form a graph without cycles, and the storage layer uses no capability: a capability's rules live
/// in its own folder and reach the database through Data, never the other way round.
/// </summary>
public sealed class NamespaceDependencyTests(ITestOutputHelper output)
{
    private static NamespaceGraph Graph => NamespaceGraph.Service;

    [Fact]
    public void NoNamespaceUsesOneThatUsesItBack()
    {
        var cycles = Graph.Cycles();
        foreach (var cycle in cycles)
        {
            output.WriteLine($"cycle: {string.Join(", ", cycle)}");
            foreach (var from in cycle)
            {
                foreach (var to in Graph.UsedBy(from).Where(cycle.Contains))
                {
                    output.WriteLine("  " + Graph.Describe(from, to));
                }
            }
        }

        Assert.Empty(cycles);
    }

    [Fact]
    public void DataUsesNoOtherNamespaceOfTheService()
    {
        var used = Graph.UsedBy("FlagApi.Data").Order(StringComparer.Ordinal).ToList();
        foreach (var to in used)
        {
            output.WriteLine(Graph.Describe("FlagApi.Data", to));
        }

        Assert.Empty(used);
    }

    [Fact]
    public void TheGraphSeesWhatTheSourceUses()
    {
        // Guards the two tests above against a graph that came out empty (a compilation that bound nothing):
        // the composition root builds every capability, and the lists capability writes through the entry ledger.
        Assert.Contains("FlagApi.Lists", Graph.UsedBy(NamespaceGraph.CompositionRoot));
        Assert.Contains("FlagApi.Data", Graph.UsedBy("FlagApi.Lists"));
        Assert.True(Graph.Uses.Count >= 15, $"only {Graph.Uses.Count} namespaces use another");
    }
}
