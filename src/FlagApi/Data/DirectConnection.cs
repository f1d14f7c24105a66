using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace FlagApi.Data;

/// <summary>
/// Where what needs a PostgreSQL session of its own connects: the LISTEN of the change notices (<c>ChangeListener</c>),
/// which must stay on one server connection for the life of the process, and the <c>pg_dump</c> line the <c>backup</c>
/// command prints. Everything else runs in transactions, or in single statements, and is safe through a pooler in
/// transaction mode (PgBouncer), which hands a server connection to a client for one transaction only.
/// </summary>
/// <remarks>
/// <c>ConnectionStrings:FlagApiDirect</c> names the server itself (or a pooler in session mode) when
/// <c>ConnectionStrings:FlagApi</c> goes through a transaction-mode pooler. It is laid over the main connection string:
/// a key it does not name (the database, the user, the password) is the main string's, so an operator usually writes no
/// more than <c>Host=…;Port=…</c> and keeps one copy of the password. Empty, the main connection string serves for
/// sessions too, as it always did.
/// </remarks>
public sealed class DirectConnection
{
    /// <summary>The name under <c>ConnectionStrings</c>.</summary>
    public const string ConnectionStringName = "FlagApiDirect";

    private DirectConnection(string connectionString, bool configured)
    {
        ConnectionString = connectionString;
        Configured = configured;
    }

    /// <summary>The connection string for a session: the direct one laid over the main one, or the main one.</summary>
    public string ConnectionString { get; }

    /// <summary>Whether <c>ConnectionStrings:FlagApiDirect</c> was given, which says the main one goes through a pooler.</summary>
    public bool Configured { get; }

    /// <summary>Where a session connects (<c>host:port</c>), for a log line: never the whole string, which holds the password.</summary>
    public string Endpoint
    {
        get
        {
            var settings = new NpgsqlConnectionStringBuilder(ConnectionString);
            return string.Create(CultureInfo.InvariantCulture, $"{settings.Host}:{settings.Port}");
        }
    }

    /// <summary>
    /// The session connection for <paramref name="database"/>, given <c>ConnectionStrings:FlagApiDirect</c> as
    /// <paramref name="direct"/>; on SQLite and SQL Server there is no pooler to bypass and the main string is returned.
    /// </summary>
    public static DirectConnection Resolve(DatabaseProviderInfo database, string? direct)
    {
        if (database.Provider != DatabaseProvider.Postgres || string.IsNullOrWhiteSpace(direct))
        {
            return new DirectConnection(database.ConnectionString, configured: false);
        }

        var merged = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var given = Parts(direct);
        foreach (string key in given.Keys)
        {
            merged[key] = given[key];
        }

        // The main string's No Reset On Close, set for the pooler (BehindPooler), is not wanted here: the direct string says.
        if (!Names(direct, "No Reset On Close", "NoResetOnClose"))
        {
            merged.NoResetOnClose = false;
        }

        // A direct string naming a primary and its standbys listens on whichever takes writes, as the main one writes
        // (LISTEN is refused on a standby).
        return new DirectConnection(PostgresHosts.ForWrites(merged.ConnectionString), configured: true);
    }

    /// <summary>
    /// Why <paramref name="direct"/> (<c>ConnectionStrings:FlagApiDirect</c>) cannot be used, or null when it can: it
    /// must parse as an Npgsql connection string, and only PostgreSQL has a session to bypass a pooler for.
    /// </summary>
    public static string? Problem(DatabaseProvider provider, string? direct)
    {
        if (string.IsNullOrWhiteSpace(direct))
        {
            return null;
        }

        if (provider != DatabaseProvider.Postgres)
        {
            return $"ConnectionStrings:{ConnectionStringName} is for PostgreSQL behind a pooler; Database:Provider is {provider}. Remove it.";
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(direct);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // The message names the key that is wrong, never a value: the string may hold a password.
            return $"ConnectionStrings:{ConnectionStringName} is not a PostgreSQL connection string ({ex.Message.Split('\n')[0]}).";
        }
    }

    /// <summary>
    /// The main PostgreSQL connection string as the service uses it. With <paramref name="direct"/> given, the operator
    /// said the main one goes through a pooler: unless the string says otherwise, Npgsql is told not to reset a pooled
    /// connection (<c>No Reset On Close</c>), as its documentation advises behind PgBouncer. That reset (<c>DISCARD ALL</c>,
    /// sent with the next use) would run on whichever server connection PgBouncer lends for it, reset nothing of this
    /// client's, cost a statement per request, and, with PgBouncer's own prepared statements (1.21 and later), drop
    /// statements PgBouncer believes that server connection still holds. The service keeps no session state to reset.
    /// </summary>
    public static string BehindPooler(string connectionString, string? direct)
    {
        if (string.IsNullOrWhiteSpace(direct) || Names(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            return connectionString;
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;
    }

    private static bool Names(string connectionString, params string[] keys)
    {
        var parts = Parts(connectionString);
        return keys.Any(parts.ContainsKey);
    }

    private static DbConnectionStringBuilder Parts(string connectionString) => new() { ConnectionString = connectionString };
}
