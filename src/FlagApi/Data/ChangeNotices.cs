using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FlagApi.Data;

/// <summary>
/// How instances sharing a PostgreSQL database tell each other that a copy they hold in memory is out of date: a writer
/// sends a notice on one channel inside its transaction, so it is delivered on commit and never for a rollback, and every
/// instance listens on a connection of its own. A notice names what changed (a topic, and for some a detail such as a
/// version), never a value or a person. SQLite has no other instance to tell: nothing is sent.
/// </summary>
public static class ChangeNotices
{
    /// <summary>
    /// One channel for every topic: one LISTEN per instance, one place to watch with psql, and PostgreSQL folds the same
    /// notice sent twice in one transaction into one.
    /// </summary>
    public const string Channel = "flagapi_changes";

    /// <summary>The listening connection's <c>application_name</c>, so an operator can find it in <c>pg_stat_activity</c>.</summary>
    public const string ListenerName = "flagapi-listen";

    /// <summary>Sends <paramref name="notice"/> in the transaction open on <paramref name="db"/>; it is delivered when that commits.</summary>
    public static async Task NotifyAsync(this FlagDbContext db, string notice, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            return;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A change notice is sent in the writing transaction, so that a rollback sends none.");
        }

        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {notice})", cancellationToken);
    }

    /// <summary>
    /// Opens a connection of its own (outside the pool: it stays open for the life of the process, and a pooled one would
    /// be handed back listening) and listens on <see cref="Channel"/>; <paramref name="heard"/> is given each notice while
    /// the caller waits on the connection. A keepalive every <paramref name="keepAlive"/> notices a connection that died
    /// without closing (a failover, a dropped network path), which a connection that only waits would never notice.
    /// </summary>
    public static async Task<NpgsqlConnection> ListenAsync(
        string connectionString, TimeSpan keepAlive, Action<string> heard, CancellationToken cancellationToken)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = Math.Max(1, (int)keepAlive.TotalSeconds),
            ApplicationName = ListenerName,
        };
        var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            connection.Notification += (_, e) => heard(e.Payload);
            await connection.OpenAsync(cancellationToken);
            await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
