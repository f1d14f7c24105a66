using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlagApi.Tests.Infrastructure;
using FlagApi.Tests.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlagApi.Tests;

public abstract class MessageCheckApiTests(DatabaseTarget target)
{
    private const string Check = "/v1/check/message";

    private const string FraudMessage =
        "【退款中心】您的订单退款失败，请联系专员 138-0013-8000，访问 https://www.evil-pay.top/refund 下载云客服，或加微信：wxid_fraud01 办理。妈妈的电话 13900139000。";

    [Fact]
    public async Task EachItemOfAMessageIsAnsweredExactlyAsItsSingleLookupIs()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishFraudAsync(app);
        using var client = app.CreateClient();

        using var answer = await CheckAsync(client, FraudMessage);

        var root = answer.RootElement;
        Assert.Equal("flagged", root.GetProperty("verdict").GetString());
        string[] expected =
        [
            "phone 138-0013-8000 +8613800138000 flagged",
            "url https://www.evil-pay.top/refund https://www.evil-pay.top/refund flagged",
            "app 云客服 云客服 flagged",
            "account 微信：wxid_fraud01 wechat:wxid_fraud01 flagged",
            "phone 13900139000 +8613900139000 clear",
        ];
        var items = root.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(expected, items.Select(i => $"{i.GetProperty("kind")} {i.GetProperty("text")} {i.GetProperty("canonical")} {i.GetProperty("verdict")}"));
        foreach (var item in items)
        {
            var span = item.GetProperty("span");
            Assert.Equal(item.GetProperty("text").GetString(), FraudMessage.Substring(span.GetProperty("start").GetInt32(), span.GetProperty("length").GetInt32()));

            var kind = item.GetProperty("kind").GetString();
            using var single = JsonDocument.Parse(await client.GetStringAsync($"/v1/lookup/{kind}?value={Uri.EscapeDataString(item.GetProperty("canonical").GetString()!)}"));
            Assert.Equal(single.RootElement.GetProperty("verdict").GetString(), item.GetProperty("verdict").GetString());
            Assert.Equal(single.RootElement.GetProperty("flagged").GetBoolean(), item.GetProperty("flagged").GetBoolean());
            Assert.Equal(single.RootElement.GetProperty("matches").GetRawText(), item.GetProperty("matches").GetRawText());
        }

        Assert.Equal(
            "4 of 5 items in the message are flagged: the phone number +8613800138000 (impersonating authorities, high risk), "
            + "the link https://www.evil-pay.top/refund (fake customer service, high risk), the app 云客服 (remote control app, high risk) "
            + "and the account wechat:wxid_fraud01 (task brushing, medium risk).",
            root.GetProperty("reason").GetString());
        Assert.False(root.GetProperty("truncated").GetBoolean());
        Assert.True(root.GetProperty("listVersion").GetInt64() > 0);
    }

    [Fact]
    public async Task AMessageWithNothingFlaggedIsClearAndSaysWhatWasChecked()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await PublishFraudAsync(app);
        using var client = app.CreateClient();

        using var some = await CheckAsync(client, "妈，我到家了。有事打我电话 13900139000，或者看 www.example.com");
        using var none = await CheckAsync(client, "Dinner at 7? Bill is $86.50, your code is 739201.");

        Assert.Equal("clear", some.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("Nothing in the message is on the list: 1 phone number and 1 domain were checked.", some.RootElement.GetProperty("reason").GetString());
        Assert.Equal("clear", none.RootElement.GetProperty("verdict").GetString());
        Assert.Empty(none.RootElement.GetProperty("items").EnumerateArray());
        Assert.StartsWith("Nothing in the message is on the list: no phone number", none.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AListedAppIsFoundOnlyWhileItsEntryIsActive()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        const string message = "请下载安全防护并输入会议号";

        using (var before = await CheckAsync(client, message))
        {
            Assert.Empty(before.RootElement.GetProperty("items").EnumerateArray());
        }

        await app.PublishAsync(("app", "安全防护", "remote_control_app", "high"));
        using var after = await CheckAsync(client, message);

        var item = Assert.Single(after.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("安全防护", item.GetProperty("canonical").GetString());
        Assert.Equal("flagged", item.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task AMessageWithMoreItemsThanAreLookedUpIsAnsweredForTheFirstAndSaysSo()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        var message = string.Join(" ", Enumerable.Range(0, MaxItems + 5).Select(i => $"1380013{i:D4}"));

        using var answer = await CheckAsync(client, message);

        Assert.Equal(MaxItems, answer.RootElement.GetProperty("items").GetArrayLength());
        Assert.True(answer.RootElement.GetProperty("truncated").GetBoolean());
        Assert.EndsWith($"The message holds {MaxItems + 5} items; only the first {MaxItems} were looked up.", answer.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLimitIsFiveThousandCharactersNotUtf16Units()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        var emoji = string.Concat(Enumerable.Repeat("😀", MaxLength));

        using var longest = await client.PostAsJsonAsync(Check, new { text = emoji });
        using var tooLong = await client.PostAsJsonAsync(Check, new { text = emoji + "a" });

        Assert.Equal(HttpStatusCode.OK, longest.StatusCode);
        var problem = await Problem.AssertAsync(tooLong, HttpStatusCode.BadRequest, "text_too_long");
        Assert.Contains("5001", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string> WithoutText => new() { "{}", "{\"text\":null}", "{\"text\":\"   \\n \"}", "{\"text\":\"\"}" };

    [Theory]
    [MemberData(nameof(WithoutText))]
    public async Task ABodyWithoutTextIsRefusedAsMissingText(string body)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        using var response = await client.PostAsync(Check, new StringContent(body, Encoding.UTF8, "application/json"));

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "missing_text");
    }

    [Fact]
    public async Task BrokenJsonAndOtherMediaTypesAreRefusedAsProblems()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        using var broken = await client.PostAsync(Check, new StringContent("{\"text\": \"call 13800138000", Encoding.UTF8, "application/json"));
        using var number = await client.PostAsync(Check, new StringContent("{\"text\": 13800138000}", Encoding.UTF8, "application/json"));
        using var plain = await client.PostAsync(Check, new StringContent("call 13800138000", Encoding.UTF8, "text/plain"));

        await Problem.AssertAsync(broken, HttpStatusCode.BadRequest, "invalid_json");
        await Problem.AssertAsync(number, HttpStatusCode.BadRequest, "invalid_json");
        await Problem.AssertAsync(plain, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task ALoneSurrogateInTheTextIsCheckedAroundNeverAFailure()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        using var response = await client.PostAsync(Check, new StringContent("{\"text\": \"call \\ud800 13800138000 \\udc00\"}", Encoding.UTF8, "application/json"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Assert.Equal("+8613800138000", JsonDocument.Parse(body).RootElement.GetProperty("items")[0].GetProperty("canonical").GetString());
        }
    }

    [Fact]
    public async Task TheMessageAndWhatWasFoundInItAreNeverLogged()
    {
        // Every read sampled, so that every request gets its line and each line is checked.
        var logs = new CapturedLogs();
        await using var app = new FlagApiFactory(target.Provider, await target.CreateDatabaseAsync(), new Dictionary<string, string?> { ["RequestLog:SampleRate"] = "1" })
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };
        await PublishFraudAsync(app);
        using var client = app.CreateClient();

        using (await CheckAsync(client, FraudMessage))
        {
        }

        using var tooLong = await client.PostAsJsonAsync(Check, new { text = FraudMessage + new string('x', MaxLength) });
        using var broken = await client.PostAsync(Check, new StringContent("{\"text\": \"" + FraudMessage, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);

        string[] secrets = ["退款中心", "138-0013-8000", "13800138000", "13900139000", "evil-pay", "云客服", "wxid_fraud01", "办理"];
        var lines = logs.Lines;
        Assert.Equal(3, lines.Count(l => l.Category == "FlagApi.Requests" && l.Message.StartsWith("POST /v1/check/message", StringComparison.Ordinal)));
        foreach (var line in lines.Where(l => !l.Message.StartsWith("Published", StringComparison.Ordinal)))
        {
            var text = line.AllText();
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"A log line holds '{secret}': {text}");
            }
        }
    }

    [Fact]
    public async Task AMessageCheckSpendsTheLookupBudget()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?>
        {
            ["RateLimiting:Tiers:anonymous:Lookup:PermitLimit"] = "1",
            ["RateLimiting:Tiers:anonymous:Lookup:Window"] = "01:00:00",
        });
        using var client = app.CreateClient();

        using var lookup = await client.GetAsync("/v1/lookup/phone?value=13800138000");
        using var check = await client.PostAsJsonAsync(Check, new { text = "call 13800138000" });

        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
        await Problem.AssertAsync(check, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal("\"lookup\";q=1;w=3600", string.Join(",", check.Headers.GetValues("RateLimit-Policy")));
    }

    private const int MaxLength = 5_000;

    private const int MaxItems = 100;

    private static Task<Lists.ImportOutcome> PublishFraudAsync(FlagApiFactory app) => app.PublishAsync(
        ("phone", "13800138000", "impersonating_authorities", "high"),
        ("domain", "evil-pay.top", "fake_customer_service", "high"),
        ("app", "云客服", "remote_control_app", "high"),
        ("account", "wechat:wxid_fraud01", "task_brushing", "medium"));

    private static async Task<JsonDocument> CheckAsync(HttpClient client, string text)
    {
        using var response = await client.PostAsJsonAsync(Check, new { text });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body);
    }
}
