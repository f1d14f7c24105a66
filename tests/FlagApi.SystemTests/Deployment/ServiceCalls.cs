using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FlagApi.Tests.Deployment;

/// <summary>
/// HTTP calls to a service in a process of its own (<see cref="ServiceProcess"/>), where an unexpected answer fails
/// with the service's output in the message, since the test cannot see its logs any other way.
/// </summary>
internal static class ServiceCalls
{
    public static HttpClient Client(Uri address, string? key, TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = timeout };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    /// <summary>The answer's JSON body (default when empty), once its status is <paramref name="expected"/>.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected, Func<string> describe)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            // The output is read once: the service may still be writing to it.
            var output = describe();
            Assert.Fail(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)expected}: " +
                $"{body[..Math.Min(body.Length, 2000)]}\n{output[^Math.Min(output.Length, 20000)..]}");
        }

        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Issues a key through <c>POST /v1/keys</c>; the answer holds its <c>id</c> and its secret, <c>key</c>.</summary>
    public static async Task<JsonElement> CreateKeyAsync(HttpClient admin, string name, string role, string? agency, Func<string> describe) =>
        await ReadAsync(await admin.PostAsJsonAsync("/v1/keys", new { name, role, agency }), HttpStatusCode.Created, describe);
}
