using System.ComponentModel.DataAnnotations;
using System.Data;
using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlagApi.Data;

public static class ReadReplicaServiceExtensions
{
    /// <summary>Registers <see cref="ReadReplica"/>; <c>ConnectionStrings:FlagApiReadOnly</c> other than PostgreSQL's stops the start with one line.</summary>
    public static IHostApplicationBuilder AddReadReplica(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReadReplicaOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.ReadOnlyMaxLag >= TimeSpan.Zero, "Database:ReadOnlyMaxLag cannot be negative.")
            .ValidateOnStart();
        var databaseOptions = builder.Services.AddOptions<DatabaseOptions>();
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.SqlServer })
        {
            databaseOptions.Validate(
                o => o.Provider != provider || ReadReplica.Refusal(o.Provider, builder.Configuration.GetConnectionString(ReadReplica.ConnectionStringName)) is null,
                ReadReplica.Refusal(provider, ReadReplica.ConnectionStringName)!);
        }

        builder.Services.AddSingleton<ReadReplica>();
        return builder;
    }
}

/// <summary>The list version this instance already serves (its in-memory index): a replica read never answers older list data.</summary>
public interface IServedListVersion
{
    long Version { get; }
}

/// <summary>Configuration section <c>Database</c>, the settings of <c>ConnectionStrings:FlagApiReadOnly</c>.</summary>
public sealed class ReadReplicaOptions
{
    /// <summary>
    /// How far behind the primary a replica may be for a read to be served by it, beyond the list-version gate: the replica
    /// has replayed everything it received from a streaming primary, or its last replayed commit is at most this old.
    /// </summary>
    public TimeSpan ReadOnlyMaxLag { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long reads go to the primary without trying the replica again after the replica failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReadOnlyRetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Sends heavy reads (the feed's snapshot and changes, stats, list and entry reads, cold index loads) to a PostgreSQL
/// standby named by <c>ConnectionStrings:FlagApiReadOnly</c>, when it is recent enough, and to the primary otherwise.
/// </summary>
/// <remarks>
/// A read on the replica runs in one <c>REPEATABLE READ READ ONLY</c> transaction whose first statement reads
/// <c>list_state.version</c> and the replica's lag, so the data read after it is of exactly that version. It is served by
/// the replica only when that version is at least the one this instance already serves (<see cref="IServedListVersion"/>,
/// and a feed client's <c>since</c>) and the replica is within <see cref="ReadReplicaOptions.ReadOnlyMaxLag"/>; otherwise,
/// and whenever the replica cannot be reached or fails the read, the primary answers. Without the setting every read
/// goes to the primary, as before.
/// </remarks>
public sealed class ReadReplica
{
    public const string ConnectionStringName = "FlagApiReadOnly";

    /// <summary>What a replica connection string asks for when it names several hosts and asks nothing: a standby when one answers.</summary>
    public const string DefaultTargetSessionAttributes = "prefer-standby";

    /// <summary>The reads that may go to the replica, as the metric's <c>read</c> tag names them.</summary>
    public static class Reads
    {
        public const string FeedSnapshot = "feed_snapshot";
        public const string FeedChanges = "feed_changes";
        public const string Stats = "stats";
        public const string Lists = "lists";
        public const string Entries = "entries";
        public const string IndexLoad = "index_load";
    }

    // Read in the snapshot's first statement: the list version the data is of, and how far behind the primary the replica
    // is. On a primary (no recovery) the lag is 0. A standby that has replayed all it received while its WAL receiver runs
    // is current (a role without pg_read_all_stats sees only the receiver's pid, not its status); otherwise the lag is the
    // age of its last replayed commit (none at all counts as far behind).
    internal const string GateSql = """
        SET TRANSACTION READ ONLY;
        SELECT s.version,
               CASE WHEN NOT pg_is_in_recovery() THEN 0
                    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL AND COALESCE(status, 'streaming') = 'streaming') THEN 0
                    ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8, 1e9)
               END
        FROM list_state s WHERE s.id = 1
        """;

    private readonly DbContextOptions<FlagDbContext>? replicaOptions;
    private readonly IServedListVersion served;
    private readonly ReadReplicaOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<ReadReplica> logger;
    private readonly Counter<long> reads;
    private readonly Lock state = new();
    private DateTimeOffset failedUntil = DateTimeOffset.MinValue;
    private bool failing;
    private bool behind;

    public ReadReplica(
        DatabaseProviderInfo provider, IConfiguration configuration, IServedListVersion served, IOptions<ReadReplicaOptions> options,
        IMeterFactory meters, TimeProvider time, ILogger<ReadReplica> logger)
    {
        this.served = served;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        reads = meters.Create("FlagApi").CreateCounter<long>(
            "flagapi.database.reads", "{read}",
            "Heavy reads while ConnectionStrings:FlagApiReadOnly is set, by read (feed_snapshot, feed_changes, stats, lists, entries, index_load) " +
            "and by who answered: replica, or primary with the reason (behind: older than this instance's list version or past Database:ReadOnlyMaxLag; unavailable: unreachable or failed).");
        if (provider.Provider == DatabaseProvider.Postgres && configuration.GetConnectionString(ConnectionStringName) is { } configured
            && !string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = ForReads(configured);
            replicaOptions = new DbContextOptionsBuilder<FlagDbContext>()
                .UseNpgsql(ConnectionString)
                .ConfigureWarnings(w => w.Log(
                    (RelationalEventId.ConnectionError, LogLevel.Debug),
                    (RelationalEventId.CommandError, LogLevel.Debug),
                    (CoreEventId.QueryIterationFailed, LogLevel.Debug)))
                .Options;
        }
    }

    /// <summary>Whether a read-only connection string is configured (PostgreSQL only).</summary>
    public bool Configured => replicaOptions is not null;

    /// <summary>The replica's connection string as the service uses it, or null.</summary>
    public string? ConnectionString { get; }

    /// <summary>
    /// The refusal of a read-only connection string the provider cannot use. Null when there is none or it is PostgreSQL's.
    /// SQL Server's readable secondaries (<c>ApplicationIntent=ReadOnly</c>) are not supported: the version gate needs
    /// PostgreSQL's replay functions.
    /// </summary>
    public static string? Refusal(DatabaseProvider provider, string? readOnly) =>
        string.IsNullOrWhiteSpace(readOnly) || provider == DatabaseProvider.Postgres
            ? null
            : $"ConnectionStrings:{ConnectionStringName} is set, but the database is {provider.DisplayName()}: read replicas are supported on PostgreSQL only; remove the setting.";

    /// <summary>
    /// The connection string reads use: with several hosts and no <c>Target Session Attributes</c>, it asks for
    /// <see cref="DefaultTargetSessionAttributes"/>, so a standby answers whenever one is up and the primary otherwise.
    /// </summary>
    public static string ForReads(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (PostgresHosts.Count(connectionString) > 1 && string.IsNullOrEmpty(settings.TargetSessionAttributes))
        {
            settings.TargetSessionAttributes = DefaultTargetSessionAttributes;
        }

        return settings.ConnectionString;
    }

    /// <summary>
    /// Runs <paramref name="query"/> on the replica when it is at least at this instance's list version (and at
    /// <paramref name="since"/>) and within the lag bound, all in one read-only snapshot, else on <paramref name="primary"/>.
    /// A replica that cannot be reached or fails the read leaves the read to the primary.
    /// </summary>
    public async Task<T> ReadAsync<T>(string read, long since, FlagDbContext primary, Func<FlagDbContext, Task<T>> query, CancellationToken cancellationToken)
    {
        await using (var lease = await TryOpenAsync(read, since, cancellationToken))
        {
            if (lease is not null)
            {
                try
                {
                    var answer = await query(lease.Context);
                    Record(read, "replica");
                    return answer;
                }
                catch (Exception ex) when (IsReplicaFailure(ex, cancellationToken))
                {
                    FailedDuring(read, ex);
                }
            }
        }

        return await query(primary);
    }

    /// <summary>
    /// A read-only snapshot on the replica at a version no older than this instance serves and <paramref name="since"/>,
    /// for a read that streams (the feed's snapshot, a cold index load); null when the primary must answer (counted as such).
    /// A lease taken is counted as served by the replica.
    /// </summary>
    public async Task<ReplicaLease?> OpenAsync(string read, long since, CancellationToken cancellationToken)
    {
        var lease = await TryOpenAsync(read, since, cancellationToken);
        if (lease is not null)
        {
            Record(read, "replica");
        }

        return lease;
    }

    /// <summary>Records that a lease's read failed on the replica after it began, and that the primary answers it.</summary>
    public void FailedDuring(string read, Exception exception)
    {
        Failed(exception);
        Record(read, "primary", "unavailable");
    }

    /// <summary>Whether <paramref name="exception"/> is the replica's failure (unreachable, reset, cancelled by recovery), not the caller's cancellation.</summary>
    public static bool IsReplicaFailure(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && (exception is DbException or TimeoutException or InvalidOperationException || DatabaseFailures.IsUnavailable(exception));

    private async Task<ReplicaLease?> TryOpenAsync(string read, long since, CancellationToken cancellationToken)
    {
        if (replicaOptions is null)
        {
            return null;
        }

        lock (state)
        {
            if (time.GetUtcNow() < failedUntil)
            {
                Record(read, "primary", "unavailable");
                return null;
            }
        }

        var floor = Math.Max(served.Version, since);
        var context = new FlagDbContext(replicaOptions);
        DbTransaction? transaction = null;
        try
        {
            await context.Database.OpenConnectionAsync(cancellationToken);
            var connection = context.Database.GetDbConnection();
            transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            long version;
            double lag;
            await using (var gate = connection.CreateCommand(transaction, GateSql))
            await using (var reader = await gate.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                version = reader.GetInt64(0);
                lag = Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture);
            }

            Recovered();
            if (version < floor || lag > options.ReadOnlyMaxLag.TotalSeconds)
            {
                Behind(version, floor, lag);
                Record(read, "primary", "behind");
                await transaction.DisposeAsync();
                await context.DisposeAsync();
                return null;
            }

            Caught();
            await context.Database.UseTransactionAsync(transaction, cancellationToken);
            return new ReplicaLease(context, connection, transaction, version);
        }
        catch (Exception ex) when (IsReplicaFailure(ex, cancellationToken))
        {
            Failed(ex);
            Record(read, "primary", "unavailable");
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await context.DisposeAsync();
            return null;
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await context.DisposeAsync();
            throw;
        }
    }

    private void Record(string read, string server, string? reason = null) =>
        reads.Add(1, new KeyValuePair<string, object?>("read", read), new KeyValuePair<string, object?>("server", server),
            new KeyValuePair<string, object?>("reason", reason ?? "fresh"));

    // One warning when the replica starts failing and one line when it serves again, not one per request.
    private void Failed(Exception exception)
    {
        lock (state)
        {
            failedUntil = time.GetUtcNow() + options.ReadOnlyRetryAfter;
        }

        if (Turn(ref failing, true))
        {
            logger.LogWarning(
                "The read replica (ConnectionStrings:{Name}) failed ({Reason}); heavy reads go to the primary, and the replica is tried again every {Seconds} s",
                ConnectionStringName, DatabaseFailures.FindUnavailable(exception) is { } outage ? DatabaseFailures.Describe(outage) : exception.Message,
                options.ReadOnlyRetryAfter.TotalSeconds);
        }
    }

    private void Recovered()
    {
        if (Turn(ref failing, false))
        {
            logger.LogInformation("The read replica (ConnectionStrings:{Name}) answers again", ConnectionStringName);
        }
    }

    private void Behind(long version, long floor, double lag)
    {
        if (Turn(ref behind, true))
        {
            logger.LogInformation(
                "The read replica is behind (list version {Version}, this instance serves {Floor}; lag {Lag:0.###} s, at most {Max} s allowed): reads go to the primary until it catches up",
                version, floor, lag, options.ReadOnlyMaxLag.TotalSeconds);
        }
    }

    private void Caught()
    {
        if (Turn(ref behind, false))
        {
            logger.LogInformation("The read replica caught up: reads go to it again");
        }
    }

    /// <summary>Sets <paramref name="flag"/> to <paramref name="value"/>; true when that changed it, so each change is logged once.</summary>
    private bool Turn(ref bool flag, bool value)
    {
        lock (state)
        {
            var changed = flag != value;
            flag = value;
            return changed;
        }
    }
}

/// <summary>An open read-only snapshot on the replica at <see cref="Version"/>; disposing it ends the transaction and the connection.</summary>
public sealed class ReplicaLease(FlagDbContext context, DbConnection connection, DbTransaction transaction, long version) : IAsyncDisposable
{
    public FlagDbContext Context { get; } = context;

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    /// <summary>The list version the snapshot is of (<c>list_state.version</c> read in it).</summary>
    public long Version { get; } = version;

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Context.DisposeAsync();
    }
}
