using System.Text.Json;
using System.Text.Json.Nodes;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public class OpenApiDocumentTests
{
    /// <summary>Set to 1 to rewrite the checked-in document from what the app serves (then review the diff).</summary>
    private const string UpdateVariable = "FLAGAPI_UPDATE_OPENAPI";

    [Fact]
    public async Task NoTwoPathsDifferOnlyInTheirParameterNames()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        using var client = app.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        // OpenAPI treats /a/{x} and /a/{y} as the same path; generated clients cannot call both.
        var shapes = document["paths"]!.AsObject().Select(p => System.Text.RegularExpressions.Regex.Replace(p.Key, "{[^}]+}", "{}")).ToList();

        Assert.Empty(shapes.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public async Task ServedDocumentIsIdenticalToTheCheckedInOne()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        using var client = app.CreateClient();
        var served = await client.GetStringAsync("/openapi/v1.json");
        var path = Path.Combine(RepositoryRoot(), "openapi", "v1.json");

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(path, served.ReplaceLineEndings("\n").TrimEnd() + "\n");
        }

        var checkedIn = await File.ReadAllTextAsync(path);
        Assert.True(
            checkedIn.ReplaceLineEndings("\n").TrimEnd() == served.ReplaceLineEndings("\n").TrimEnd(),
            $"openapi/v1.json differs from the document the app serves. Run `{UpdateVariable}=1 dotnet test --filter OpenApiDocumentTests` and review the diff.");
    }

    [Fact]
    public async Task EveryOperationIsSummarisedNamedAndDeclaresItsErrors()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        using var client = app.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var where = $"{method.ToUpperInvariant()} {path}";
                Assert.False(string.IsNullOrWhiteSpace((string?)operation!["summary"]), $"{where} has no summary");
                Assert.False(string.IsNullOrWhiteSpace((string?)operation["operationId"]), $"{where} has no operationId");
                var responses = operation["responses"]!.AsObject();
                if (path.StartsWith("/v1/", StringComparison.Ordinal))
                {
                    Assert.True(responses.Any(r => r.Key.StartsWith('4')), $"{where} declares no 4xx response");
                }
            }
        }
    }

    [Fact]
    public async Task SwaggerUiIsServed()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        using var client = app.CreateClient();

        var page = await client.GetStringAsync("/swagger/index.html");

        Assert.Contains("swagger-ui", page, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FlagApi.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (FlagApi.sln) above " + AppContext.BaseDirectory);
    }
}
