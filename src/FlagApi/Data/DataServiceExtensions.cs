using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace FlagApi.Data;

/// <summary>The resolved provider, its dialect and connection string, fixed for the life of the process.</summary>
public sealed class DatabaseProviderInfo
{
    internal DatabaseProviderInfo(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Dialect = SqlDialect.For(provider);
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    internal SqlDialect Dialect { get; }
}

public static class DataServiceExtensions
{
    public const string ConnectionStringName = "FlagApi";

    public static IHostApplicationBuilder AddFlagData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .Validate(
                o => o.Provider != DatabaseProvider.Postgres || !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionStringName)),
                $"Database:Provider is Postgres but ConnectionStrings:{ConnectionStringName} is empty.")
            .Validate(
                o => o.Provider != DatabaseProvider.SqlServer || !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionStringName)),
                $"Database:Provider is SqlServer but ConnectionStrings:{ConnectionStringName} is empty.")
            .Validate(
                o => o.Provider != DatabaseProvider.Postgres || PostgresHosts.CanWrite(builder.Configuration.GetConnectionString(ConnectionStringName)),
                PostgresHosts.SendsWritesToAStandby)
            .Validate(o => o.SqliteBusyTimeout >= TimeSpan.Zero, "Database:SqliteBusyTimeout cannot be negative.")
            .ValidateOnStart();

        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var environment = sp.GetRequiredService<IHostEnvironment>();
            var configuration = sp.GetRequiredService<IConfiguration>();
            var resolved = ResolveConnectionString(options, configuration.GetConnectionString(ConnectionStringName), environment.ContentRootPath);
            return new DatabaseProviderInfo(options.Provider, options.Provider == DatabaseProvider.Postgres
                ? DirectConnection.BehindPooler(resolved, configuration.GetConnectionString(DirectConnection.ConnectionStringName))
                : resolved);
        });

        builder.Services.AddSingleton(sp => new SqliteConnectionSetup(
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value,
            new SqliteConnectionStringBuilder(sp.GetRequiredService<DatabaseProviderInfo>().ConnectionString).Mode == SqliteOpenMode.ReadOnly));
        builder.Services.AddDbContext<FlagDbContext>((sp, db) =>
        {
            var info = sp.GetRequiredService<DatabaseProviderInfo>();
            switch (info.Provider)
            {
                case DatabaseProvider.Sqlite:
                    db.UseSqlite(info.ConnectionString)
                        .AddInterceptors(sp.GetRequiredService<SqliteConnectionSetup>());
                    break;
                case DatabaseProvider.Postgres:
                    db.UseNpgsql(info.ConnectionString);
                    break;
                case DatabaseProvider.SqlServer:
                    db.UseSqlServer(info.ConnectionString).AddInterceptors(SqlServerValueHashes.Instance);
                    break;
            }

            // Capabilities that act on what a save writes (the appeal notifications' outbox rows) register interceptors.
            db.AddInterceptors(sp.GetServices<IInterceptor>());

            // EF logs each failed connection, command and query as an error with its stack trace. The exception goes on to
            // the exception handler or the refresh loop, which log it once (a 500 with its stack; an outage as one warning),
            // so during a database outage these would add a stack trace per request. The SQL stays visible at Debug.
            db.ConfigureWarnings(w => w.Log(
                (RelationalEventId.ConnectionError, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
        });

        builder.Services.AddScoped<SchemaMigrator>();
        builder.Services.TryAddSingleton<IIdentifierRules, BuildIdentifierRules>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DatabaseStartup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseStartup>());
        return builder;
    }

    private static string ResolveConnectionString(DatabaseOptions options, string? configured, string contentRoot)
    {
        if (options.Provider == DatabaseProvider.Postgres)
        {
            return PostgresHosts.ForWrites(configured!);
        }

        if (options.Provider != DatabaseProvider.Sqlite)
        {
            return configured!;
        }

        var sqlite = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured)
            ? $"Data Source={Path.Combine(contentRoot, options.DataDirectory, "flagapi.db")}"
            : configured);
        if (!string.IsNullOrEmpty(sqlite.DataSource) && sqlite.DataSource != ":memory:" && sqlite.Mode != SqliteOpenMode.Memory)
        {
            var path = Path.GetFullPath(sqlite.DataSource, contentRoot);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            sqlite.DataSource = path;
        }

        return sqlite.ToString();
    }

    /// <summary>
    /// WAL lets lookups' background reloads read while an import writes. <c>synchronous = FULL</c> (the default,
    /// <see cref="DatabaseOptions.SqliteSynchronous"/>) syncs the log before each commit returns, so an acknowledged write
    /// survives a power loss, not only a killed process; NORMAL would sync only at checkpoints.
    /// </summary>
    /// <remarks>
    /// SQLite opens a file it cannot write (a file system remounted read-only, an immutable flag, a lost permission)
    /// read-only without an error, and such a connection stays read-only for its life. Pooled, it would fail every write
    /// it is handed after the fault is lifted, until the process restarts. A connection that opened read-only unasked
    /// serves its one use and is then discarded with the rest of the pool, so the next open tries the file again. A read-only
    /// write-ahead log beside a writable file is invisible here; the write it refuses empties the pool instead
    /// (<see cref="DatabaseFailures.ReleaseConnectionsAfter"/>).
    /// </remarks>
    internal sealed class SqliteConnectionSetup(DatabaseOptions options, bool readOnlyRequested) : DbConnectionInterceptor
    {
        private readonly string pragmas = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {(options.SqliteSynchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL")}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {(long)options.SqliteBusyTimeout.TotalMilliseconds};");

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            DiscardIfOpenedReadOnly(connection);
            using var command = connection.CreateCommand();
            command.CommandText = pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            DiscardIfOpenedReadOnly(connection);
            await using var command = connection.CreateCommand();
            command.CommandText = pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        private void DiscardIfOpenedReadOnly(DbConnection connection)
        {
            if (!readOnlyRequested && connection is SqliteConnection sqlite && SQLitePCL.raw.sqlite3_db_readonly(sqlite.Handle, "main") == 1)
            {
                SqliteConnection.ClearPool(sqlite);
            }
        }
    }
}
