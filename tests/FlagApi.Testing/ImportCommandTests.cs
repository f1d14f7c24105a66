using FlagApi.Data;
using FlagApi.Lists;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class ImportCommandTests(DatabaseTarget target) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("flagapi-import-").FullName;

    public void Dispose()
    {
        Directory.Delete(folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task CsvListIsImportedAndServed()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var file = Write("list.csv", """
            kind,value,category,risk,note
            phone,138 0013 8000,impersonating_authorities,high,"called claiming to be ""police"", asked for a transfer"
            url,http://icbc-verify.example/login,fake_customer_service,medium,
            app,云客服,remote_control_app,,"note over
            two lines"
            account,qq:123456,,,
            """);

        var (code, output, error) = await RunAsync(app, "import", file, "--agency", "Shenzhen PSB", "--reference", "2026-W47", "--title", "Weekly list");

        Assert.True(code == ImportCommand.Ok, error);
        Assert.Contains("4 new", output, StringComparison.Ordinal);
        await app.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
        var lookup = await app.GetJsonAsync<System.Text.Json.JsonElement>("/v1/lookup/phone?value=13800138000");
        Assert.Equal("flagged", lookup.GetProperty("verdict").GetString());
        Assert.Equal("Shenzhen PSB 2026-W47", lookup.GetProperty("matches")[0].GetProperty("sources")[0].GetProperty("label").GetString());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var notes = await db.EntrySources.OrderBy(s => s.Id).Select(s => s.Note).ToListAsync();
        Assert.Equal("called claiming to be \"police\", asked for a transfer", notes[0]);
        Assert.Equal("note over\ntwo lines", notes[2]?.ReplaceLineEndings("\n"));
        var app2 = await db.Entries.SingleAsync(e => e.Kind == Identifiers.IdentifierKind.App);
        Assert.Equal(Data.Risk.High, app2.Risk); // police lists default to high risk
        Assert.Equal(Data.Category.Other, (await db.Entries.SingleAsync(e => e.Kind == Identifiers.IdentifierKind.Account)).Category);
        Assert.Equal("Weekly list", (await db.Lists.SingleAsync()).Title);
    }

    [Fact]
    public async Task JsonListIsImported()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var file = Write("list.json", """{"entries":[{"kind":"app","value":"及时服务","category":"remote_control_app","risk":"high","note":null},{"kind":"account","value":"qq:123456"}]}""");

        var (code, _, error) = await RunAsync(app, "import", file);

        Assert.True(code == ImportCommand.Ok, error);
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Entries.CountAsync());
    }

    [Fact]
    public async Task EveryBadRowIsReportedByLineAndNothingIsImported()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var file = Write("bad.csv", """
            kind,value,category,risk,note
            phone,13800138000,other,high,
            phone,not a number,other,high,
            planet,mars,other,high,
            app,云客服,scam,high,
            app,及时服务,other,extreme,
            account,bank_card:4111111111111112,,,
            url,http://ok.example/,other,low,
            """);

        var (code, _, error) = await RunAsync(app, "import", file);

        Assert.Equal(ImportCommand.InvalidRows, code);
        Assert.Contains("line 3: invalid_phone", error, StringComparison.Ordinal);
        Assert.Contains("line 4: unknown_kind", error, StringComparison.Ordinal);
        Assert.Contains("line 5: invalid_category", error, StringComparison.Ordinal);
        Assert.Contains("line 6: invalid_risk", error, StringComparison.Ordinal);
        Assert.Contains("line 7: invalid_account", error, StringComparison.Ordinal);
        Assert.DoesNotContain("line 2:", error, StringComparison.Ordinal);
        Assert.Contains("Nothing was imported: 5 of 7 rows", error, StringComparison.Ordinal);
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Entries.CountAsync());
    }

    [Fact]
    public async Task ImportingTheSameFileTwiceChangesNothingTheSecondTime()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var file = Write("list.csv", "kind,value\nphone,13800138000\n");
        Assert.Equal(ImportCommand.Ok, (await RunAsync(app, "import", file)).Code);

        var (code, output, _) = await RunAsync(app, "import", file);

        Assert.Equal(ImportCommand.Ok, code);
        Assert.Contains("nothing changed", output, StringComparison.Ordinal);
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Lists.CountAsync());
    }

    [Fact]
    public async Task ReusedReferenceWithOtherContentExitsWithAConflict()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        Assert.Equal(ImportCommand.Ok, (await RunAsync(app, "import", Write("a.csv", "kind,value\nphone,13800138000\n"), "--reference", "W47")).Code);

        var (code, _, error) = await RunAsync(app, "import", Write("b.csv", "kind,value\nphone,13900139000\n"), "--reference", "W47");

        Assert.Equal(ImportCommand.Conflict, code);
        Assert.Contains("different content", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown,value\nphone,1\n", "unknown_column")]
    [InlineData("value\n13800138000\n", "missing_header")]
    [InlineData("", "missing_header")]
    [InlineData("kind,value\nphone,\"13800138000\n", "invalid_csv")]
    public async Task UnreadableFileIsRefusedWithTheReason(string csv, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);

        var (exit, _, error) = await RunAsync(app, "import", Write("x.csv", csv));

        Assert.Equal(ImportCommand.InvalidRows, exit);
        Assert.Contains(code, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("import")]
    [InlineData("import", "/nonexistent/list.csv")]
    [InlineData("import", "list.xlsx")]
    [InlineData("import", "a.csv", "--agency")]
    [InlineData("import", "a.csv", "--colour", "red")]
    [InlineData("import", "a.csv", "--format", "xml")]
    public async Task WrongUsageExitsWithTheUsageCode(params string[] args)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        Write("list.xlsx", "x");
        Write("a.csv", "kind,value\n");
        var resolved = args.Select(a => a.EndsWith(".xlsx", StringComparison.Ordinal) || a == "a.csv" ? Path.Combine(folder, a) : a).ToArray();

        var (code, _, error) = await RunAsync(app, resolved);

        Assert.Equal(ImportCommand.Usage, code);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public async Task ImportedListCarriesItsNoticeReasonAndContactAndAnOverlongReasonIsRefused()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var file = Write("list.csv", "kind,value,category\nphone,13800138000,gambling\n");

        var (refused, _, problem) = await RunAsync(app, "import", file, "--notice-reason", new string('x', ListImporter.MaxNoticeReasonLength + 1));
        var (code, _, error) = await RunAsync(
            app, "import", file, "--agency", "Shenzhen PSB", "--notice-reason", "Gambling promotion, confirmed", "--notice-contact", "0755-12345678");

        Assert.Equal(ImportCommand.Usage, refused);
        Assert.Contains("--notice-reason", problem, StringComparison.Ordinal);
        Assert.True(code == ImportCommand.Ok, error);
        await app.Services.GetRequiredService<ListIndexFollower>().CatchUpAsync();
        var listing = (await app.GetJsonAsync<System.Text.Json.JsonElement>("/v1/lookup/phone?value=13800138000")).GetProperty("notice").GetProperty("listedBy")[0];
        Assert.Equal(("Gambling promotion, confirmed", "0755-12345678"), (listing.GetProperty("reason").GetString(), listing.GetProperty("contact").GetString()));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(FlagApiFactory app, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ImportCommand.RunAsync(app.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
