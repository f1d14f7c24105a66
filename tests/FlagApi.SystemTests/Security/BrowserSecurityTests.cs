using FlagApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FlagApi.Tests.Security;

/// <summary>What the security headers and the cross-origin policy mean to a real browser.</summary>
[Collection(BrowserTests.Name)]
public sealed class BrowserSecurityTests(BrowserFixture browser)
{
    private const string RecordViolations =
        "window.violations = []; document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));";

    [Fact]
    public async Task SwaggerUiRendersEveryOperationWithoutAContentSecurityPolicyViolation()
    {
        await using var app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        await using var session = await PortalSession.OpenAsync(browser, app.BaseAddress);
        await session.Page.Context.AddInitScriptAsync(RecordViolations);

        await session.Page.GotoAsync("/swagger/index.html");
        await session.Page.Locator(".opblock").First.WaitForAsync();
        await session.Page.Locator(".opblock-summary").First.ClickAsync();
        await session.Page.Locator(".opblock-body").First.WaitForAsync();

        var operations = System.Text.Json.Nodes.JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!["paths"]!.AsObject()
            .Sum(path => path.Value!.AsObject().Count(m => m.Key is "get" or "post" or "put" or "delete" or "patch"));
        Assert.Equal(operations, await session.Page.Locator(".opblock").CountAsync());
        Assert.Empty(await session.Page.EvaluateAsync<string[]>("() => window.violations"));
    }

    [Fact]
    public async Task APartnerPageReadsLookupsAcrossOriginsWhileAnotherSiteAndOtherEndpointsAreRefused()
    {
        // Chromium lets only loopback pages call a loopback server, so both sites are this server on ports of its own:
        // the API at 127.0.0.1, the partner's and the other site's pages at localhost, each its own origin.
        var (apiPort, partnerPort, evilPort) = (FreePort(), FreePort(), FreePort());
        var partner = $"http://localhost:{partnerPort}";
        await using var app = new FlagApiFactory(
            FlagApi.Data.DatabaseProvider.Sqlite, await new SqliteTarget().CreateDatabaseAsync(), new Dictionary<string, string?> { ["Cors:LookupOrigins:0"] = partner });
        app.UseKestrel(o =>
        {
            foreach (var port in new[] { apiPort, partnerPort, evilPort })
            {
                o.Listen(System.Net.IPAddress.Loopback, port);
            }
        });
        app.StartServer();
        await app.PublishAsync(("phone", "13800138000", "other", "high"));

        // The pages are the service's own JSON; their policy would forbid any fetch, and the test is about CORS, not CSP.
        await using var context = await browser.RequireBrowser().NewContextAsync(new BrowserNewContextOptions { BypassCSP = true });
        var partnerPage = await context.NewPageAsync();
        await partnerPage.GotoAsync(partner + "/health/live");
        var evilPage = await context.NewPageAsync();
        await evilPage.GotoAsync($"http://localhost:{evilPort}/health/live");

        // A GET, a JSON POST (which needs a preflight), a call with a key (a preflight for X-Api-Key), and two endpoints that are not lookups.
        const string Calls = """
            async api => {
              const read = async (url, init) => { try { const r = await fetch(url, init); return r.status + ' ' + (await r.text()).slice(0, 60); } catch (e) { return 'refused'; } };
              return [
                await read(api + '/v1/lookup/phone?value=13800138000'),
                await read(api + '/v1/lookup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ items: [{ kind: 'phone', value: '13800138000' }] }) }),
                await read(api + '/v1/hashes/00000', { headers: { 'X-Api-Key': 'not-a-key' } }),
                await read(api + '/v1/stats'),
                await read(api + '/v1/reports', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'phone', value: '13900000001', description: 'x' }) }),
              ];
            }
            """;
        var api = $"http://127.0.0.1:{apiPort}";
        var fromPartner = await partnerPage.EvaluateAsync<string[]>(Calls, api);
        var fromEvil = await evilPage.EvaluateAsync<string[]>(Calls, api);

        // Every answer carries Cross-Origin-Resource-Policy: same-origin; it refuses embedding, not a CORS read.
        Assert.StartsWith("200 {\"kind\":\"phone\"", fromPartner[0], StringComparison.Ordinal);
        Assert.StartsWith("200 {\"results\"", fromPartner[1], StringComparison.Ordinal);
        Assert.StartsWith("401 ", fromPartner[2], StringComparison.Ordinal);
        Assert.Equal("refused", fromPartner[3]);
        Assert.Equal("refused", fromPartner[4]);
        Assert.All(fromEvil, result => Assert.Equal("refused", result));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
