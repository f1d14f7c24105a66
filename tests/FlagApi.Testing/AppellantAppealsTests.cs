using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class AppellantAppealsTests(DatabaseTarget target)
{
    private const string Number = "13800138000";
    private const string Contact = "owner@example.com";

    private static readonly byte[] PngBytes =
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
    ];

    [Fact]
    public async Task AppealOfAFlaggedNumberGetsATrackingCodeAOneTimeTokenAndADueTime()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/appeals", Request("+86 138-0013-8000"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await Json(response);
        var code = body.GetProperty("trackingCode").GetString()!;
        Assert.Matches("^AP-[34679ACDEFGHJKMNPQRTUVWXY]{4}-[34679ACDEFGHJKMNPQRTUVWXY]{4}$", code);
        Assert.Matches("^[34679ACDEFGHJKMNPQRTUVWXY]{4}(-[34679ACDEFGHJKMNPQRTUVWXY]{4}){5}$", body.GetProperty("accessToken").GetString());
        Assert.Equal("submitted", body.GetProperty("status").GetString());
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime.AddHours(72), body.GetProperty("dueBy").GetDateTime(), TimeSpan.FromMilliseconds(1));
        Assert.Equal($"/v1/appeals/{code}", response.Headers.Location?.OriginalString);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var appeal = await db.Appeals.SingleAsync();
        Assert.Equal(body.GetProperty("id").GetInt64(), appeal.Id);
        Assert.NotEqual(body.GetProperty("accessToken").GetString(), appeal.TokenHash);
        Assert.Equal("+8613800138000", appeal.Value);
        var submitted = Assert.Single(await db.AppealEvents.Where(e => e.AppealId == appeal.Id).ToListAsync());
        Assert.Equal("submitted", submitted.Action);
        var history = await db.EntryHistory.Where(h => h.EntryId == appeal.EntryId && h.Action == "appeal_submitted").SingleAsync();
        Assert.Contains(code, history.Reason, StringComparison.Ordinal);
        Assert.Equal("appellant", history.Actor);
        var audit = await db.AuditLog.Where(a => a.Action == "appeal.submitted").SingleAsync();
        Assert.DoesNotContain(Contact, audit.Detail!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppealOfANumberThatIsNotFlaggedIsAConflictThatSaysSo()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/appeals", Request("13900139000"));

        var problem = await Problem.AssertAsync(response, HttpStatusCode.Conflict, "not_flagged");
        Assert.Contains("not currently flagged", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppealOfAPageUnderAFlaggedDomainAppealsTheDomainEntryTheLookupMatched()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        await app.PublishAsync(("domain", "evil.example", "task_brushing", "high"));
        using var client = app.CreateClient();

        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request("https://shop.evil.example/item?id=1", kind: "url")));
        var view = await ViewAsync(client, created);

        Assert.Equal("domain", view.GetProperty("kind").GetString());
        Assert.Equal("evil.example", view.GetProperty("value").GetString());
        Assert.Equal("https://shop.evil.example/item?id=1", view.GetProperty("query").GetString());
    }

    [Fact]
    public async Task TheAppellantSeesTheirAppealWithTheTokenButNeverTheirContact()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));
        var code = created.GetProperty("trackingCode").GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/appeals/" + Uri.EscapeDataString(code.ToLowerInvariant().Replace('-', ' ')));
        request.Headers.Add("X-Appeal-Token", created.GetProperty("accessToken").GetString());
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("lookup", RateLimitPolicyName(response));
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Contact, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("contact", text, StringComparison.OrdinalIgnoreCase);
        var view = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, view.GetProperty("trackingCode").GetString());
        Assert.Equal("submitted", view.GetProperty("status").GetString());
        Assert.Equal("phone", view.GetProperty("kind").GetString());
        Assert.Equal("+8613800138000", view.GetProperty("value").GetString());
        Assert.Equal(created.GetProperty("dueBy").GetDateTime(), view.GetProperty("dueBy").GetDateTime());
        var step = Assert.Single(view.GetProperty("history").EnumerateArray());
        Assert.Equal("you", step.GetProperty("by").GetString());
        Assert.Equal("submitted", step.GetProperty("action").GetString());
        Assert.Empty(view.GetProperty("informationRequests").EnumerateArray());
        Assert.False(view.TryGetProperty("decision", out _));
        Assert.Equal("link", view.GetProperty("evidence")[1].GetProperty("type").GetString());
    }

    [Fact]
    public async Task AWrongTokenAnUnknownCodeAndNoTokenAllGetTheSameNotFound()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));
        var code = created.GetProperty("trackingCode").GetString()!;
        var unknown = code == "AP-3333-3333" ? "AP-4444-4444" : "AP-3333-3333";

        var answers = new List<string>();
        foreach (var (path, token) in new[]
        {
            (code, "at_wrong"),
            (unknown, created.GetProperty("accessToken").GetString()),
            (code, null),
            (code, ""),
            ("AP-not-a-code", "at_wrong"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/appeals/" + path);
            if (token is not null)
            {
                request.Headers.Add("X-Appeal-Token", token);
            }

            var response = await client.SendAsync(request);
            await Problem.AssertAsync(response, HttpStatusCode.NotFound, "appeal_not_found");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            body.Remove("traceId");
            answers.Add(body.ToJsonString());
        }

        Assert.Single(answers.Distinct());
    }

    [Fact]
    public async Task TheTokenOpensTheAppealTypedInAnyCaseWithOrWithoutSpacesAndDashes()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));
        var token = Token(created);
        var bare = token.Replace("-", "", StringComparison.Ordinal);

        foreach (var typed in new[] { token, token.ToLowerInvariant(), bare, bare.ToLowerInvariant(), token.Replace('-', ' '), $" {bare[..6]} {bare[6..15]}-{bare[15..]} " })
        {
            var response = await ReadAsync(client, Code(created), typed);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"'{typed}': {(int)response.StatusCode}");
        }

        // One character more, one less, one changed, or far too long: no token.
        var changed = (bare[0] == '3' ? "4" : "3") + bare[1..];
        foreach (var wrong in new[] { bare + "3", bare[1..], changed, string.Concat(Enumerable.Repeat(token, 3)) })
        {
            await Problem.AssertAsync(await ReadAsync(client, Code(created), wrong), HttpStatusCode.NotFound, "appeal_not_found");
        }
    }

    [Fact]
    public async Task ATokenIssuedInTheOldFormatStillOpensItsAppealExactlyAsIssued()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));
        const string oldToken = "at_Zx0lO1Il-_q9kWm3Rt7yPb2Nc4Vd6Hs8";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // As the service stored tokens before the grouped ones: the SHA-256 of the token as issued.
            var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
            var appeal = await db.Appeals.SingleAsync();
            appeal.TokenHash = AppealSecrets.Hash(oldToken);
            await db.SaveChangesAsync();
        }

        foreach (var typed in new[] { oldToken, $" {oldToken} " })
        {
            Assert.Equal(HttpStatusCode.OK, (await ReadAsync(client, Code(created), typed)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, Code(created), oldToken, "messages", new { message = "Still mine." })).StatusCode);

        // The old format is case-sensitive base64url: another case or a missing dash is another token.
        foreach (var wrong in new[] { oldToken.ToUpperInvariant(), oldToken.Replace("-", "", StringComparison.Ordinal), Token(created) })
        {
            await Problem.AssertAsync(await ReadAsync(client, Code(created), wrong), HttpStatusCode.NotFound, "appeal_not_found");
        }
    }

    [Fact]
    public async Task MessagesAndWithdrawalWithAWrongTokenAreNotFound()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));
        var code = created.GetProperty("trackingCode").GetString()!;

        await Problem.AssertAsync(await PostAsync(client, code, "at_wrong", "messages", new { message = "hello" }), HttpStatusCode.NotFound, "appeal_not_found");
        await Problem.AssertAsync(await PostAsync(client, code, "at_wrong", "withdraw", new { }), HttpStatusCode.NotFound, "appeal_not_found");

        Assert.Equal("submitted", (await ViewAsync(client, created)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ASecondAppealFromTheSameContactReturnsTheOpenAppealsCodeWithoutANewToken()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var first = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number, contact: "+86 138-0000-1111")));

        var response = await client.PostAsJsonAsync("/v1/appeals", Request("138 0013 8000", contact: " +8613800001111 "));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var second = await Json(response);
        Assert.Equal(first.GetProperty("trackingCode").GetString(), second.GetProperty("trackingCode").GetString());
        Assert.Equal(first.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64());
        Assert.False(second.TryGetProperty("accessToken", out _));
        Assert.Contains("access token", second.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var other = await client.PostAsJsonAsync("/v1/appeals", Request(Number, contact: "someone.else@example.com"));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task IdenticalAppealsArrivingTogetherOpenOneAppeal()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.PostAsJsonAsync("/v1/appeals", Request(Number))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        var codes = await Task.WhenAll(responses.Select(async r => Code(await Json(r))));
        Assert.Single(codes.Distinct());
        Assert.Equal(1, await CountAppealsAsync(app));
    }

    public static TheoryData<string, string> InvalidRequests => new()
    {
        { """{"kind":"phone","value":"13800138000","statement":"mine"}""", "missing_appellant" },
        { """{"kind":"phone","value":"13800138000","appellant":{"contact":"a@b.c"},"statement":"mine"}""", "missing_name" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"  "},"statement":"mine"}""", "missing_contact" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"}}""", "missing_statement" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":[{"type":"video","text":"x"}]}""", "invalid_evidence" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":[{"type":"text"}]}""", "invalid_evidence" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":[{"type":"link","url":"javascript:alert(1)"}]}""", "invalid_link" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":[{"type":"link","url":"not a url"}]}""", "invalid_link" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":["  "]}""", "invalid_evidence" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":[""]}""", "invalid_evidence" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":[null]}""", "invalid_evidence" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":[12]}""", "invalid_json" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":[["x"]]}""", "invalid_json" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","evidence":"营业执照"}""", "invalid_json" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","attachments":[{"fileName":"a.png","contentBase64":"%%%"}]}""", "invalid_attachment" },
        { """{"kind":"phone","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine","attachments":[{"contentBase64":"iVBORw0KGgo="}]}""", "invalid_attachment" },
        { """{"kind":"fax","value":"13800138000","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine"}""", "unknown_kind" },
        { """{"kind":"phone","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine"}""", "missing_value" },
        { """{"kind":"phone","value":"12","appellant":{"name":"Li","contact":"a@b.c"},"statement":"mine"}""", "invalid_phone" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task AnIncompleteOrMalformedAppealIsRefusedWithItsCode(string json, string code)
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();

        var response = await client.PostAsync("/v1/appeals", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, code);
        Assert.Equal(0, await CountAppealsAsync(app));
    }

    [Fact]
    public async Task EvidenceSentAsPlainStringsIsTakenAsTextItemsBesideObjects()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var json = $$"""
            {"kind":"phone","value":"{{Number}}","appellant":{"name":"Li Wei","contact":"{{Contact}}"},"statement":"It is my shop's number.",
             "evidence":["营业执照",{"type":"link","url":"https://shop.example/licence"},"  Mine since 2012. "]}
            """;

        var created = await Json(await client.PostAsync("/v1/appeals", new StringContent(json, System.Text.Encoding.UTF8, "application/json")));
        var evidence = (await ViewAsync(client, created)).GetProperty("evidence").EnumerateArray()
            .Select(e => (e.GetProperty("type").GetString(), e.TryGetProperty("text", out var t) ? t.GetString() : e.GetProperty("url").GetString()))
            .ToList();

        Assert.Equal([("text", "营业执照"), ("link", "https://shop.example/licence"), ("text", "Mine since 2012.")], evidence);
    }

    [Fact]
    public async Task APlainStringOfEvidenceHasTheLimitOfATextItem()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        string Body(int length) => JsonSerializer.Serialize(new
        {
            kind = "phone", value = Number, appellant = new { name = "Li", contact = Contact }, statement = "mine",
            evidence = new[] { new string('证', length) },
        });

        var over = await client.PostAsync("/v1/appeals", new StringContent(Body(AppealSubmissionService.MaxEvidenceTextLength + 1), System.Text.Encoding.UTF8, "application/json"));
        var longest = await client.PostAsync("/v1/appeals", new StringContent(Body(AppealSubmissionService.MaxEvidenceTextLength), System.Text.Encoding.UTF8, "application/json"));

        var problem = await Problem.AssertAsync(over, HttpStatusCode.BadRequest, "field_too_long");
        Assert.Contains("evidence[0]", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, longest.StatusCode);
    }

    [Fact]
    public async Task AStatementLongerThanAllowedIsRefused()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/appeals", Request(Number, statement: new string('x', AppealSubmissionService.MaxStatementLength + 1)));

        var problem = await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "field_too_long");
        Assert.Contains("statement", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAnswerToARequestForInformationMovesTheAppealBackToReview()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));
        await AsReviewerAsync(app, created, AppealStatus.NeedsInfo, "info_requested", "Please send a photo of your SIM card contract.", "caller sounded scripted");

        var asked = await ViewAsync(client, created);
        Assert.Equal("needs_info", asked.GetProperty("status").GetString());
        var request = Assert.Single(asked.GetProperty("informationRequests").EnumerateArray());
        Assert.Equal("Please send a photo of your SIM card contract.", request.GetProperty("message").GetString());
        Assert.False(request.GetProperty("answered").GetBoolean());
        var text = asked.GetRawText();
        Assert.DoesNotContain("scripted", text, StringComparison.Ordinal);
        Assert.DoesNotContain("key 7", text, StringComparison.Ordinal);
        Assert.Equal("reviewer", asked.GetProperty("history")[1].GetProperty("by").GetString());

        var response = await PostAsync(client, Code(created), Token(created), "messages", new { message = "The contract is attached to my e-mail." });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("appeal", RateLimitPolicyName(response));
        var answered = await Json(response);
        Assert.Equal("in_review", answered.GetProperty("status").GetString());
        Assert.True(answered.GetProperty("informationRequests")[0].GetProperty("answered").GetBoolean());
        var last = answered.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("you", last.GetProperty("by").GetString());
        Assert.Equal("needs_info", last.GetProperty("from").GetString());
        Assert.Equal("in_review", last.GetProperty("to").GetString());
        Assert.Equal("The contract is attached to my e-mail.", last.GetProperty("message").GetString());

        await using var scope = app.Services.CreateAsyncScope();
        var appeal = await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Appeals.SingleAsync();
        Assert.Equal(3, appeal.Revision);
    }

    [Fact]
    public async Task AnAnswerMayBringThePhotoTheReviewerAskedForAndTheReviewerReadsIt()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));
        await AsReviewerAsync(app, created, AppealStatus.NeedsInfo, "info_requested", "Please send a photo of your SIM card contract.", null);

        // A photo alone answers too: the text is optional when a file comes with it.
        var photo = new { fileName = "contract.png", contentBase64 = Convert.ToBase64String(PngBytes) };
        var response = await PostAsync(client, Code(created), Token(created), "messages", new { attachments = new[] { photo } });

        var answered = await Json(response);
        Assert.Equal("in_review", answered.GetProperty("status").GetString());
        Assert.True(answered.GetProperty("informationRequests")[0].GetProperty("answered").GetBoolean());
        var message = answered.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("message", message.GetProperty("action").GetString());
        Assert.False(message.TryGetProperty("message", out _));
        var sent = Assert.Single(message.GetProperty("attachments").EnumerateArray());
        Assert.Equal("contract.png", sent.GetProperty("fileName").GetString());
        Assert.Equal("image/png", sent.GetProperty("contentType").GetString());
        Assert.Contains(answered.GetProperty("attachments").EnumerateArray(), a => a.GetProperty("fileName").GetString() == "contract.png");
        Assert.False(answered.GetProperty("history")[0].TryGetProperty("attachments", out _));

        // The reviewer reads the file with the appeal's other attachments, its content as sent.
        var reviewerKey = await app.CreateKeyAsync("reviewer");
        using var reviewer = app.CreateClient(reviewerKey);
        var detail = await Json(await reviewer.GetAsync($"/v1/review/appeals/{created.GetProperty("id").GetInt64()}"));
        var file = Assert.Single(detail.GetProperty("attachments").EnumerateArray());
        Assert.Equal("contract.png", file.GetProperty("fileName").GetString());
        var content = await reviewer.GetAsync($"/v1/review/appeals/{created.GetProperty("id").GetInt64()}/attachments/{file.GetProperty("id").GetInt64()}");
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal(PngBytes, await content.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task FilesWithAMessageAreRefusedByTheRulesOfFilesAtFiling()
    {
        await using var app = await FlaggedAsync(new Dictionary<string, string?> { ["Appeals:MaxAttachments"] = "1", ["Appeals:MaxAttachmentBytes"] = "1024" });
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));
        var png = new { fileName = "a.png", contentBase64 = Convert.ToBase64String(PngBytes) };
        var big = new byte[1025];
        PngBytes.CopyTo(big, 0);

        async Task Refused(object body, HttpStatusCode status, string code) =>
            await Problem.AssertAsync(await PostAsync(client, Code(created), Token(created), "messages", body), status, code);

        await Refused(new { message = "two", attachments = new[] { png, png } }, HttpStatusCode.BadRequest, "too_many_attachments");
        await Refused(new { message = "html", attachments = new[] { new { fileName = "a.png", contentBase64 = Convert.ToBase64String("<html>"u8.ToArray()) } } }, HttpStatusCode.BadRequest, "attachment_type_not_allowed");
        await Refused(new { message = "big", attachments = new[] { new { fileName = "big.png", contentBase64 = Convert.ToBase64String(big) } } }, HttpStatusCode.RequestEntityTooLarge, "attachment_too_large");
        await Refused(new { message = "no name", attachments = new[] { new { fileName = " ", contentBase64 = Convert.ToBase64String(PngBytes) } } }, HttpStatusCode.BadRequest, "invalid_attachment");
        await Refused(new { message = "not base64", attachments = new[] { new { fileName = "a.png", contentBase64 = "%%%%" } } }, HttpStatusCode.BadRequest, "invalid_attachment");
        await Refused(new { message = " ", attachments = Array.Empty<object>() }, HttpStatusCode.BadRequest, "missing_message");

        // Nothing refused was kept, and the appeal did not move.
        var view = await ViewAsync(client, created);
        Assert.Empty(view.GetProperty("attachments").EnumerateArray());
        Assert.Single(view.GetProperty("history").EnumerateArray());
    }

    [Fact]
    public async Task AMessageOnAnAppealUnderReviewKeepsItsStatus()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));

        var response = await PostAsync(client, Code(created), Token(created), "messages", new { message = "One more thing." });

        Assert.Equal("submitted", (await Json(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnEmptyMessageIsRefused()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));

        await Problem.AssertAsync(await PostAsync(client, Code(created), Token(created), "messages", new { message = " " }), HttpStatusCode.BadRequest, "missing_message");
    }

    [Fact]
    public async Task AWithdrawnAppealCanBeNeitherWithdrawnAgainNorMessaged()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));

        var withdrawn = await PostAsync(client, Code(created), Token(created), "withdraw", new { reason = "The bank unblocked me already." });
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        var view = await Json(withdrawn);
        Assert.Equal("withdrawn", view.GetProperty("status").GetString());
        Assert.Equal("The bank unblocked me already.", view.GetProperty("history").EnumerateArray().Last().GetProperty("message").GetString());

        var again = await Problem.AssertAsync(await PostAsync(client, Code(created), Token(created), "withdraw", null), HttpStatusCode.Conflict, "invalid_transition");
        Assert.Contains("is withdrawn", again.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var message = await Problem.AssertAsync(await PostAsync(client, Code(created), Token(created), "messages", new { message = "hello?" }), HttpStatusCode.Conflict, "invalid_transition");
        Assert.Contains("is withdrawn", message.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppealWithoutAWithdrawalBodyIsStillWithdrawn()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));

        var response = await PostAsync(client, Code(created), Token(created), "withdraw", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("withdrawn", (await Json(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ARejectedAppellantMustWaitForTheCooldownBeforeAppealingAgain()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();
        var created = await Json(await client.PostAsJsonAsync("/v1/appeals", Request(Number)));
        await AsReviewerAsync(app, created, AppealStatus.Rejected, "rejected", "The number was used in a reported scam on 3 May.", null);

        var decided = await ViewAsync(client, created);
        Assert.Equal("rejected", decided.GetProperty("decision").GetProperty("outcome").GetString());
        Assert.Equal("The number was used in a reported scam on 3 May.", decided.GetProperty("decision").GetProperty("reason").GetString());

        var refused = await Problem.AssertAsync(await client.PostAsJsonAsync("/v1/appeals", Request(Number)), HttpStatusCode.Conflict, "appeal_cooldown");
        var again = app.Clock.GetUtcNow().UtcDateTime.AddDays(30);
        Assert.Equal(again, refused.GetProperty("appealAgainAt").GetDateTime(), TimeSpan.FromMilliseconds(1));
        Assert.Contains("appeal it again from", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The appellant's view of the rejected appeal says the same day, so nobody is sent to a form that will be refused.
        Assert.Equal(refused.GetProperty("appealAgainAt").GetDateTime(), decided.GetProperty("decision").GetProperty("appealAgainAt").GetDateTime());

        var otherContact = await client.PostAsJsonAsync("/v1/appeals", Request(Number, contact: "someone.else@example.com"));
        Assert.Equal(HttpStatusCode.Created, otherContact.StatusCode);

        app.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        var afterCooldown = await client.PostAsJsonAsync("/v1/appeals", Request(Number));
        Assert.Equal(HttpStatusCode.Created, afterCooldown.StatusCode);
    }

    [Fact]
    public async Task APngAttachmentIsAcceptedAndShownToTheAppellant()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/appeals", Request(Number, attachments: [new { fileName = "C:\\photos\\contract.png", contentBase64 = Convert.ToBase64String(PngBytes) }]));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var view = await ViewAsync(client, await Json(response));
        var attachment = Assert.Single(view.GetProperty("attachments").EnumerateArray());
        Assert.Equal("contract.png", attachment.GetProperty("fileName").GetString());
        Assert.Equal("image/png", attachment.GetProperty("contentType").GetString());
        Assert.Equal(PngBytes.Length, attachment.GetProperty("size").GetInt32());
    }

    [Theory]
    [InlineData("MZ\u0090\0\u0003\0\0\0", "photo.png")]
    [InlineData("this is just text, not an image", "scan.jpg")]
    [InlineData("<html><body>pdf</body></html>", "statement.pdf")]
    public async Task AnAttachmentWhoseContentIsNotAnImageOrPdfIsRefusedWhateverItsName(string content, string fileName)
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/v1/appeals", Request(Number, attachments: [new { fileName, contentBase64 = Convert.ToBase64String(System.Text.Encoding.Latin1.GetBytes(content)) }]));

        var problem = await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "attachment_type_not_allowed");
        Assert.Contains(fileName, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await CountAppealsAsync(app));
    }

    [Fact]
    public async Task AnAttachmentLargerThanTheLimitIsRefusedAsTooLarge()
    {
        await using var app = await FlaggedAsync(new Dictionary<string, string?> { ["Appeals:MaxAttachmentBytes"] = "1024" });
        using var client = app.CreateClient();
        var big = new byte[1025];
        PngBytes.CopyTo(big, 0);

        var response = await client.PostAsJsonAsync("/v1/appeals", Request(Number, attachments: [new { fileName = "big.png", contentBase64 = Convert.ToBase64String(big) }]));

        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "attachment_too_large");
        var fits = await client.PostAsJsonAsync("/v1/appeals", Request(Number, attachments: [new { fileName = "ok.png", contentBase64 = Convert.ToBase64String(big[..1024]) }]));
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
    }

    [Fact]
    public async Task MoreAttachmentsThanAllowedAreRefused()
    {
        await using var app = await FlaggedAsync(new Dictionary<string, string?> { ["Appeals:MaxAttachments"] = "1" });
        using var client = app.CreateClient();
        var png = new { fileName = "a.png", contentBase64 = Convert.ToBase64String(PngBytes) };

        var response = await client.PostAsJsonAsync("/v1/appeals", Request(Number, attachments: [png, png]));

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "too_many_attachments");
    }

    [Fact]
    public async Task FilingSpendsTheAppealBudgetAndReadingSpendsTheLookupBudget()
    {
        await using var app = await FlaggedAsync(new Dictionary<string, string?>
        {
            ["RateLimiting:Tiers:anonymous:Appeal:PermitLimit"] = "1",
            ["RateLimiting:Tiers:anonymous:Appeal:Window"] = "01:00:00",
        });
        using var client = app.CreateClient();

        var created = await client.PostAsJsonAsync("/v1/appeals", Request(Number));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("\"appeal\"", Header(created, "RateLimit-Policy"), StringComparison.Ordinal);
        var view = await client.GetAsync("/v1/appeals/" + Code(await Json(created)));
        Assert.Contains("\"lookup\"", Header(view, "RateLimit-Policy"), StringComparison.Ordinal);

        var refused = await client.PostAsJsonAsync("/v1/appeals", Request(Number));
        await Problem.AssertAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/lookup/phone?value=" + Number)).StatusCode);
    }

    [Fact]
    public async Task AnAppKeyMayFileAnAppealOnBehalfOfItsUser()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient(await app.CreateKeyAsync("app"));

        var response = await client.PostAsJsonAsync("/v1/appeals", Request(Number));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task ANumericAppealIdIsNotTakenForATrackingCode()
    {
        await using var app = await FlaggedAsync();
        using var client = app.CreateClient();

        var response = await client.GetAsync("/v1/appeals/12");

        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("appeal_not_found", body, StringComparison.Ordinal);
    }

    private async Task<FlagApiFactory> FlaggedAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = await FlagApiFactory.CreateAsync(target, settings);
        await app.PublishAsync(("phone", Number, "impersonating_authorities", "high"));
        return app;
    }

    private static object Request(string value, string kind = "phone", string contact = Contact, string statement = "This is my own number; I am a nurse.", object[]? attachments = null) => new
    {
        kind,
        value,
        appellant = new { name = "Li Wei", contact },
        statement,
        evidence = new object[]
        {
            new { type = "text", text = "I have had this number since 2012." },
            new { type = "link", url = "https://hospital.example/staff/li-wei" },
        },
        attachments,
    };

    private static string Code(JsonElement created) => created.GetProperty("trackingCode").GetString()!;

    private static string Token(JsonElement created) => created.GetProperty("accessToken").GetString()!;

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<JsonElement> ViewAsync(HttpClient client, JsonElement created)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/appeals/" + Code(created));
        request.Headers.Add("X-Appeal-Token", Token(created));
        return await Json(await client.SendAsync(request));
    }

    /// <summary>The appellant's view of the appeal, asked for with the token as typed.</summary>
    private static async Task<HttpResponseMessage> ReadAsync(HttpClient client, string code, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/appeals/" + code);
        request.Headers.Add("X-Appeal-Token", token);
        return await client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string code, string token, string action, object? body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/appeals/{code}/{action}");
        request.Headers.Add("X-Appeal-Token", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    private static string RateLimitPolicyName(HttpResponseMessage response) =>
        Header(response, "RateLimit-Policy").Split(';')[0].Trim('"');

    private static async Task<int> CountAppealsAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Appeals.CountAsync();
    }

    /// <summary>Stands in for the reviewer's endpoints (another part of the appeals work): moves the appeal as a reviewer would.</summary>
    private static async Task AsReviewerAsync(FlagApiFactory app, JsonElement created, AppealStatus to, string action, string publicMessage, string? internalNote)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var appeal = await db.Appeals.SingleAsync(a => a.Id == created.GetProperty("id").GetInt64());
        var now = app.Clock.GetUtcNow().UtcDateTime;
        db.AppealEvents.Add(new AppealEvent
        {
            AppealId = appeal.Id,
            At = now,
            Actor = "key 7 (Reviewer Zhang)",
            Action = action,
            FromStatus = appeal.Status,
            ToStatus = to,
            PublicMessage = publicMessage,
            InternalNote = internalNote,
        });
        appeal.Status = to;
        appeal.Revision++;
        if (to is AppealStatus.Approved or AppealStatus.Rejected)
        {
            appeal.DecidedAt = now;
            appeal.DecidedBy = "key 7 (Reviewer Zhang)";
            appeal.DecisionReason = publicMessage;
        }

        await db.SaveChangesAsync();
    }
}
