using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FlagApi.Health;

namespace FlagApi.Tests.Deployment;

/// <summary>The image's health check, a free loopback port, and waiting for a started service to answer ready.</summary>
internal static class ServiceReadiness
{
    internal static string[] HealthCheckCommand()
    {
        var healthCheck = DeploymentFiles.ReadDockerfile().Runtime.Single("HEALTHCHECK");
        var command = healthCheck.IndexOf("CMD ", StringComparison.Ordinal);
        Assert.True(command >= 0, $"HEALTHCHECK {healthCheck} has no CMD.");
        return DockerInstruction.ExecForm(healthCheck[(command + 4)..].Trim());
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task WaitUntilReadyAsync(string baseAddress, Func<string>? diagnostics = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(ProbeCommand.ReadyPath, UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "The app did not become ready within a minute. " + diagnostics?.Invoke());
            await Task.Delay(100);
        }
    }
}
