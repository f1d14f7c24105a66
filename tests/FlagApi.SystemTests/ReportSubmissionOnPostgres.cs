using FlagApi.Reports;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ReportSubmissionOnPostgres(PostgresTarget target) : ReportSubmissionTests(target), IClassFixture<PostgresTarget>
{
    [Fact]
    public async Task WithoutAConfiguredHashKeyTheStartRefusesBecauseEveryInstanceMustShareOne()
    {
        var folder = Directory.CreateTempSubdirectory("flagapi-reports-").FullName;
        try
        {
            var settings = new Dictionary<string, string?> { ["Reports:HashKey"] = "", ["Database:DataDirectory"] = folder };
            await using var app = new FlagApiFactory(target.Provider, await target.CreateDatabaseAsync(), settings);

            var refusal = Assert.ThrowsAny<Exception>(() => app.Server);

            Assert.Contains("Reports:HashKey must be set", refusal.ToString(), StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(folder, ReporterHasher.KeyFileName)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
