using FlagApi.Lists;
using Microsoft.Extensions.Options;

namespace FlagApi.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Load the small, clearly labelled demo list on start (on in Development only).</summary>
    public bool Enabled { get; set; }
}

/// <summary>A few made-up entries so a newcomer can try a lookup at once; published like any other list, once.</summary>
public static class DemoList
{
    public const string Agency = "FlagApi demo (not real data)";
    public const string Reference = "demo-1";

    public static async Task SeedIfEnabledAsync(IServiceProvider scoped, CancellationToken cancellationToken)
    {
        if (!scoped.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled)
        {
            return;
        }

        await using var stream = typeof(DemoList).Assembly.GetManifestResourceStream("Demo.demo-list.json")!;
        var content = await ListFile.ReadAsync(stream, ListFileFormat.Json, cancellationToken: cancellationToken);
        var importer = scoped.GetRequiredService<ListImporter>();
        var outcome = await importer.ImportAsync(
            content,
            new ListSubmission(Agency, Reference, "Demo list for trying lookups: not real data", "demo", "demo-seed"),
            cancellationToken);
        if (!outcome.Succeeded)
        {
            // The demo list ships with the build; failing here means the rules and the file disagree.
            throw new InvalidOperationException("The bundled demo list does not validate: " +
                string.Join("; ", outcome.Validation.Errors.Select(e => e.Detail)));
        }
    }
}
