using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Lookup;
using FlagApi.Reports;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public sealed class ReportSubmissionOnSqlite() : ReportSubmissionTests(new SqliteTarget())
{
    [Fact]
    public async Task WithoutAConfiguredHashKeyOneIsGeneratedInTheDataFolderAndKeptAcrossRestarts()
    {
        var folder = Directory.CreateTempSubdirectory("flagapi-reports-").FullName;
        try
        {
            var settings = new Dictionary<string, string?> { ["Reports:HashKey"] = "", ["Database:DataDirectory"] = folder };
            var database = await new SqliteTarget().CreateDatabaseAsync();
            string firstHash;
            await using (var app = new FlagApiFactory(DatabaseProvider.Sqlite, database, settings))
            {
                using var client = app.CreateClient();
                await ReceivedIdAsync(await ReportAsync(client, Number, "Scam"));
                firstHash = (await SingleReportAsync(app)).ReporterHash;
            }

            var path = Path.Combine(folder, ReporterHasher.KeyFileName);
            Assert.True(File.Exists(path));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            await using (var restarted = new FlagApiFactory(DatabaseProvider.Sqlite, database, settings))
            {
                using var client = restarted.CreateClient();
                await ReceivedIdAsync(await ReportAsync(client, Number, "Scam again"));
                var row = await SingleReportAsync(restarted);
                Assert.Equal((firstHash, 2), (row.ReporterHash, row.Times));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
