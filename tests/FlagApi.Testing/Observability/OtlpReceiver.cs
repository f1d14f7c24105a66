using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlagApi.Tests.Observability;

/// <summary>
/// An OTLP/HTTP collector reduced to what a test needs: it accepts <c>POST /v1/traces</c> on a loopback port and keeps
/// each body as sent. No protobuf library is at hand, and none is needed to look for bytes: a span's trace id is its
/// 16 raw bytes, and its names and attribute values are UTF-8 strings.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly List<byte[]> bodies = [];
    private readonly Task receiving;

    private OtlpReceiver(int port)
    {
        Address = new Uri($"http://127.0.0.1:{port}");
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>For <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; the exporter adds <c>/v1/traces</c>.</summary>
    public Uri Address { get; }

    public int Exports
    {
        get
        {
            lock (bodies)
            {
                return bodies.Count;
            }
        }
    }

    public static OtlpReceiver Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new OtlpReceiver(port);
    }

    public bool Holds(byte[] value)
    {
        lock (bodies)
        {
            return bodies.Any(b => b.AsSpan().IndexOf(value) >= 0);
        }
    }

    public bool Holds(string text) => Holds(Encoding.UTF8.GetBytes(text));

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await receiving;
    }

    private async Task ReceiveAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (context.Request.HttpMethod == "POST" && context.Request.Url?.AbsolutePath == "/v1/traces")
            {
                lock (bodies)
                {
                    bodies.Add(body.ToArray());
                }

                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            // A fresh connection for every export. In one CI run the first batch (the traced lookup's span) never arrived
            // while later ones did; a pooled connection that HttpListener had dropped is the likely cause.
            context.Response.KeepAlive = false;
            context.Response.Close();
        }
    }
}
