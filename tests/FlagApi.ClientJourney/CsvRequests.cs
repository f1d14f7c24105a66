using System.Text;
using FlagApi.ClientJourney.Generated.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;

namespace FlagApi.ClientJourney;

/// <summary>CSV through a generated request builder's request and the client's adapter (see <c>FlagApiClient.Adapter</c>).</summary>
internal static class CsvRequests
{
    private static readonly Dictionary<string, ParsableFactory<IParsable>> Problems = new() { ["XXX"] = ProblemDetails.CreateFromDiscriminatorValue };

    /// <summary>The lines of <paramref name="request"/>'s answer asked for as <c>text/csv</c>; null when the server answers 304.</summary>
    public static async Task<IReadOnlyList<string>?> ReadCsvAsync(this IRequestAdapter adapter, RequestInformation request)
    {
        request.Headers.Remove("Accept");
        request.Headers.Add("Accept", "text/csv");
        await using var body = await adapter.SendPrimitiveAsync<Stream>(request, Problems);
        if (body is null)
        {
            return null;
        }

        using var reader = new StreamReader(body, Encoding.UTF8);
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>Sends <paramref name="csv"/> as the body of <paramref name="request"/> and reads the JSON answer.</summary>
    public static Task<T?> SendCsvAsync<T>(this IRequestAdapter adapter, RequestInformation request, string csv, ParsableFactory<T> answer)
        where T : IParsable
    {
        request.Headers.Remove("Content-Type");
        request.SetStreamContent(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "text/csv");
        return adapter.SendAsync(request, answer, Problems);
    }
}
