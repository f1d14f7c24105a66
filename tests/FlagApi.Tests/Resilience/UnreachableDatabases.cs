using System.Net;
using System.Net.Sockets;

namespace FlagApi.Tests.Resilience;

/// <summary>Connection strings to servers that are not there: a loopback port nothing listens on, so connecting is refused at once.</summary>
internal static class UnreachableDatabases
{
    /// <summary>A password the tests look for in what is printed and logged; it must never appear there.</summary>
    public const string Password = "not-the-password-7d1c";

    public static string Postgres() => $"Host=127.0.0.1;Port={FreePort()};Username=flagapi;Password={Password};Database=flagapi;Timeout=3";

    public static string SqlServer() => $"Server=127.0.0.1,{FreePort()};Database=flagapi;User ID=sa;Password={Password};Encrypt=false;Connect Timeout=2";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
