using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlagApi.Data;
using FlagApi.Watches;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests.Infrastructure;

/// <summary>An owner's watch as the tests around the watch routes set it up: subscribed, with the code the outbox holds for it.</summary>
internal static partial class WatchApi
{
    public sealed record Subscribed(long Id, string Token, string Code);

    public static async Task<Subscribed> SubscribeAsync(FlagApiFactory app, string email, string value = "13800138000")
    {
        using var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/v1/watches", new { kind = "phone", value, email, statement = "It is my shop's number; call it back." });
        Assert.True((int)response.StatusCode == 201, await response.Content.ReadAsStringAsync());
        var receipt = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = receipt.GetProperty("id").GetInt64();
        return new Subscribed(id, receipt.GetProperty("accessToken").GetString()!, await CodeAsync(app, id));
    }

    /// <summary>Subscribed and confirmed: the watch awaits a reviewer's check of ownership.</summary>
    public static async Task<Subscribed> ConfirmedAsync(FlagApiFactory app, string email)
    {
        var watch = await SubscribeAsync(app, email);
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/watches/{watch.Id}/confirm") { Content = JsonContent.Create(new { code = watch.Code }) };
        request.Headers.Add(WatchEndpoints.TokenHeader, watch.Token);
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return watch;
    }

    /// <summary>The code, as the owner reads it in the confirmation mail in the outbox.</summary>
    public static async Task<string> CodeAsync(FlagApiFactory app, long watchId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var id = watchId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Notifications
            .Where(n => n.SubjectType == WatchService.SubjectType && n.SubjectId == id && n.Template == WatchMails.ConfirmTemplate)
            .Select(n => n.Body)
            .SingleAsync();
        return SixDigits().Match(body).Value;
    }

    [GeneratedRegex(@"(?<!\d)\d{6}(?!\d)")]
    private static partial Regex SixDigits();
}
