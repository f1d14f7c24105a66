using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlagApi.Data;
using FlagApi.Problems;
using FlagApi.Security;
using FlagApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace FlagApi.Tests.Security;

public sealed class SecurityHeadersOnSqlite() : SecurityHeadersTests(new SqliteTarget())
{
    [Fact]
    public async Task ADatabaseOutageAnswers503WithTheSecurityHeaders()
    {
        var connectionString = await new SqliteTarget().CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["Database:SqliteBusyTimeout"] = "00:00:00.200" };
        await using var app = new FlagApiFactory(DatabaseProvider.Sqlite, connectionString + ";Default Timeout=1", settings);
        _ = app.Server;
        using var client = app.CreateClient();

        await using var holder = new SqliteConnection(connectionString);
        await holder.OpenAsync();
        await using (var exclusive = holder.CreateCommand())
        {
            exclusive.CommandText = "PRAGMA busy_timeout = 0; BEGIN EXCLUSIVE;";
            await exclusive.ExecuteNonQueryAsync();
        }

        var response = await client.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "13900000001", description = "Called about a parcel." });

        await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, ProblemCodes.DatabaseUnavailable);
        SecurityHeaderAssert.Api(response);
    }
}
