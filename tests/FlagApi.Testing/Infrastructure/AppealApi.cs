using System.Net.Http.Json;
using System.Text.Json;

namespace FlagApi.Tests.Infrastructure;

/// <summary>The API calls the portal tests make around the pages: filing an appeal, a reviewer's reads and decisions, a lookup.</summary>
internal static class AppealApi
{
    public sealed record Filed(long Id, string Code, string Token);

    public sealed record ReviewerView(JsonElement Json, string ETag);

    /// <summary>Files an appeal anonymously, as the appeal page would.</summary>
    public static async Task<Filed> FileAsync(
        FlagApiFactory app, string number, string contact = "13900139000", string name = "王秀英",
        string statement = "这是我开小卖部用了八年的号码。", object[]? evidence = null, object[]? attachments = null)
    {
        using var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/v1/appeals", new
        {
            kind = "phone",
            value = number,
            appellant = new { name, contact },
            statement,
            evidence = evidence ?? [],
            attachments,
        });
        Assert.True((int)response.StatusCode == 201, await response.Content.ReadAsStringAsync());
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Filed(created.GetProperty("id").GetInt64(), created.GetProperty("trackingCode").GetString()!, created.GetProperty("accessToken").GetString()!);
    }

    /// <summary>The appeal as a reviewer sees it, with the ETag a decision must send as If-Match.</summary>
    public static async Task<ReviewerView> ReviewerViewAsync(HttpClient reviewer, long id)
    {
        var response = await reviewer.GetAsync($"/v1/review/appeals/{id}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return new ReviewerView(await response.Content.ReadFromJsonAsync<JsonElement>(), response.Headers.ETag!.ToString());
    }

    /// <summary>The verdict a lookup of <paramref name="phone"/> gives now.</summary>
    public static async Task<string?> VerdictAsync(FlagApiFactory app, string phone)
    {
        using var client = app.CreateClient();
        var lookup = await client.GetFromJsonAsync<JsonElement>($"/v1/lookup/phone?value={Uri.EscapeDataString(phone)}");
        return lookup.GetProperty("verdict").GetString();
    }

    public static Task DecideAsync(HttpClient reviewer, long id, string decision, string reason) =>
        DecideAsync(reviewer, id, new { decision, reason, verification = "callback" });

    /// <summary>Decides with the body as given (<c>{decision, reason, verification?, ownerSince?, whatWouldChange?}</c>).</summary>
    public static async Task DecideAsync(HttpClient reviewer, long id, object body)
    {
        var seen = await ReviewerViewAsync(reviewer, id);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/review/appeals/{id}/decision")
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.TryAddWithoutValidation("If-Match", seen.ETag);
        var response = await reviewer.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
