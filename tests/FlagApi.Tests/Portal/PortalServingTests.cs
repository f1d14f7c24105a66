using Microsoft.Extensions.DependencyInjection;
using System.Net;
using FlagApi.Portal;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests.Portal;

/// <summary>How the service serves the portal's files, seen by an HTTP client (no browser needed).</summary>
public sealed class PortalServingTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/report")]
    [InlineData("/appeal")]
    [InlineData("/track")]
    [InlineData("/review")]
    [InlineData("/stats")]
    public async Task EveryPageIsHtmlWithTheStrictPolicyAndSecurityHeaders(string path)
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        using var client = app.CreateClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal(PortalSite.ContentSecurityPolicy, Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("no-cache", Header(response, "Cache-Control"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"zh-CN\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePolicyAllowsNothingFromAnotherOriginAndNoInlineCode()
    {
        var directives = PortalSite.ContentSecurityPolicy.Split(';', StringSplitOptions.TrimEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray());

        Assert.Equal(["'none'"], directives["default-src"]);
        Assert.Equal(["'self'"], directives["script-src"]);
        Assert.Equal(["'self'"], directives["style-src"]);
        Assert.Equal(["'self'"], directives["connect-src"]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.Equal(["'script'"], directives["require-trusted-types-for"]);
        Assert.DoesNotContain(directives.Values.SelectMany(v => v), v => v.Contains("unsafe", StringComparison.Ordinal) || v == "*" || v.StartsWith("http", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryFileIsServedWithItsTypeAndAnUnchangedFileAnswersNotModified()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        using var client = app.CreateClient();
        var site = app.Services.GetRequiredService<PortalSite>();
        Assert.Contains("portal.js", site.Files);
        Assert.Contains("i18n/zh-CN.js", site.Files);
        Assert.Contains("i18n/en.js", site.Files);

        foreach (var file in site.Files)
        {
            var response = await client.GetAsync("/portal/" + file);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var expected = Path.GetExtension(file) switch
            {
                ".js" => "text/javascript",
                ".css" => "text/css",
                ".html" => "text/html",
                ".svg" => "image/svg+xml",
                var other => throw new InvalidOperationException($"The portal serves {file}, of a type this test does not know ({other})."),
            };
            Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);

            using var again = new HttpRequestMessage(HttpMethod.Get, "/portal/" + file);
            again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
            var revalidated = await client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        }
    }

    [Theory]
    [InlineData("/portal/nothing.js")]
    [InlineData("/portal/../appsettings.json")]
    [InlineData("/portal/%2e%2e/appsettings.json")]
    [InlineData("/portal/")]
    public async Task AFileThatIsNotInThePortalIsAProblemNotAFile(string path)
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        using var client = app.CreateClient();

        var response = await client.GetAsync(path);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task TheConfiguredOfficialAddressIsWrittenIntoEveryPageEncoded()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget(), new Dictionary<string, string?>
        {
            ["Portal:OfficialAddress"] = "https://fanzha.example.gov.cn/?a=1&b=\"2\"",
        });
        using var client = app.CreateClient();

        foreach (var page in PortalEndpoints.Pages.Keys)
        {
            var html = await client.GetStringAsync(page);
            Assert.Contains("content=\"https://fanzha.example.gov.cn/?a=1&amp;b=&quot;2&quot;\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("%OFFICIAL_ADDRESS%", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheAppealPageIsToldThisDeploymentsAttachmentLimits()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget(), new Dictionary<string, string?>
        {
            ["Appeals:MaxAttachments"] = "2",
            ["Appeals:MaxAttachmentBytes"] = "500000",
        });
        using var client = app.CreateClient();

        var html = await client.GetStringAsync("/appeal");

        Assert.Contains("<meta name=\"flagapi-appeal-max-attachments\" content=\"2\">", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"flagapi-appeal-max-attachment-bytes\" content=\"500000\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOfficialAddressThatIsNotAWebAddressStopsTheStart()
    {
        // On a host of its own, as CrossOriginTests does: a refused start of the whole application can surface as the
        // host's ObjectDisposedException instead of the refusal.
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Portal:OfficialAddress"] = "javascript:alert(1)";
        builder.AddPortal();
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Portal:OfficialAddress", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnApiOnlyDeploymentServesNoPortal()
    {
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget(), new Dictionary<string, string?> { ["Portal:Enabled"] = "false" });
        using var client = app.CreateClient();

        await Problem.AssertAsync(await client.GetAsync("/"), HttpStatusCode.NotFound, "not_found");
        await Problem.AssertAsync(await client.GetAsync("/portal/portal.js"), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
