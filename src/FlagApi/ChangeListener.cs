using FlagApi.Data;
using Microsoft.Extensions.Options;

namespace FlagApi;

public sealed class ChangeNoticesOptions
{
    public const string Section = "ChangeNotices";

    /// <summary>
    /// Listen for other instances' change notices (PostgreSQL only), on <c>ConnectionStrings:FlagApiDirect</c> when it is
    /// set (<see cref="DirectConnection"/>), else on the main connection string. Behind a pooler that cannot hold a LISTEN
    /// (PgBouncer in transaction mode) set the direct connection; without one, turn this off: the copies then follow by
    /// polling alone. A LISTEN through such a pooler fails silently, so the service cannot warn of it.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long the listening connection may stay silent before a keepalive checks that it is still there.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the first attempt to listen again after the connection was lost; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>An in-memory copy of database state that other instances' writes change: told when a notice of its topic is heard.</summary>
public interface IChangeFollower
{
    /// <summary>The topic of the notices its writers send (<see cref="ChangeNotices"/>).</summary>
    string ChangeTopic { get; }

    /// <summary>
    /// A notice of this topic arrived, with what followed the topic (after a colon), or null when notices may have been
    /// missed (listening began or resumed): refresh soon. Must return at once; the refresh runs on the copy's own loop.
    /// </summary>
    void Heard(string? detail);
}

/// <summary>
/// Listens on PostgreSQL for the change notices other instances send when they commit a write, and wakes the copy that
/// holds what changed, so that a write on one instance is served by the others in well under a second. Polling goes on
/// all the time: a notice sent while this instance was not listening is lost, so on (re)connecting every copy is
/// refreshed, and a copy's timer catches whatever else slips through. This instance's own notices come back too; they
/// cost one refresh that finds the change applied already (the list index skips even that).
/// </summary>
public sealed class ChangeListener(
    DatabaseProviderInfo database,
    DirectConnection session,
    IEnumerable<IChangeFollower> followers,
    IOptions<ChangeNoticesOptions> options,
    ILogger<ChangeListener> logger) : BackgroundService
{
    private readonly IReadOnlyList<IChangeFollower> followers = [.. followers];
    private volatile bool listening;

    /// <summary>Whether this instance hears other instances' changes now; null where it does not listen at all (SQLite, or turned off).</summary>
    public bool? Listening => Applies ? listening : null;

    private bool Applies => database.Provider == DatabaseProvider.Postgres && options.Value.Enabled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Applies)
        {
            return;
        }

        var settings = options.Value;
        var delay = settings.ReconnectDelay;
        var lost = false;
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await ChangeNotices.ListenAsync(session.ConnectionString, settings.KeepAlive, Heard, stoppingToken);
                listening = true;
                delay = settings.ReconnectDelay;
                if (first)
                {
                    // Where it listens, so an operator behind a pooler can see it is the server itself (never the password).
                    logger.LogInformation("Listening for other instances' changes on {Channel} at {Endpoint} ({Connection})", ChangeNotices.Channel,
                        session.Endpoint, session.Configured ? $"ConnectionStrings:{DirectConnection.ConnectionStringName}" : $"ConnectionStrings:{DataServiceExtensions.ConnectionStringName}");
                    first = false;
                }
                else if (lost)
                {
                    logger.LogInformation("Listening for other instances' changes again; refreshing every copy for those sent meanwhile");
                }

                lost = false;

                // Notices sent before the LISTEN (while starting, or disconnected) are not delivered: read everything once.
                foreach (var follower in followers)
                {
                    follower.Heard(null);
                }

                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                listening = false;
                if (!lost)
                {
                    logger.LogWarning("Not hearing other instances' changes ({Reason}); polling brings them until listening resumes", DatabaseFailures.Describe(ex));
                    lost = true;
                }
            }

            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxReconnectDelay.Ticks));
        }
    }

    private void Heard(string notice)
    {
        logger.LogDebug("Heard the change notice {Notice}", notice);
        var colon = notice.IndexOf(':', StringComparison.Ordinal);
        var topic = colon < 0 ? notice : notice[..colon];
        var detail = colon < 0 ? null : notice[(colon + 1)..];
        foreach (var follower in followers)
        {
            // A topic nobody follows is a newer version's, during a rolling upgrade: its own polling covers it.
            if (string.Equals(follower.ChangeTopic, topic, StringComparison.Ordinal))
            {
                follower.Heard(detail ?? string.Empty);
            }
        }
    }
}

public static class ChangeListenerExtensions
{
    /// <summary>Listens for other instances' change notices; each copy registers itself as an <see cref="IChangeFollower"/>.</summary>
    public static IHostApplicationBuilder AddChangeListener(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChangeNoticesOptions>()
            .BindConfiguration(ChangeNoticesOptions.Section)
            .Validate(o => o.KeepAlive >= TimeSpan.FromSeconds(1), "ChangeNotices:KeepAlive must be at least one second.")
            .Validate(o => o.ReconnectDelay > TimeSpan.Zero && o.MaxReconnectDelay >= o.ReconnectDelay,
                "ChangeNotices:ReconnectDelay must be positive and no longer than ChangeNotices:MaxReconnectDelay.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ChangeNoticesOptions>, DirectConnectionValidation>();
        builder.Services.AddSingleton(sp => DirectConnection.Resolve(
            sp.GetRequiredService<DatabaseProviderInfo>(),
            sp.GetRequiredService<IConfiguration>().GetConnectionString(DirectConnection.ConnectionStringName)));
        builder.Services.AddSingleton<ChangeListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChangeListener>());
        return builder;
    }
}

/// <summary>
/// Checks <c>ConnectionStrings:FlagApiDirect</c> when the service starts (with the change notices' options, which it
/// serves): a string that does not parse, or one given for a database without sessions to bypass a pooler for, stops
/// the start with one line naming the key, rather than failing the first LISTEN.
/// </summary>
internal sealed class DirectConnectionValidation(IConfiguration configuration, IOptions<DatabaseOptions> database) : IValidateOptions<ChangeNoticesOptions>
{
    public ValidateOptionsResult Validate(string? name, ChangeNoticesOptions options) =>
        DirectConnection.Problem(database.Value.Provider, configuration.GetConnectionString(DirectConnection.ConnectionStringName)) is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
}
