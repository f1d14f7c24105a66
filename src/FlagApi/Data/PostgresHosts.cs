using System.Data.Common;
using Npgsql;

namespace FlagApi.Data;

/// <summary>
/// A PostgreSQL connection string that names several servers (<c>Host=db1,db2</c>), a primary and its standbys, so that the
/// service follows a failover without a restart: Npgsql tries the hosts in turn and keeps the one whose session
/// attributes the connection string asks for.
/// </summary>
public static class PostgresHosts
{
    /// <summary>What the service asks of the server it writes to when the connection string names several and asks nothing.</summary>
    public const string Writable = "read-write";

    // Target Session Attributes that pick a standby whenever one answers.
    private static readonly string[] StandbyFirst = ["standby", "read-only", "prefer-standby"];

    /// <summary>How many servers <paramref name="connectionString"/> names.</summary>
    public static int Count(string connectionString) =>
        (new NpgsqlConnectionStringBuilder(connectionString).Host ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;

    /// <summary>
    /// The connection string the service writes through: with several hosts and no <c>Target Session Attributes</c>, it asks
    /// for <see cref="Writable"/>, so the standby is never picked for writes whatever the order of the hosts, and after a
    /// promotion the new primary is. Npgsql's default (<c>any</c>) would take the first host that answers.
    /// </summary>
    /// <remarks>
    /// Npgsql also remembers what each host was (primary, standby, offline) for <c>Host Recheck Seconds</c>, 10 by default,
    /// and does not ask a host remembered as a standby again before then: a promotion could go unnoticed that long. With
    /// several hosts and no value of its own, the connection string gets <see cref="RecheckSeconds"/>; the check costs one
    /// query when a pooled connection is opened, not per command.
    /// </remarks>
    public static string ForWrites(string connectionString)
    {
        if (Count(connectionString) < 2)
        {
            return connectionString;
        }

        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(settings.TargetSessionAttributes))
        {
            settings.TargetSessionAttributes = Writable;
        }

        // Npgsql's builder answers its default for a key it was not given; the plain builder keeps only what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!RecheckKeywords.Any(written.ContainsKey))
        {
            settings.HostRecheckSeconds = RecheckSeconds;
        }

        return settings.ConnectionString;
    }

    /// <summary>How long the service lets Npgsql trust what it found a host to be, when the connection string names several.</summary>
    public const int RecheckSeconds = 1;

    // The keyword and its alias, as Npgsql's NpgsqlConnectionStringBuilder accepts them (case is ignored).
    private static readonly string[] RecheckKeywords = ["Host Recheck Seconds", "HostRecheckSeconds"];

    /// <summary>
    /// The refusal of a connection string the service cannot write through: it asks for a standby. Said once, in the
    /// options' validation, so the start fails with it instead of answering every write 503.
    /// </summary>
    public const string SendsWritesToAStandby =
        $"ConnectionStrings:{DataServiceExtensions.ConnectionStringName} asks for Target Session Attributes standby, read-only or prefer-standby, "
        + $"which sends the service's writes to a standby. Remove it (with several hosts the service asks for {Writable}) or ask for {Writable} or primary.";

    /// <summary>Whether the service can write through <paramref name="connectionString"/>: it does not ask for a standby.</summary>
    public static bool CanWrite(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString)
        || !StandbyFirst.Contains(new NpgsqlConnectionStringBuilder(connectionString).TargetSessionAttributes ?? "", StringComparer.OrdinalIgnoreCase);
}
