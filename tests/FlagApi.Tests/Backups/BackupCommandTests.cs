using FlagApi.Backups;
using FlagApi.Data;
using FlagApi.Reports;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlagApi.Tests.Backups;

/// <summary>
/// The <c>backup</c> command's answers to what an operator types: the copy it writes and names, and every refusal, which
/// leaves nothing behind. That a copy taken under writes is one consistent state is shown against the running service
/// (FlagApi.SystemTests, BackupUnderWritesTests), and that it restores into a service that answers the same by RestoreTests.
/// </summary>
public sealed class BackupCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("flagapi-backup-").FullName;

    private string DataDirectory => Path.Combine(root, "data");

    private string Database => Path.Combine(DataDirectory, "flagapi.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task A_backup_is_one_checked_file_for_its_owner_only_with_the_generated_hash_key_beside_it()
    {
        await MigrateAsync();
        var key = Path.Combine(DataDirectory, ReporterHasher.KeyFileName);
        await File.WriteAllTextAsync(key, Convert.ToBase64String(new byte[32]));
        var target = Path.Combine(root, "backups", "night.db");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        var (code, output, error) = await RunAsync(target);

        Assert.True(code == CommandLine.Ok, error);
        Assert.Contains($"Backed up {Database} to {target} in ", output, StringComparison.Ordinal);
        Assert.Contains($"schema version {SchemaMigrator.All(DatabaseProvider.Sqlite)[^1].Version}, list version 0 (0 active entries, 0 lists, 0 appeals, 0 reports), integrity ok.", output, StringComparison.Ordinal);
        Assert.Equal(["night.db", "night.db" + BackupCommand.HashKeySuffix], Directory.GetFiles(Path.GetDirectoryName(target)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(await File.ReadAllTextAsync(key), await File.ReadAllTextAsync(target + BackupCommand.HashKeySuffix));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target + BackupCommand.HashKeySuffix));
        }
        await using var copy = new SqliteConnection($"Data Source={target};Mode=ReadOnly;Pooling=False");
        await copy.OpenAsync();
        await using var command = copy.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("delete", await command.ExecuteScalarAsync());
        command.CommandText = "SELECT COUNT(*) FROM protected_identifiers";
        Assert.True((long)(await command.ExecuteScalarAsync())! > 0, "the copy lacks the seeded protected identifiers");
    }

    [Fact]
    public async Task A_folder_gets_a_copy_named_by_its_UTC_time_and_a_configured_hash_key_is_named_not_copied()
    {
        await MigrateAsync();
        var folder = Path.Combine(root, "series");
        var settings = new Dictionary<string, string?> { ["Reports:HashKey"] = "a configured key of some length" };

        var (code, output, error) = await RunAsync(folder + "/", settings);

        Assert.True(code == CommandLine.Ok, error);
        var file = Assert.Single(Directory.GetFiles(folder));
        Assert.Matches(@"^flagapi-\d{8}T\d{6}Z\.db$", Path.GetFileName(file));
        Assert.Contains("Reports:HashKey", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_file_is_never_replaced()
    {
        await MigrateAsync();
        var target = Path.Combine(root, "kept.db");
        await File.WriteAllTextAsync(target, "last week's backup");

        var (code, _, error) = await RunAsync(target);

        Assert.Equal(CommandLine.Failed, code);
        Assert.Contains("never replaces a file", error, StringComparison.Ordinal);
        Assert.Equal("last week's backup", await File.ReadAllTextAsync(target));
        Assert.Single(Directory.GetFiles(root));
    }

    [Fact]
    public async Task Without_a_database_it_writes_nothing_and_creates_none()
    {
        var (code, _, error) = await RunAsync(Path.Combine(root, "copy.db"));

        Assert.Equal(CommandLine.Failed, code);
        Assert.Contains($"There is no database at {Database}", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Database));
        Assert.Empty(Directory.GetFiles(root));
    }

    [Fact]
    public async Task A_file_that_is_not_a_FlagApi_database_is_refused_and_its_copy_removed()
    {
        Directory.CreateDirectory(DataDirectory);
        await using (var other = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            await other.OpenAsync();
            await using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE notes (text TEXT)";
            await create.ExecuteNonQueryAsync();
        }

        var target = Path.Combine(root, "copy.db");
        var (code, _, error) = await RunAsync(target);

        Assert.Equal(CommandLine.Failed, code);
        Assert.Contains("not a FlagApi database", error, StringComparison.Ordinal);
        Assert.Contains("left nothing", error, StringComparison.Ordinal);
        Assert.Equal(["data"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.db b.db")]
    [InlineData("--help")]
    [InlineData("--to a.db")]
    public async Task Anything_but_one_path_is_a_usage_error(string line)
    {
        var (code, output, error) = await RunAsync(line.Split(' ', StringSplitOptions.RemoveEmptyEntries), []);

        Assert.Equal(CommandLine.Usage, code);
        Assert.Empty(output);
        Assert.Contains("usage: FlagApi backup PATH", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_PostgreSQL_it_names_the_pg_dump_line_for_this_database_without_its_password()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:FlagApi"] = "Host=db.internal;Port=5433;Username=flagapi_app;Password=s3cret-pass;Database=flags",
        };

        var (code, output, error) = await RunAsync(Path.Combine(root, "copy.db"), settings);

        Assert.Equal(CommandLine.Failed, code);
        Assert.Empty(output);
        Assert.Contains("pg_dump -Fc -h db.internal -p 5433 -U flagapi_app -d flags -f flagapi-$(date +%F).dump", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(root));
    }

    [Fact]
    public async Task Behind_a_pooler_the_pg_dump_line_names_the_direct_connection_a_dump_needs_a_session_of()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:FlagApi"] = "Host=pgbouncer.internal;Port=6432;Username=flagapi_app;Password=s3cret-pass;Database=flags",
            ["ConnectionStrings:FlagApiDirect"] = "Host=db.internal;Port=5433",
        };

        var (code, _, error) = await RunAsync(Path.Combine(root, "copy.db"), settings);

        Assert.Equal(CommandLine.Failed, code);
        Assert.Contains("pg_dump -Fc -h db.internal -p 5433 -U flagapi_app -d flags -f flagapi-$(date +%F).dump", error, StringComparison.Ordinal);
        Assert.DoesNotContain("pgbouncer.internal", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_SQL_Server_it_names_BACKUP_DATABASE_without_the_password()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "SqlServer",
            ["ConnectionStrings:FlagApi"] = "Server=db.internal,1433;Database=flags;User ID=app;Password=s3cret-pass;Encrypt=false",
        };

        var (code, _, error) = await RunAsync(Path.Combine(root, "copy.db"), settings);

        Assert.Equal(CommandLine.Failed, code);
        Assert.Contains("BACKUP DATABASE [flags]", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(string target, Dictionary<string, string?>? settings = null) =>
        RunAsync([target], settings ?? []);

    private async Task<(int Code, string Output, string Error)> RunAsync(string[] args, Dictionary<string, string?> settings)
    {
        using var host = Build(settings);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await BackupCommand.RunAsync(host.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private async Task MigrateAsync()
    {
        using var host = Build([]);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().ApplyAsync();
    }

    private IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root });
        builder.Configuration["Database:DataDirectory"] = "data";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddFlagData();
        builder.AddChangeListener();
        builder.AddBackups();
        return builder.Build();
    }
}
