using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

/// <summary>
/// Debian's <c>prometheus</c> scrapes the built service's <c>/metrics</c> over loopback, and a FlagApi metric comes back
/// through Prometheus's own query API: the exposition is what the real scraper parses, not what our parser accepts.
/// </summary>
public sealed class PrometheusScrapeTests : IAsyncLifetime
{
    private readonly SqliteServiceDatabase database = new();
    private readonly string prometheusFolder = Directory.CreateTempSubdirectory("flagapi-prometheus-").FullName;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await database.DisposeAsync();
        Directory.Delete(prometheusFolder, recursive: true);
    }

    [Fact]
    public async Task PrometheusScrapesTheServiceAndAnswersAFlagApiMetricWhileOtherNetworksAreRefused()
    {
        var prometheus = ServerBinaries.Require("prometheus", "prometheus");

        // Only 127.0.0.1 (and ::1) may scrape: Prometheus connects from there, and a client bound to 127.0.0.2, loopback too, may not.
        using var service = ServiceProcess.Start("service scraped by prometheus", new Dictionary<string, string>(database.ServiceSettings)
        {
            ["Database__MigrateOnStart"] = "true",
            ["Metrics__Enabled"] = "true",
            ["Metrics__AllowedNetworks__0"] = "127.0.0.1",
        });
        await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        using (var client = new HttpClient { BaseAddress = service.Address })
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/lookup/phone?value=13800138000")).StatusCode);
            }
        }

        using (var outsider = new HttpClient(FromAddress(IPAddress.Parse("127.0.0.2"))) { BaseAddress = service.Address })
        {
            var refused = await outsider.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("metrics_forbidden", problem.GetProperty("code").GetString());
        }

        var port = ServiceProcess.FreePort();
        var config = Path.Combine(prometheusFolder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: flagapi
                metrics_path: /metrics
                static_configs:
                  - targets: ['{service.Address.Authority}']
            """);
        var start = new ProcessStartInfo(prometheus)
        {
            ArgumentList =
            {
                $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(prometheusFolder, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            },
            WorkingDirectory = prometheusFolder,
        };
        using var server = new RunningProcess(start);
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var query = "/api/v1/query?query=" + Uri.EscapeDataString("flagapi_lookups_total{kind=\"phone\",verdict=\"clear\",job=\"flagapi\"}");
            var clock = Stopwatch.StartNew();
            string? last = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                try
                {
                    last = await api.GetStringAsync(query);
                    if (Value(last) is { } value)
                    {
                        Assert.Equal(3, value);
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Prometheus is not listening yet.
                }

                await Task.Delay(500);
            }

            Assert.Fail($"Prometheus had no flagapi_lookups_total after 30 s. Last answer: {last}\n{server.Output}\n{service.Describe()}");
        }
        finally
        {
            await server.StopAsync();
        }
    }

    /// <summary>The value of the one series an instant query answered, or null while it answers none.</summary>
    private static double? Value(string answer)
    {
        var result = JsonDocument.Parse(answer).RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 1
            ? double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>A handler whose connections leave from <paramref name="local"/>, as a client on another network's would.</summary>
    private static SocketsHttpHandler FromAddress(IPAddress local) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
