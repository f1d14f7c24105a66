using FlagApi.Reports;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>On a database that several instances share, every instance must count a reporter with the same key.</summary>
public abstract class ReportHashKeyTests(DatabaseTarget target)
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
