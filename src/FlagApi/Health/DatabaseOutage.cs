namespace FlagApi.Health;

public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>
    /// How long an instance whose list is loaded stays ready while its database does not answer. Lookups are served from
    /// memory meanwhile, and every instance shares the database, so answering 503 at once would take them all out of the
    /// balancer during a failover or a restart; past this the instance's copy may be too old, and it says not ready.
    /// </summary>
    public TimeSpan DatabaseGracePeriod { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Since when the readiness checks have found the database not answering, as the probes see it.</summary>
public sealed class DatabaseOutage(TimeProvider time)
{
    private readonly Lock gate = new();
    private DateTimeOffset? since;

    /// <summary>Records a check that reached the database.</summary>
    public void Answered()
    {
        lock (gate)
        {
            since = null;
        }
    }

    /// <summary>Records a check that did not, and answers since when none has.</summary>
    public DateTimeOffset NotAnswered()
    {
        lock (gate)
        {
            return since ??= time.GetUtcNow();
        }
    }
}
