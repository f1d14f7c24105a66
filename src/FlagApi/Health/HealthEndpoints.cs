using System.Globalization;
using FlagApi.Data;
using FlagApi.Lookup;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Health;

public sealed record LiveResponse(string Status);

/// <param name="ListVersion">The list version this instance answers lookups from.</param>
/// <param name="DatabaseVersion">The list version in the database; null when it cannot be read.</param>
/// <param name="Behind">How many list versions this instance has still to apply (changes written by other processes arrive within Lookup:PollInterval).</param>
/// <param name="LastCatchUpAt">When this instance last read the change log.</param>
/// <param name="Status">
/// <c>ready</c>; <c>degraded</c> while the database does not answer but lookups are served from memory, for up to
/// Health:DatabaseGracePeriod (200 both); <c>not_ready</c> (503).
/// </param>
/// <param name="Listening">
/// On PostgreSQL, whether this instance hears other instances' change notices now; while false it learns of their
/// writes by polling alone until it listens again. Null on SQLite and with ChangeNotices:Enabled false.
/// </param>
/// <param name="DatabaseUnansweredSince">Since when the readiness checks have found the database not answering; null while it answers.</param>
public sealed record ReadyResponse(
    string Status, bool Database, bool ListLoaded, long ListVersion, int Entries, string? Problem,
    long? DatabaseVersion = null, long? Behind = null, DateTime? LastCatchUpAt = null, bool? Listening = null,
    DateTime? DatabaseUnansweredSince = null);

public static class HealthEndpoints
{
    /// <summary>Registers the <c>probe</c> command, which asks a running instance the question <see cref="MapHealth"/> answers.</summary>
    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ICommand, ProbeCommand>();
        builder.Services.AddOptions<HealthOptions>()
            .BindConfiguration(HealthOptions.Section)
            .Validate(o => o.DatabaseGracePeriod >= TimeSpan.Zero, "Health:DatabaseGracePeriod cannot be negative.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DatabaseOutage>();
        return builder;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", Live)
            .WithName("HealthLive")
            .WithSummary("Liveness: the process is up")
            .WithDescription("Answers 200 while the process runs; it checks nothing else, so a restart is only triggered by a hung process.")
            .WithMetadata(ServedWithoutDatabase.Instance);
        group.MapGet("/ready", ReadyAsync)
            .WithName("HealthReady")
            .WithSummary("Readiness: the flagged list is loaded and the database answers")
            .WithDescription("503 until the database answers and the in-memory list is loaded; the body says which check failed and the list version served. "
                + "Once loaded, an instance whose database stops answering stays ready (200, status degraded) for Health:DatabaseGracePeriod, serving lookups from memory, then answers 503.")
            .Produces<ReadyResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static Ok<LiveResponse> Live() => TypedResults.Ok(new LiveResponse("live"));

    public static async Task<Results<Ok<ReadyResponse>, JsonHttpResult<ReadyResponse>>> ReadyAsync(
        FlagDbContext db, ListIndex index, ListIndexFollower follower, ChangeListener listener, DatabaseOutage outage, IOptions<HealthOptions> options,
        TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        string? problem = null;
        var database = false;
        long? databaseVersion = null;

        // The index's version first: read after the database's, a change applied in between would look like negative lag.
        var listVersion = index.Version;
        try
        {
            if (await db.Database.CanConnectAsync(cancellationToken)
                && await db.ListState.AsNoTracking().Select(s => (long?)s.Version).SingleOrDefaultAsync(cancellationToken) is { } version)
            {
                database = true;
                databaseVersion = version;
            }

            if (!database)
            {
                problem = "The database does not answer or has no schema.";
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An outage is reported by the refresh loops already; a probe every few seconds need not add a stack trace each.
            var logger = loggers.CreateLogger(typeof(HealthEndpoints));
            if (DatabaseFailures.IsUnavailable(ex))
            {
                logger.LogDebug("Readiness check could not reach the database: {Reason}", DatabaseFailures.Describe(ex));
            }
            else
            {
                logger.LogWarning(ex, "Readiness check could not reach the database");
            }

            problem = "The database does not answer.";
        }

        if (!index.IsLoaded)
        {
            problem ??= "The flagged list is not loaded yet.";
        }

        DateTimeOffset? unanswered = null;
        if (database)
        {
            outage.Answered();
        }
        else
        {
            unanswered = outage.NotAnswered();
        }

        // A loaded instance rides out a database outage (a failover, a restart) serving lookups from memory, for a while.
        var degraded = !database && index.IsLoaded && time.GetUtcNow() - unanswered < options.Value.DatabaseGracePeriod;
        if (degraded)
        {
            problem += string.Create(CultureInfo.InvariantCulture,
                $" Lookups are served from memory; not ready once it has not answered for Health:DatabaseGracePeriod ({options.Value.DatabaseGracePeriod.TotalSeconds:0} s).");
        }

        var ready = database && index.IsLoaded;
        var body = new ReadyResponse(
            ready ? "ready" : degraded ? "degraded" : "not_ready", database, index.IsLoaded, listVersion, index.Count, problem,
            databaseVersion, databaseVersion is { } v && index.IsLoaded ? Math.Max(0, v - listVersion) : null, follower.LastCatchUpAt, listener.Listening,
            unanswered?.UtcDateTime);
        return ready || degraded ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
