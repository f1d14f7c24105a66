using System.Text.Json;

namespace FlagApi.Tests.Infrastructure;

/// <summary>What two instances' indexes answer, compared through HTTP as a client sees it.</summary>
public static class IndexAnswers
{
    public const string Url = "http://fake-bank.example/login";

    /// <summary>Every lookup of <paramref name="phones"/> and of <see cref="Url"/>, and the hash prefixes of every phone, answer the same from both instances.</summary>
    public static async Task AssertSameAsync(FlagApiFactory expected, FlagApiFactory actual, IEnumerable<string> phones)
    {
        using var expectedClient = expected.CreateClient();
        using var actualClient = actual.CreateClient();
        foreach (var phone in phones)
        {
            Assert.Equal((await LookupAsync(expectedClient, phone)).GetRawText(), (await LookupAsync(actualClient, phone)).GetRawText());
            var prefix = Identifiers.IdentifierHash.Prefix("+86" + phone);
            Assert.Equal(await expectedClient.GetStringAsync($"/v1/hashes/{prefix}"), await actualClient.GetStringAsync($"/v1/hashes/{prefix}"));
        }

        var url = "/v1/lookup/url?value=" + Uri.EscapeDataString(Url);
        Assert.Equal(await expectedClient.GetStringAsync(url), await actualClient.GetStringAsync(url));
    }

    public static async Task<long> EntryIdAsync(FlagApiFactory app, string phone)
    {
        using var client = app.CreateClient();
        return (await LookupAsync(client, phone)).GetProperty("matches")[0].GetProperty("entryId").GetInt64();
    }

    public static async Task<JsonElement> LookupAsync(HttpClient client, string phone) =>
        JsonDocument.Parse(await client.GetStringAsync($"/v1/lookup/phone?value={phone}")).RootElement;
}
