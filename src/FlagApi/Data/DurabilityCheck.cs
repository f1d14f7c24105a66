using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace FlagApi.Data;

/// <summary>One durability setting as the service's own connection reads it, and where PostgreSQL says it was set (<c>pg_settings.source</c>).</summary>
public sealed record DurabilitySetting(string Name, string Value, string? Source = null);

/// <summary>
/// A setting under which a write the service acknowledged can be lost (or the database corrupted) by a crash, a power
/// loss or a failover. <paramref name="Chosen"/>: a risk an operator may take on purpose (a FlagApi setting, or a standby
/// replicated asynchronously), which is warned about and never refused.
/// </summary>
public sealed record DurabilityRisk(string Setting, string Value, string Consequence, string Fix, bool Chosen = false)
{
    /// <summary>How to accept a risk the start refuses.</summary>
    public const string AcceptSetting = "Database:RequireDurableCommits=false";

    private string Finding => $"{Setting} is {Value} for this service's connection: {Consequence}";

    /// <summary>The start's one line when <c>Database:RequireDurableCommits</c> refuses it.</summary>
    public string Refusal => $"{Finding}. {Fix}; or accept the risk with {AcceptSetting}. Refusing to start.";

    /// <summary>The line at each start (and of <c>migrate</c>) when the risk is accepted, or was chosen.</summary>
    public string Warning(bool required) => (Chosen, required) switch
    {
        (true, _) => $"{Finding}. {Fix}.",
        (false, false) => $"{Finding}. Serving anyway, as {AcceptSetting} accepts the risk. {Fix}.",
        (false, true) => $"{Finding}. {Fix}; the service refuses to start on it unless {AcceptSetting}.",
    };
}

/// <summary>The start refused a database under which an acknowledged write could be lost; the message says which setting and what to do.</summary>
public sealed class UndurableCommitsException(string message) : InvalidOperationException(message);

/// <summary>
/// Reads, through the service's own connection (so that what its connection string sets, such as
/// <c>Options=-c synchronous_commit=off</c>, is seen), the database settings that decide whether a commit the service
/// acknowledged survives a crash or a power loss, and judges them: PostgreSQL's <c>fsync</c>, <c>synchronous_commit</c>
/// and <c>full_page_writes</c>, SQL Server's delayed durability, SQLite's <c>synchronous</c>.
/// </summary>
public static class DurabilityCheck
{
    /// <summary>What the settings of <paramref name="scoped"/>'s database put at risk; empty when every commit is durable.</summary>
    public static async Task<IReadOnlyList<DurabilityRisk>> RisksAsync(IServiceProvider scoped, CancellationToken cancellationToken)
    {
        var info = scoped.GetRequiredService<DatabaseProviderInfo>();
        var db = scoped.GetRequiredService<FlagDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var settings = new List<DurabilitySetting>();
            await using var command = db.Database.GetDbConnection().CreateCommand(null, info.Dialect.SelectDurabilitySettings);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                settings.Add(new DurabilitySetting(
                    reader.GetString(0),
                    Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture) ?? "",
                    reader.FieldCount > 2 && !reader.IsDBNull(2) ? reader.GetString(2) : null));
            }

            return Judge(info.Provider, settings, info.Provider == DatabaseProvider.Postgres ? PostgresHosts.Count(info.ConnectionString) : 1);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The verdict on settings as read: a pure function, so that a setting no test server can be given (PostgreSQL's fsync) is
    /// still tested. <paramref name="hosts"/>: how many servers the connection string names; more than one is a failover
    /// set-up, whose standby must have every acknowledged commit.
    /// </summary>
    public static IReadOnlyList<DurabilityRisk> Judge(DatabaseProvider provider, IEnumerable<DurabilitySetting> settings, int hosts = 1)
    {
        var read = settings.ToList();
        List<DurabilityRisk?> risks =
        [
            .. read.Select(s => provider switch
            {
                DatabaseProvider.Postgres => Postgres(s),
                DatabaseProvider.SqlServer => SqlServer(s),
                _ => Sqlite(s),
            }),
        ];
        if (provider == DatabaseProvider.Postgres && hosts > 1)
        {
            risks.Add(Failover(read, hosts));
        }

        return [.. risks.OfType<DurabilityRisk>()];
    }

    /// <summary>
    /// With several servers named, the standby a failover promotes must hold every commit the service acknowledged: the
    /// primary must wait for it (<c>synchronous_standby_names</c>) at <c>synchronous_commit</c> on, remote_write or
    /// remote_apply. Otherwise a failover loses the last commits; some deployments accept that, so it is warned about.
    /// </summary>
    private static DurabilityRisk? Failover(List<DurabilitySetting> settings, int hosts)
    {
        var standbys = settings.FirstOrDefault(s => s.Name == "synchronous_standby_names")?.Value;
        var commit = settings.FirstOrDefault(s => s.Name == "synchronous_commit")?.Value;
        const string Fix = "Name the standby in the primary's synchronous_standby_names (ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby1)', "
            + "then SELECT pg_reload_conf()) with synchronous_commit on, as docs/operations.md (Failover) shows";
        var consequence = string.Create(CultureInfo.InvariantCulture,
            $"ConnectionStrings:FlagApi names {hosts} servers for failover, but a commit returns before a standby has it, so a failover loses the writes the primary acknowledged and had not yet sent");
        if (standbys is not null && string.IsNullOrWhiteSpace(standbys))
        {
            return new DurabilityRisk("PostgreSQL's synchronous_standby_names", "empty", consequence, Fix, Chosen: true);
        }

        return string.Equals(commit, "local", StringComparison.OrdinalIgnoreCase)
            ? new DurabilityRisk("PostgreSQL's synchronous_commit", "local", consequence, Fix, Chosen: true)
            : null;
    }

    private static DurabilityRisk? Postgres(DurabilitySetting setting)
    {
        if (!string.Equals(setting.Value, "off", StringComparison.OrdinalIgnoreCase))
        {
            // on, and synchronous_commit's local, remote_write and remote_apply: the commit is on the server's disk before it returns.
            return null;
        }

        var consequence = setting.Name switch
        {
            "fsync" => "nothing is forced to disk, so a power loss or an operating system crash can lose writes the service acknowledged and corrupt the database",
            "full_page_writes" => "a power loss or an operating system crash can leave half-written pages the server cannot repair, corrupting the database",
            "synchronous_commit" => "a commit returns before it is on disk, so a server crash or a power loss can lose writes the service acknowledged",
            _ => null,
        };
        return consequence is null ? null : new DurabilityRisk($"PostgreSQL's {setting.Name}", "off", consequence, PostgresFix(setting));
    }

    /// <summary>Where to turn it on, by where PostgreSQL says it was turned off.</summary>
    private static string PostgresFix(DurabilitySetting setting) => setting.Source switch
    {
        "client" => $"Remove {setting.Name} from the connection string's Options (ConnectionStrings:FlagApi)",
        "user" => $"The service's role turns it off: ALTER ROLE CURRENT_USER RESET {setting.Name}",
        "database" => $"The database turns it off: ALTER DATABASE … RESET {setting.Name}",
        "database user" => $"The service's role turns it off in this database: ALTER ROLE … IN DATABASE … RESET {setting.Name}",
        _ => $"Turn it on in the server's configuration: ALTER SYSTEM SET {setting.Name} = on (or in postgresql.conf), then SELECT pg_reload_conf()",
    };

    // ALLOWED makes only the transactions that ask for it delayed, and FlagApi's never do.
    private static DurabilityRisk? SqlServer(DurabilitySetting setting) =>
        setting.Name == "delayed_durability" && string.Equals(setting.Value, "FORCED", StringComparison.OrdinalIgnoreCase)
            ? new DurabilityRisk(
                "SQL Server's DELAYED_DURABILITY", "FORCED",
                "every commit returns before its log records are on disk, so a server crash or a failover can lose writes the service acknowledged",
                "ALTER DATABASE CURRENT SET DELAYED_DURABILITY = DISABLED")
            : null;

    // PRAGMA synchronous: 1 is NORMAL, which only Database:SqliteSynchronous=Normal sets (the service sets FULL, 2, on every
    // connection otherwise, and never OFF).
    private static DurabilityRisk? Sqlite(DurabilitySetting setting) => setting is { Name: "synchronous", Value: "1" }
        ? new DurabilityRisk(
            "SQLite's synchronous", "NORMAL (Database:SqliteSynchronous=Normal)",
            "commits reach the disk only at checkpoints, so the last ones before a power loss or an operating system crash can roll back, writes the service acknowledged",
            "Database:SqliteSynchronous=Full (the default) syncs every commit", Chosen: true)
        : null;
}
