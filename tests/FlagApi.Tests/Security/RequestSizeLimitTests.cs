using System.Net;
using System.Net.Sockets;
using System.Text;
using FlagApi.Identifiers;
using FlagApi.Problems;
using FlagApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FlagApi.Tests.Security;

/// <summary>
/// Requests up to the documented limits reach the application and requests over them get problem details, over a real
/// Kestrel listener (the test server applies none of Kestrel's limits). What Kestrel still refuses before the application
/// sees it is pinned here too, status by status, as the README's known limits say.
/// </summary>
public sealed class RequestSizeLimitTests : IAsyncLifetime
{
    private const string LookupApp = "/v1/lookup/app?value=";

    private FlagApiFactory app = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        app = await FlagApiFactory.CreateServedAsync(new SqliteTarget());
        client = new HttpClient { BaseAddress = new Uri(app.BaseAddress), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    private long TargetLimit => app.Services.GetRequiredService<RequestSizeLimits>().MaxRequestTargetBytes;

    [Fact]
    public async Task TheLongestValueReachesTheApplicationEvenWithEveryCharacterPercentEncodedAsThreeBytes()
    {
        var longest = app.Services.GetRequiredService<IOptions<IdentifierOptions>>().Value.MaxInputLength;

        // 4096 characters of 营 are 36,864 bytes in the URL, far over Kestrel's default request line (8 KB).
        var encoded = await client.GetAsync(LookupApp + Uri.EscapeDataString(new string('营', longest)));
        var ascii = await client.GetAsync("/v1/lookup/url?value=" + Uri.EscapeDataString("http://a.example/" + new string('a', longest - "http://a.example/".Length)));

        // App names have a shorter rule of their own, which the application itself answers.
        var problem = await Problem.AssertAsync(encoded, HttpStatusCode.BadRequest, "invalid_app");
        Assert.Contains($"{longest} characters", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ascii.StatusCode);
    }

    [Fact]
    public async Task ARequestTargetOverTheLimitGets414ProblemDetailsFromTheApplication()
    {
        var atTheLimit = await client.GetAsync(LookupApp + new string('a', (int)TargetLimit - LookupApp.Length));
        var over = await client.GetAsync(LookupApp + new string('a', (int)TargetLimit - LookupApp.Length + 1));

        Assert.NotEqual(HttpStatusCode.RequestUriTooLong, atTheLimit.StatusCode);
        await Problem.AssertAsync(atTheLimit, HttpStatusCode.BadRequest, "invalid_app");
        var problem = await Problem.AssertAsync(over, HttpStatusCode.RequestUriTooLong, ProblemCodes.UriTooLong);
        Assert.Contains($"at most {TargetLimit}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        SecurityHeaderAssert.Api(over, "414 from the application");
    }

    [Fact]
    public async Task HeadersOverTheLimitGet431ProblemDetailsFromTheApplication()
    {
        using var large = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        large.Headers.TryAddWithoutValidation("X-Padding", new string('a', RequestSizeLimits.MaxHeadersTotalBytes));
        using var many = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        for (var i = 0; i <= RequestSizeLimits.MaxHeaderCount; i++)
        {
            many.Headers.TryAddWithoutValidation($"X-Header-{i}", "a");
        }

        using var fits = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        fits.Headers.TryAddWithoutValidation("X-Padding", new string('a', RequestSizeLimits.MaxHeadersTotalBytes - 1024));

        await Problem.AssertAsync(await client.SendAsync(large), HttpStatusCode.RequestHeaderFieldsTooLarge, ProblemCodes.HeadersTooLarge);
        await Problem.AssertAsync(await client.SendAsync(many), HttpStatusCode.RequestHeaderFieldsTooLarge, ProblemCodes.HeadersTooLarge);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(fits)).StatusCode);
    }

    [Fact]
    public async Task AHeaderValueInUtf8ReachesTheApplication()
    {
        var (status, contentType) = await RawAsync(Encoding.UTF8.GetBytes("GET /health/live HTTP/1.1\r\nHost: a\r\nX-Name: 营业执照\r\nConnection: close\r\n\r\n"));

        Assert.Equal(200, status);
        Assert.Equal("application/json", contentType);
    }

    /// <summary>The README's known limits: requests Kestrel answers itself, with a bare status and no problem details.</summary>
    [Fact]
    public async Task KestrelStillRefusesThesePastTheApplicationWithABareStatus()
    {
        var twiceTheTarget = new string('a', (int)(RequestSizeLimits.ServerMargin * TargetLimit) + 64);
        var cases = new (string What, byte[] Request, int Status)[]
        {
            ("a request target over twice the limit", Get(LookupApp + twiceTheTarget), 414),
            ("headers over twice the limit", Get("/health/live", $"X-Padding: {new string('a', RequestSizeLimits.ServerMargin * RequestSizeLimits.MaxHeadersTotalBytes)}"), 431),
            ("over twice the header lines", Get("/health/live", [.. Enumerable.Range(0, RequestSizeLimits.ServerMargin * RequestSizeLimits.MaxHeaderCount + 1).Select(i => $"X-Header-{i}: a")]), 431),
            ("raw non-ASCII bytes in the query", Raw("GET /v1/lookup/app?value=", "营", " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), 400),
            ("raw non-ASCII bytes in the path", Raw("GET /v1/lookup/", "营", "?value=a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), 400),
            ("a raw space in the query", Get("/v1/lookup/app?value=a b"), 400),
            ("a raw NUL in the query", Get("/v1/lookup/app?value=a\0b"), 400),
            ("a header value that is not UTF-8 (Latin-1 é)", [.. Encoding.ASCII.GetBytes("GET /health/live HTTP/1.1\r\nHost: a\r\nX-Name: "), 0xE9, .. Encoding.ASCII.GetBytes("\r\nConnection: close\r\n\r\n")], 400),
            ("no Host header", Encoding.ASCII.GetBytes("GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n"), 400),
            ("HTTP/1.2", Encoding.ASCII.GetBytes("GET /health/live HTTP/1.2\r\nHost: a\r\nConnection: close\r\n\r\n"), 505),
        };

        foreach (var (what, request, expected) in cases)
        {
            var (status, contentType) = await RawAsync(request);
            Assert.True(status == expected, $"{what}: {status}, expected {expected}");
            Assert.True(contentType is null, $"{what}: Kestrel answered with a body of {contentType}; the README's known limits need updating.");
        }
    }

    private static byte[] Get(string target, params string[] headers) =>
        Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: a\r\n{string.Concat(headers.Select(h => h + "\r\n"))}Connection: close\r\n\r\n");

    private static byte[] Raw(string before, string utf8, string after) =>
        [.. Encoding.ASCII.GetBytes(before), .. Encoding.UTF8.GetBytes(utf8), .. Encoding.ASCII.GetBytes(after)];

    /// <summary>Sends the bytes as they are and returns the answer's status and media type (null without a body type).</summary>
    private async Task<(int Status, string? ContentType)> RawAsync(byte[] request)
    {
        var server = new Uri(app.BaseAddress);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(request);
        }
        catch (IOException)
        {
            // Kestrel may answer and close before it read everything sent; the answer is still there to read.
        }

        using var reader = new StreamReader(stream, Encoding.Latin1);
        var statusLine = await reader.ReadLineAsync() ?? string.Empty;
        string? contentType = null;
        for (var line = await reader.ReadLineAsync(); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync())
        {
            if (line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))
            {
                contentType = line["Content-Type:".Length..].Split(';')[0].Trim();
            }
        }

        var parts = statusLine.Split(' ');
        Assert.True(parts.Length > 1 && int.TryParse(parts[1], out _), $"Not an HTTP answer: '{statusLine}'");
        return (int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), contentType);
    }
}
