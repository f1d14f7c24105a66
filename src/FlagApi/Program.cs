using FlagApi;
using FlagApi.Appeals;
using FlagApi.Backups;
using FlagApi.Data;
using FlagApi.Documentation;
using FlagApi.Demo;
using FlagApi.Entries;
using FlagApi.Feed;
using FlagApi.Hashes;
using FlagApi.Health;
using FlagApi.Keys;
using FlagApi.KeyManagement;
using FlagApi.Lists;
using FlagApi.Lookup;
using FlagApi.Messages;
using FlagApi.Notifications;
using FlagApi.Observability;
using FlagApi.Portal;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using FlagApi.Protection;
using FlagApi.Reports;
using FlagApi.Security;
using FlagApi.Stats;
using FlagApi.Watches;

try
{
    var hostArgs = CommandLine.HostArguments(args);
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = hostArgs, ContentRootPath = ServiceStart.ContentRoot(hostArgs) });
    builder.AddObservability();
    builder.AddSecurityHeaders();
    builder.AddCrossOrigin();
    builder.AddProblemHandling();
    builder.AddFlagData();
    builder.AddReadReplica();
    builder.AddChangeListener();
    builder.AddLists();
    builder.AddDemo();
    builder.AddKeys();
    builder.AddHealth();
    builder.AddRateLimits();
    builder.AddLookup();
    builder.AddMessageCheck();
    builder.AddFeed();
    builder.AddHashes();
    builder.AddEntries();
    builder.AddProtection();
    builder.AddReportSubmission();
    builder.AddAppellantAppeals();
    builder.AddAppealReview();
    builder.AddNotifications();
    builder.AddReportReview();
    builder.AddWatches();
    builder.AddStats();
    builder.AddBackups();
    builder.AddApiDocs();
    builder.AddPortal();

    if (CommandLine.IsInvoked(args))
    {
        return await CommandLine.RunAsync(builder.Build().Services, args);
    }

    var app = builder.Build();
    app.UseTrustedProxies();
    app.UseLookupDirectPath();
    app.UseObservability();
    app.UseSecurityHeaders();
    app.UseProblemHandling();
    app.UseDeprecatedRoutes();
    app.UseCrossOrigin();
    app.UseKeys();
    app.UseRateLimits();
    app.UseFeedCompression();
    app.MapApiDocs();
    app.MapHealth();
    app.MapMetrics();
    app.MapLookup();
    app.MapMessageCheck();
    app.MapFeed();
    app.MapHashes();
    app.MapLists();
    app.MapKeys();
    app.MapEntries();
    app.MapProtection();
    app.MapAppellantAppeals();
    app.MapAppealReview();
    app.MapReportSubmission();
    app.MapReportReview();
    app.MapWatches();
    app.MapStats();
    app.MapPortal();
    await app.RunAsync();
}
catch (Exception failure) when (ServiceStart.IsOwnProcess && ServiceStart.Refusal(failure) is { } refusal)
{
    // A setting that does not validate is the operator's to fix: one line saying which, not the host's stack trace.
    await Console.Error.WriteLineAsync(refusal);
    return CommandLine.Failed;
}

return 0;

/// <summary>The entry point, public so integration tests can host the app.</summary>
public partial class Program;
