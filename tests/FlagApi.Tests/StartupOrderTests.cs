using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlagApi.Tests;

/// <summary>
/// The schema check and migration run before anything reads the database, whatever order the services were added in: a
/// loader added first, before the data layer, finds the schema current when it starts.
/// </summary>
public sealed class StartupOrderTests
{
    private readonly SqliteTarget target = new();

    [Fact]
    public async Task ALoaderAddedBeforeTheDataLayerStartsOnAMigratedDatabase()
    {
        var probe = new SchemaProbe();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Database:Provider"] = target.Provider.ToString();
        builder.Configuration["ConnectionStrings:FlagApi"] = await target.CreateDatabaseAsync();
        builder.Configuration["Database:MigrateOnStart"] = "true";
        builder.Services.AddSingleton(probe);
        builder.Services.AddHostedService<SchemaProbeService>();
        builder.AddEntries();
        builder.AddFlagData();

        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(probe.Seen!.IsCurrent, $"the loader saw schema version {probe.Seen.CurrentVersion} of {probe.Seen.LatestVersion}");
    }

    [Fact]
    public async Task TheServicesLoaderStartsAfterTheMigrationEvenWhenRegisteredFirst()
    {
        // The whole service, with a loader put in front of every hosted service it registers.
        var probe = new SchemaProbe();
        await using var app = new FlagApiFactory(target.Provider, await target.CreateDatabaseAsync())
        {
            TestServices = services =>
            {
                services.AddSingleton(probe);
                services.Insert(0, ServiceDescriptor.Singleton<IHostedService, SchemaProbeService>());
            },
        };
        _ = app.Server;

        Assert.True(probe.Seen!.IsCurrent, $"the loader saw schema version {probe.Seen.CurrentVersion} of {probe.Seen.LatestVersion}");
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Entries.CountAsync(TestContext.Current.CancellationToken));
    }

    private sealed class SchemaProbe
    {
        public SchemaStatus? Seen { get; set; }
    }

    /// <summary>A loader: reads the database when it starts, as the lookup index, the keys and the protections do.</summary>
    private sealed class SchemaProbeService(IServiceProvider services, SchemaProbe probe) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            probe.Seen = await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().StatusAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
