using System.ComponentModel.DataAnnotations;

namespace FlagApi.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
    SqlServer,
}

public static class DatabaseProviders
{
    /// <summary>The product's own name, for sentences an operator reads (<c>SQL Server</c>, not the setting's <c>SqlServer</c>).</summary>
    public static string DisplayName(this DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "SQLite",
        DatabaseProvider.Postgres => "PostgreSQL",
        DatabaseProvider.SqlServer => "SQL Server",
        _ => provider.ToString(),
    };
}

/// <summary>SQLite's <c>PRAGMA synchronous</c> levels FlagApi allows; <c>OFF</c> is not among them.</summary>
public enum SqliteSynchronous
{
    /// <summary>Every commit is on disk before it returns (the default).</summary>
    Full,

    /// <summary>Commits reach the disk at the next checkpoint; a power loss can roll back the last ones.</summary>
    Normal,
}

/// <summary>Configuration section <c>Database</c>; the connection string is <c>ConnectionStrings:FlagApi</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Where the SQLite file lives when no connection string is given; relative to the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Apply pending schema migrations when the service starts. Unset: true on SQLite (the embedded default needs
    /// nothing), false on PostgreSQL and SQL Server, where several instances share one schema and an operator runs <c>migrate</c>.
    /// </summary>
    public bool? MigrateOnStart { get; set; }

    /// <summary>
    /// When the database cannot be reached as the service starts: true, the service starts anyway, answers /health/ready
    /// 503 (and lookups 503 list_not_loaded), and tries again every <see cref="RetryAfterSeconds"/> until it can check the
    /// schema and load; false, the start stops with one line, for a supervisor to start it again.
    /// </summary>
    public bool WaitOnStart { get; set; } = true;

    /// <summary>The <c>Retry-After</c> seconds of a 503 answered while the database cannot be reached.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>How long a SQLite write waits for another connection's lock before it fails (and the request answers 503).</summary>
    public TimeSpan SqliteBusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How SQLite makes a commit durable (<c>PRAGMA synchronous</c>). <see cref="SqliteSynchronous.Full"/>, the default,
    /// syncs the write-ahead log to disk before a commit returns, so every write the service acknowledged survives a power
    /// loss or a kernel crash. <see cref="SqliteSynchronous.Normal"/> syncs only at checkpoints: faster for many small
    /// writes, still safe from corruption, but the last commits before a power loss can roll back; the start warns.
    /// </summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>
    /// Refuse to start when the database's settings let a write the service acknowledged be lost by a crash or a power loss
    /// (PostgreSQL's <c>fsync</c>, <c>synchronous_commit</c> or <c>full_page_writes</c> off, SQL Server's delayed durability
    /// FORCED), as read through the service's own connection. False serves anyway, with a warning at each start naming the
    /// setting, for whoever measured and accepts the risk. SQLite's <see cref="SqliteSynchronous"/> is chosen here, so it
    /// only warns.
    /// </summary>
    public bool RequireDurableCommits { get; set; } = true;

    public bool MigratesOnStart => MigrateOnStart ?? Provider == DatabaseProvider.Sqlite;
}
