using FlagApi.Data;
using FlagApi.Lists;
using Microsoft.Extensions.Options;

namespace FlagApi.Demo;

public static class DemoServiceExtensions
{
    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        builder.Services.AddHostedService<DemoSeed>();
        return builder;
    }
}

/// <summary>
/// Publishes the demo list while the service starts, once the database fits this build and before the loaders read it
/// (see <see cref="DatabaseStartup"/>): a newcomer's first lookup finds it.
/// </summary>
internal sealed class DemoSeed(IServiceProvider services, DatabaseStartup database) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => database.StartOrDeferAsync("demo list", SeedAsync, cancellationToken);

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await DemoList.SeedIfEnabledAsync(scope.ServiceProvider, cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

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
