using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlagApi.Tests;

public abstract class MigrateCommandTests(DatabaseTarget target)
{
    private const string FutureMigration = "9999_from_a_newer_build";

    [Fact]
    public async Task MigrateAppliesEveryMigrationOfAnEmptyDatabaseByVersionAndNameThenFindsItCurrent()
    {
        var connectionString = await target.CreateDatabaseAsync();
        var migrations = SchemaMigrator.All(target.Provider);

        var (code, output, error) = await RunAsync(connectionString);

        Assert.True(code == CommandLine.Ok, error);
        Assert.All(migrations, m => Assert.Contains($"Applied version {m.Version}: {m.Name}", output, StringComparison.Ordinal));
        Assert.Contains($"schema is at version {migrations[^1].Version} ({migrations.Count} migrations applied)", output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync(connectionString);

        Assert.True(code == CommandLine.Ok, error);
        Assert.Equal($"The {target.Provider} schema is current (version {migrations[^1].Version}); nothing to apply.", output.Trim());
    }

    [Fact]
    public async Task MigrateAppliesOnlyWhatADatabaseThatIsBehindLacks()
    {
        var connectionString = await target.CreateDatabaseAsync();
        await MigrateToAsync(connectionString, 6);

        var (code, output, error) = await RunAsync(connectionString);

        Assert.True(code == CommandLine.Ok, error);
        var applied = output.Split('\n').Where(l => l.StartsWith("Applied", StringComparison.Ordinal)).Select(l => l.Trim());
        Assert.Equal(["Applied version 7: 0007_reports", "Applied version 8: 0008_reports_decided_at", "Applied version 9: 0009_identifier_rules", "Applied version 10: 0010_index_snapshots", "Applied version 11: 0011_entries_status_expiry_index", "Applied version 12: 0012_due_process"], applied);
    }

    [Fact]
    public async Task SeveralMigratesStartedTogetherOnAnEmptyDatabaseAllSucceedAndApplyEachMigrationOnce()
    {
        var connectionString = await target.CreateDatabaseAsync();

        // Instances started together each migrate (or read the schema's status) at the same moment.
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => RunAsync(connectionString))));

        Assert.All(runs, run => Assert.True(run.Code == 0, run.Error));
        var applied = runs.Sum(run => run.Output.Split('\n').Count(line => line.StartsWith("Applied version", StringComparison.Ordinal)));
        Assert.Equal(SchemaMigrator.All(target.Provider).Count, applied);
    }

    [Fact]
    public async Task MigrateWithAnArgumentIsAUsageError()
    {
        var (code, output, error) = await RunAsync(await target.CreateDatabaseAsync(), "now");

        Assert.Equal(CommandLine.Usage, code);
        Assert.Empty(output);
        Assert.Contains("usage: FlagApi migrate", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateRefusesADatabaseThatANewerBuildMigrated()
    {
        var connectionString = await target.CreateDatabaseAsync();
        await MigrateToAsync(connectionString, null, FutureMigration);

        var (code, _, error) = await RunAsync(connectionString);

        Assert.Equal(CommandLine.Failed, code);
        Assert.Contains("newer than this build", error, StringComparison.Ordinal);
        Assert.Contains(FutureMigration, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task StartRefusesADatabaseThatANewerBuildMigratedWhetherOrNotItMigratesOnStart(string migrateOnStart)
    {
        var connectionString = await target.CreateDatabaseAsync();
        await MigrateToAsync(connectionString, null, FutureMigration);

        var error = await StartRefusedAsync(connectionString, migrateOnStart);

        Assert.Contains("newer than this build", error.Message, StringComparison.Ordinal);
        Assert.Contains(FutureMigration, error.Message, StringComparison.Ordinal);
        Assert.Contains("Refusing to serve", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWithoutMigratingNamesTheMissingMigrationsAndTheCommandToRun()
    {
        var connectionString = await target.CreateDatabaseAsync();
        await MigrateToAsync(connectionString, 6);

        var error = await StartRefusedAsync(connectionString, "false");

        Assert.Contains("missing migrations: 0007_reports, 0008_reports_decided_at", error.Message, StringComparison.Ordinal);
        Assert.Contains("'dotnet FlagApi.dll migrate'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnsetMigrateOnStartMigratesOnSqliteAndRefusesAnEmptyPostgresDatabase()
    {
        var connectionString = await target.CreateDatabaseAsync();

        if (target.Provider == DatabaseProvider.Sqlite)
        {
            await using var app = new FlagApiFactory(target.Provider, connectionString, new Dictionary<string, string?> { ["Database:MigrateOnStart"] = "" });
            var response = await app.CreateClient().GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            var error = await StartRefusedAsync(connectionString, migrateOnStart: null);
            Assert.Contains("missing migrations: 0001_initial,", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheServiceExecutableRunsMigrateAndExitsZero()
    {
        var (code, output, error) = await RunServiceAsync(await target.CreateDatabaseAsync(), "migrate");

        Assert.True(code == CommandLine.Ok, output + error);
        Assert.Contains("Applied version 1: 0001_initial", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keys", CommandLine.Failed)]
    [InlineData("import", FlagApi.Lists.ImportCommand.DatabaseUnusable)]
    public async Task ACommandOnADatabaseThatIsBehindSaysWhatToRunInsteadOfAStackTrace(string command, int exitCode)
    {
        var connectionString = await target.CreateDatabaseAsync();
        await MigrateToAsync(connectionString, 6);
        var list = Path.Combine(Path.GetTempPath(), $"flagapi-behind-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(list, "kind,value,category,risk\nphone,13800138000,impersonating_authorities,high\n");

        var (code, _, error) = command == "keys"
            ? await RunServiceAsync(connectionString, "keys", "list")
            : await RunServiceAsync(connectionString, "import", list, "--agency", "Test police", "--reference", "R1");

        Assert.Equal(exitCode, code);
        Assert.Contains("missing migrations: 0007_reports, 0008_reports_decided_at", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
    }

    /// <summary>Runs <c>dotnet FlagApi.dll</c> with <paramref name="args"/> as an operator would, migrating on start only if told.</summary>
    private async Task<(int Code, string Output, string Error)> RunServiceAsync(string connectionString, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!,
            Environment =
            {
                ["Database__Provider"] = target.Provider.ToString(),
                ["ConnectionStrings__FlagApi"] = connectionString,
                ["Database__MigrateOnStart"] = "false",
                ["Reports__HashKey"] = "test-report-hash-key-0123456789abcdef",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    internal static async Task<(int Code, string Output, string Error)> RunAsync(DatabaseProvider provider, string connectionString, params string[] args)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Database:Provider"] = provider.ToString();
        builder.Configuration["ConnectionStrings:FlagApi"] = connectionString;
        builder.AddFlagData();
        builder.AddEntries();
        using var host = builder.Build();
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await MigrateCommand.RunAsync(host.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private Task<(int Code, string Output, string Error)> RunAsync(string connectionString, params string[] args) =>
        RunAsync(target.Provider, connectionString, args);

    /// <summary>
    /// Starts the database step of the service's start on a host of its own: a start that fails inside the test host can
    /// surface as the host's ObjectDisposedException instead of the refusal, depending on which of its threads loses the race.
    /// </summary>
    private async Task<SchemaMismatchException> StartRefusedAsync(string connectionString, string? migrateOnStart)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Database:Provider"] = target.Provider.ToString();
        builder.Configuration["ConnectionStrings:FlagApi"] = connectionString;
        if (migrateOnStart is not null)
        {
            builder.Configuration["Database:MigrateOnStart"] = migrateOnStart;
        }

        builder.AddFlagData();
        builder.AddEntries();
        using var host = builder.Build();
        return await Assert.ThrowsAsync<SchemaMismatchException>(() => host.StartAsync());
    }

    /// <summary>Migrates to <paramref name="version"/> (all when null), then records <paramref name="unknown"/> as a newer build would.</summary>
    private async Task MigrateToAsync(string connectionString, int? version, string? unknown = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Database:Provider"] = target.Provider.ToString();
        builder.Configuration["ConnectionStrings:FlagApi"] = connectionString;
        builder.AddFlagData();
        using var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().MigrateAsync(version);
        if (unknown is not null)
        {
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            await db.Database.ExecuteSqlAsync($"INSERT INTO schema_versions (version, name, applied_at) VALUES (9999, {unknown}, '2030-01-01T00:00:00Z')");
        }
    }
}
