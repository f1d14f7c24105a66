using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlagApi.Tests;

public sealed class MigrateCommandWithoutADatabaseTests
{
    [Fact]
    public async Task MigrateAgainstAPostgresServerThatDoesNotAnswerExitsOneAndSaysSo()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (code, output, error) = await MigrateCommandTests.RunAsync(
            DatabaseProvider.Postgres, $"Host=127.0.0.1;Port={port};Username=flagapi;Password=flagapi;Database=flagapi;Timeout=3");

        Assert.Equal(CommandLine.Failed, code);
        Assert.Empty(output);
        Assert.StartsWith("Cannot reach the Postgres database", error, StringComparison.Ordinal);
        Assert.Contains("nothing was applied", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", error, StringComparison.OrdinalIgnoreCase);
    }
}
