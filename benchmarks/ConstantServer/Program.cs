// The floor for lookup throughput: one minimal-API endpoint answering a constant JSON body, on the same host
// builder, Kestrel defaults and logging levels as FlagApi, so that what a lookup costs above it is FlagApi's own.
// usage: dotnet ConstantServer.dll --urls http://127.0.0.1:PORT --body-bytes N   (or ConstantServer__BodyBytes=N)
using System.Globalization;
using System.Text;

var builder = WebApplication.CreateBuilder(args);
var bodyBytes = builder.Configuration.GetValue<int?>("body-bytes") ?? builder.Configuration.GetValue<int?>("ConstantServer:BodyBytes") ?? 512;
var body = ConstantBody.Of(bodyBytes);

var app = builder.Build();

// The lookup's route shape, so that wrk sends the very same requests to both servers.
app.MapGet("/v1/lookup/{kind}", () => Results.Bytes(body, "application/json; charset=utf-8"));

app.Run();

internal static class ConstantBody
{
    private const string Opening = "{\"padding\":\"";
    private const string Closing = "\"}";

    /// <summary>A JSON object of exactly <paramref name="bytes"/> bytes in UTF-8.</summary>
    public static byte[] Of(int bytes)
    {
        var padding = bytes - Opening.Length - Closing.Length;
        if (padding < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes,
                string.Create(CultureInfo.InvariantCulture, $"The body needs at least {Opening.Length + Closing.Length} bytes."));
        }

        return Encoding.UTF8.GetBytes(Opening + new string('x', padding) + Closing);
    }
}
