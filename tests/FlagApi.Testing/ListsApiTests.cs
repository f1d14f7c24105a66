using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Lists;
using FlagApi.Lookup;
using FlagApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests;

public abstract class ListsApiTests(DatabaseTarget target)
{
    private const string Beijing = "北京市公安局";
    private const string Shanghai = "上海市公安局";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    [Fact]
    public async Task PublishedJsonListIsCreatedServedAndOnThePublicRecord()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));

        var response = await publisher.PostAsJsonAsync("/v1/batches", new
        {
            reference = "2025-W22",
            title = "第七批涉诈APP及网址",
            publishedOn = "2025-06-02",
            entries = new object[]
            {
                new { kind = "phone", value = "138-0013-8000", category = "impersonating_authorities" },
                new { kind = "app", value = "云客服", category = "remote_control_app", note = "screen sharing" },
                new { kind = "url", value = "http://evil.example/login", risk = "medium" },
            },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<ListUploadResult>(Json))!;
        Assert.Equal($"/v1/batches/{result.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal((Beijing, "2025-W22", 3, 3, 0), (result.Agency, result.Reference, result.Entries, result.Added, result.Rejected.Count));
        Assert.Equal(new DateOnly(2025, 6, 2), result.PublishedOn);

        var lookup = await app.GetJsonAsync<LookupResponse>("/v1/lookup/phone?value=13800138000");
        Assert.True(lookup.Flagged);
        Assert.Equal(result.Id, Assert.Single(Assert.Single(lookup.Matches).Sources).ListId);

        using var anonymous = app.CreateClient();
        var record = (await anonymous.GetFromJsonAsync<ListPage>("/v1/batches", Json))!;
        var summary = Assert.Single(record.Items);
        Assert.Equal((result.Id, "第七批涉诈APP及网址", 3, ListStatus.Published), (summary.Id, summary.Title, summary.EntryCount, summary.Status));

        var detail = (await anonymous.GetFromJsonAsync<ListDetail>($"/v1/batches/{result.Id}?pageSize=2", Json))!;
        Assert.Equal(3, detail.Entries.Total);
        Assert.Equal(["138-0013-8000", "云客服"], detail.Entries.Items.Select(i => i.Display));
        Assert.Equal("screen sharing", detail.Entries.Items[1].Note);
        var second = (await anonymous.GetFromJsonAsync<ListDetail>($"/v1/batches/{result.Id}?pageSize=2&page=2", Json))!;
        Assert.Equal(Data.Risk.Medium, Assert.Single(second.Entries.Items).Risk);
    }

    [Fact]
    public async Task CsvListTakesItsReferenceFromTheQueryAndExportsAsCsv()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var csv = "kind,value,category,risk,note\r\nphone,13800138000,gambling,high,\"said \"\"police\"\", asked for money\"\r\napp,=HYPERLINK(\"x\"),other,low,\r\n";

        var response = await publisher.PostAsync("/v1/batches?reference=2025-W23&title=Weekly", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<ListUploadResult>(Json))!;
        Assert.Equal(("2025-W23", "Weekly", 2), (result.Reference, result.Title, result.Added));

        using var anonymous = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/batches/{result.Id}");
        request.Headers.Accept.ParseAdd("text/csv");
        var export = await anonymous.SendAsync(request);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var lines = (await export.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("kind,value,category,risk,note,expires_at", lines[0]);
        Assert.Equal("phone,13800138000,gambling,high,\"said \"\"police\"\", asked for money\",", lines[1]);
        Assert.StartsWith("app,\"'=HYPERLINK(", lines[2], StringComparison.Ordinal); // never a live spreadsheet formula
    }

    [Fact]
    public async Task ANumberInARangeTheReferenceDoesNotKnowIsPublishedWithANoticeAndItsRowSaysWhatItIs()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var csv = "kind,value,category,risk,note\r\nphone,146 1234 5678,other,high,\r\nphone,171 1234 5678,other,high,\r\nphone,1069 0123 4567 89,other,high,\r\n";

        var response = await publisher.PostAsync("/v1/batches?reference=new-ranges", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var upload = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, upload.RootElement.GetProperty("added").GetInt32());
        var notice = Assert.Single(upload.RootElement.GetProperty("notices").EnumerateArray());
        Assert.Equal(2, notice.GetProperty("line").GetInt32());
        Assert.Equal("phone_range_unknown", notice.GetProperty("code").GetString());

        using var anonymous = app.CreateClient();
        using var detail = JsonDocument.Parse(await anonymous.GetStringAsync($"/v1/batches/{upload.RootElement.GetProperty("id").GetInt64()}"));
        var rows = detail.RootElement.GetProperty("entries").GetProperty("items").EnumerateArray()
            .ToDictionary(row => row.GetProperty("value").GetString()!, row => row.GetProperty("phone"));
        Assert.Equal(("unknown", false), (rows["+8614612345678"].GetProperty("type").GetString(), rows["+8614612345678"].GetProperty("knownRange").GetBoolean()));
        Assert.True(rows["+8617112345678"].GetProperty("virtualOperator").GetBoolean());
        Assert.Equal("sms_sender", rows["+8610690123456789"].GetProperty("type").GetString());
    }

    [Fact]
    public async Task ListWithOneBadRowAmongTenThousandChangesNothing()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var versionBefore = (await app.GetJsonAsync<LookupResponse>("/v1/lookup/phone?value=110")).ListVersion;
        var csv = new StringBuilder("kind,value,category\n");
        for (var i = 0; i < 10_000; i++)
        {
            csv.Append(i == 6_543 ? "phone,1380013800x,other\n" : $"phone,1390000{i:0000},task_brushing\n");
        }

        var response = await publisher.PostAsync("/v1/batches?reference=big", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "invalid_rows");
        var row = Assert.Single(problem.GetProperty("rows").EnumerateArray().ToList());
        Assert.Equal(6_545, row.GetProperty("line").GetInt32()); // the header is line 1
        Assert.Equal("invalid_phone", row.GetProperty("code").GetString());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(0, await db.Lists.CountAsync());
        Assert.Equal(0, await db.Entries.CountAsync());
        Assert.Equal(0, await db.EntrySources.CountAsync());
        var after = await app.GetJsonAsync<LookupResponse>("/v1/lookup/phone?value=13900000001");
        Assert.False(after.Flagged);
        Assert.Equal(versionBefore, after.ListVersion);
    }

    [Fact]
    public async Task PartialModePublishesTheGoodRowsAndReturnsTheRejectedOnes()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var body = new
        {
            reference = "W24",
            entries = new object[]
            {
                new { kind = "phone", value = "13800138000" },
                new { kind = "phone", value = "not a number" },
                new { kind = "fax", value = "123" },
                new { kind = "domain", value = "evil.example", category = "gambling" },
            },
        };

        var response = await publisher.PostAsJsonAsync("/v1/batches?mode=partial", body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<ListUploadResult>(Json))!;
        Assert.Equal(2, result.Added);
        Assert.Equal(["invalid_phone", "unknown_kind"], result.Rejected.Select(r => r.Code));
        Assert.True((await app.GetJsonAsync<LookupResponse>("/v1/lookup/domain?value=evil.example")).Flagged);

        // The same upload again is the same list: the first answer, rejected rows included.
        var again = await publisher.PostAsJsonAsync("/v1/batches?mode=partial", body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(result, await again.Content.ReadFromJsonAsync<ListUploadResult>(Json), new UploadComparer());
    }

    [Fact]
    public async Task ListRowsFlaggingAPublicSuffixAreRefusedWithTheProtectionCodeAndNothingIsPublished()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));

        var response = await publisher.PostAsJsonAsync("/v1/batches", new
        {
            reference = "W25",
            entries = new object[]
            {
                new { kind = "domain", value = "evil.github.io", category = "task_brushing" },
                new { kind = "domain", value = "github.io" },
                new { kind = "domain", value = "COM.CN" },
                new { kind = "url", value = "https://blogspot.com/" },
                new { kind = "domain", value = "fake.com.cn" },
            },
        });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "invalid_rows");
        var rows = problem.GetProperty("rows").EnumerateArray().Select(r => (Code: r.GetProperty("code").GetString(), Detail: r.GetProperty("detail").GetString()!)).ToList();
        Assert.Equal(["protected_identifier", "protected_identifier", "protected_identifier"], rows.Select(r => r.Code));
        Assert.Contains("domain github.io is a public suffix", rows[0].Detail, StringComparison.Ordinal);
        Assert.Contains("domain com.cn is a public suffix", rows[1].Detail, StringComparison.Ordinal);
        Assert.Contains("every page on blogspot.com, a public suffix", rows[2].Detail, StringComparison.Ordinal);
        Assert.False((await app.GetJsonAsync<LookupResponse>("/v1/lookup/domain?value=evil.github.io")).Flagged);
    }

    [Fact]
    public async Task PartialCsvListPublishesADomainUnderAPublicSuffixAndRejectsTheSuffix()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var csv = "kind,value,category\ndomain,evil.github.io,task_brushing\ndomain,com.cn,other\ndomain,fake.com.cn,gambling\nurl,http://github.io/,other\n";

        var response = await publisher.PostAsync("/v1/batches?reference=W26&mode=partial", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<ListUploadResult>(Json))!;
        Assert.Equal(2, result.Added);
        Assert.Equal([(3, "protected_identifier"), (5, "protected_identifier")], result.Rejected.Select(r => (r.Line, r.Code)));
        Assert.True((await app.GetJsonAsync<LookupResponse>("/v1/lookup/domain?value=www.evil.github.io")).Flagged);
        Assert.True((await app.GetJsonAsync<LookupResponse>("/v1/lookup/url?value=http://fake.com.cn/pay")).Flagged);

        // A public suffix is still looked up like any domain: nothing flags it.
        var suffix = await app.GetJsonAsync<LookupResponse>("/v1/lookup/domain?value=com.cn");
        Assert.Equal((Verdict.Clear, false), (suffix.Verdict, suffix.Flagged));
        Assert.False((await app.GetJsonAsync<LookupResponse>("/v1/lookup/domain?value=other.github.io")).Flagged);
    }

    [Fact]
    public async Task ImportCommandRefusesAPublicSuffixLikeTheEndpoint()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var file = Path.Combine(Directory.CreateTempSubdirectory("flagapi-lists-").FullName, "w27.csv");
        await File.WriteAllTextAsync(file, "kind,value\ndomain,evil.github.io\ndomain,azurewebsites.net\n");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ImportCommand.RunAsync(app.Services, ["import", file, "--agency", Beijing, "--reference", "2025-W27"], output, error);

        Assert.Equal(ImportCommand.InvalidRows, code);
        Assert.Contains("line 3: protected_identifier: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("azurewebsites.net is a public suffix", error.ToString(), StringComparison.Ordinal);
        Assert.Empty((await app.GetJsonAsync<ListPage>("/v1/batches")).Items);
    }

    [Fact]
    public async Task ResendingTheSameListReturnsTheFirstResultAndDifferentContentIsAConflict()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var body = new { reference = "2025-W30", entries = new[] { new { kind = "phone", value = "13800138000" } } };

        var first = await publisher.PostAsJsonAsync("/v1/batches", body);
        var second = await publisher.PostAsJsonAsync("/v1/batches", body);
        var changed = await publisher.PostAsJsonAsync("/v1/batches", new { reference = "2025-W30", entries = new[] { new { kind = "phone", value = "13900139000" } } });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replay").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        await Problem.AssertAsync(changed, HttpStatusCode.Conflict, "reference_conflict");

        // Another agency may use the same reference for its own list.
        using var other = app.CreateClient(await app.CreateKeyAsync("publisher", Shanghai));
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync("/v1/batches", body)).StatusCode);

        var record = (await app.GetJsonAsync<ListPage>("/v1/batches"))!;
        Assert.Equal(2, record.Total);
        var lookup = await app.GetJsonAsync<LookupResponse>("/v1/lookup/phone?value=13800138000");
        Assert.Equal(2, Assert.Single(lookup.Matches).Sources.Count);
    }

    [Fact]
    public async Task RetryAfterADroppedConnectionDoesNotPublishTwice()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var csv = new StringBuilder("kind,value\n");
        for (var i = 0; i < 3_000; i++)
        {
            csv.Append(CultureInfoInvariant($"phone,1370000{i:0000}\n"));
        }

        // The client gives up at different moments: before, during and after the server's write.
        foreach (var after in new[] { 1, 5, 20, 80 })
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(after));
            try
            {
                await publisher.PostAsync("/v1/batches?reference=dropped", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"), cancel.Token);
            }
            catch (OperationCanceledException)
            {
                // the connection dropped; the client does not know whether the list was published
            }
        }

        // Concurrent retries as well.
        var retries = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            publisher.PostAsync("/v1/batches?reference=dropped", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"))));

        Assert.All(retries, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, r.StatusCode.ToString()));
        var ids = await Task.WhenAll(retries.Select(async r => (await r.Content.ReadFromJsonAsync<ListUploadResult>(Json))!.Id));
        Assert.Single(ids.Distinct());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        Assert.Equal(1, await db.Lists.CountAsync());
        Assert.Equal(3_000, await db.Entries.CountAsync());
        Assert.Equal(3_000, await db.EntrySources.CountAsync());
        Assert.Equal(3_000, await db.ChangeLog.CountAsync());
    }

    [Fact]
    public async Task RetractedListLeavesEntriesFlaggedByOtherLists()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var beijing = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        using var shanghai = app.CreateClient(await app.CreateKeyAsync("publisher", Shanghai));
        var listA = await PublishAsync(beijing, "A", ("phone", "13800138000"), ("phone", "13900139000"));
        await PublishAsync(shanghai, "B", ("phone", "13900139000"));

        var response = await beijing.PostAsJsonAsync($"/v1/batches/{listA}/retract", new { reason = "published the wrong week's file" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var retracted = (await response.Content.ReadFromJsonAsync<RetractResponse>(Json))!;
        Assert.Equal((1, 1), (retracted.Removed, retracted.KeptByOtherSources));
        Assert.Equal(ListStatus.Retracted, retracted.List.Status);

        var onlyA = await app.GetJsonAsync<LookupResponse>("/v1/lookup/phone?value=13800138000");
        Assert.False(onlyA.Flagged);
        var both = await app.GetJsonAsync<LookupResponse>("/v1/lookup/phone?value=13900139000");
        Assert.True(both.Flagged);
        Assert.Equal($"{Shanghai} B", Assert.Single(Assert.Single(both.Matches).Sources).Label);

        // The retraction is public record, and it is in the change log as a removal.
        var record = await app.GetJsonAsync<ListDetail>($"/v1/batches/{listA}");
        Assert.Equal("published the wrong week's file", record.List.Retraction?.Reason);
        Assert.Equal(Data.EntryStatus.Retracted, record.Entries.Items.Single(i => i.Value == "+8613800138000").Status);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var lastChanges = await db.ChangeLog.OrderByDescending(c => c.Version).Take(2).ToListAsync();
        Assert.Equal(retracted.List.Retraction!.ListVersion, lastChanges[0].Version);
        Assert.Equal(ChangeOps.Remove, lastChanges.Single(c => c.Value == "+8613800138000").Op);
        Assert.Equal(ChangeOps.Update, lastChanges.Single(c => c.Value == "+8613900139000").Op);
        Assert.Contains(await db.AuditLog.ToListAsync(), a => a.Action == "list.retracted" && a.SubjectId == listA.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await Problem.AssertAsync(await beijing.PostAsJsonAsync($"/v1/batches/{listA}/retract", new { reason = "again" }), HttpStatusCode.Conflict, "already_retracted");
    }

    [Fact]
    public async Task PublisherCannotRetractAnotherAgencysListButAnAdminCan()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var beijing = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        using var shanghai = app.CreateClient(await app.CreateKeyAsync("publisher", Shanghai));
        using var appKey = app.CreateClient(await app.CreateKeyAsync("app"));
        using var admin = app.CreateClient(await app.CreateKeyAsync("admin"));
        using var anonymous = app.CreateClient();
        var list = await PublishAsync(beijing, "A", ("phone", "13800138000"));
        var reason = new { reason = "mistake" };

        await Problem.AssertAsync(await shanghai.PostAsJsonAsync($"/v1/batches/{list}/retract", reason), HttpStatusCode.Forbidden, "not_your_list");
        await Problem.AssertAsync(await appKey.PostAsJsonAsync($"/v1/batches/{list}/retract", reason), HttpStatusCode.Forbidden, "wrong_role");
        await Problem.AssertAsync(await anonymous.PostAsJsonAsync($"/v1/batches/{list}/retract", reason), HttpStatusCode.Unauthorized, "missing_api_key");
        Assert.True((await app.GetJsonAsync<LookupResponse>("/v1/lookup/phone?value=13800138000")).Flagged);

        await Problem.AssertAsync(await admin.PostAsJsonAsync($"/v1/batches/{list}/retract", new { reason = " " }), HttpStatusCode.BadRequest, "missing_reason");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/v1/batches/{list}/retract", reason)).StatusCode);
        Assert.False((await app.GetJsonAsync<LookupResponse>("/v1/lookup/phone?value=13800138000")).Flagged);
        await Problem.AssertAsync(await admin.PostAsJsonAsync("/v1/batches/999/retract", reason), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task OnlyPublisherKeysPublish()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var body = new { reference = "x", entries = new[] { new { kind = "phone", value = "13800138000" } } };

        await Problem.AssertAsync(await app.CreateClient().PostAsJsonAsync("/v1/batches", body), HttpStatusCode.Unauthorized, "missing_api_key");
        await Problem.AssertAsync(await app.CreateClient("fk_not-a-key").PostAsJsonAsync("/v1/batches", body), HttpStatusCode.Unauthorized, "invalid_api_key");
        foreach (var role in new[] { "app", "reviewer", "admin" })
        {
            await Problem.AssertAsync(await app.CreateClient(await app.CreateKeyAsync(role)).PostAsJsonAsync("/v1/batches", body), HttpStatusCode.Forbidden, "wrong_role");
        }

        await using var scope = app.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Lists.CountAsync());
    }

    [Theory]
    [InlineData("application/json", "{\"entries\": [", HttpStatusCode.BadRequest, "invalid_json")]
    [InlineData("application/json", "{\"reference\":\"r\"}", HttpStatusCode.BadRequest, "invalid_json")]
    [InlineData("application/json", "[]", HttpStatusCode.BadRequest, "invalid_json")]
    [InlineData("application/json", "{\"entries\": []}", HttpStatusCode.UnprocessableEntity, "invalid_rows")]
    [InlineData("application/json", "{\"publishedOn\":\"June 2\",\"entries\":[{\"kind\":\"phone\",\"value\":\"110\"}]}", HttpStatusCode.BadRequest, "invalid_published_on")]
    [InlineData("application/json", "{\"reference\":\"a\",\"entries\":[{\"kind\":\"phone\",\"value\":\"110\"}]}", HttpStatusCode.BadRequest, "conflicting_metadata")]
    [InlineData("text/csv", "value,kind,colour\n1,phone,red\n", HttpStatusCode.BadRequest, "unknown_column")]
    [InlineData("text/csv", "", HttpStatusCode.BadRequest, "missing_header")]
    [InlineData("text/plain", "kind,value\nphone,110\n", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    public async Task BadUploadsAreProblemsAndPublishNothing(string contentType, string body, HttpStatusCode status, string code)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));

        var response = await publisher.PostAsync("/v1/batches?reference=b", new StringContent(body, Encoding.UTF8, contentType));

        await Problem.AssertAsync(response, status, code);
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<FlagDbContext>().Lists.CountAsync());
    }

    [Fact]
    public async Task BadQueryParametersAreProblems()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var csv = new StringContent("kind,value\nphone,110\n", Encoding.UTF8, "text/csv");

        await Problem.AssertAsync(await publisher.PostAsync("/v1/batches?mode=some", csv), HttpStatusCode.BadRequest, "invalid_mode");
        await Problem.AssertAsync(await publisher.PostAsync($"/v1/batches?reference={new string('r', 101)}", csv), HttpStatusCode.BadRequest, "invalid_reference");
        await Problem.AssertAsync(await app.CreateClient().GetAsync("/v1/batches?pageSize=501"), HttpStatusCode.BadRequest, "invalid_page");
        await Problem.AssertAsync(await app.CreateClient().GetAsync("/v1/batches?page=0"), HttpStatusCode.BadRequest, "invalid_page");
        await Problem.AssertAsync(await app.CreateClient().GetAsync("/v1/batches?page=two"), HttpStatusCode.BadRequest, "invalid_page");
        await Problem.AssertAsync(await app.CreateClient().GetAsync("/v1/batches/12345"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task ListOverTheRowLimitIsRefusedWhileStillArriving()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Lists:MaxRows"] = "5" });
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var rows = string.Concat(Enumerable.Range(0, 6).Select(i => $"phone,1380013800{i}\n"));

        var response = await publisher.PostAsync("/v1/batches?reference=r", new StringContent("kind,value\n" + rows, Encoding.UTF8, "text/csv"));

        var problem = await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "too_many_rows");
        Assert.Contains("5", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyOverTheListLimitIs413()
    {
        await using var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?> { ["Limits:MaxListBodyBytes"] = "1000" });
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var rows = string.Concat(Enumerable.Range(0, 100).Select(i => $"phone,138001{i:00000}\n"));

        var response = await publisher.PostAsync("/v1/batches?reference=r", new StringContent("kind,value\n" + rows, Encoding.UTF8, "text/csv"));

        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public async Task ImportCommandRecordsItsListLikeTheEndpoint()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        var file = Path.Combine(Directory.CreateTempSubdirectory("flagapi-lists-").FullName, "w22.json");
        var json = """{"entries":[{"kind":"phone","value":"13800138000","category":"gambling"}]}""";
        await File.WriteAllTextAsync(file, json);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ImportCommand.RunAsync(
            app.Services, ["import", file, "--agency", Beijing, "--reference", "2025-W22", "--title", "第七批", "--published-on", "2025-06-02"], output, error);

        Assert.True(code == ImportCommand.Ok, error.ToString());
        var record = Assert.Single((await app.GetJsonAsync<ListPage>("/v1/batches")).Items);
        Assert.Equal((Beijing, "2025-W22", "第七批", new DateOnly(2025, 6, 2), 1), (record.Agency, record.Reference, record.Title, record.PublishedOn, record.EntryCount));

        // The same list sent to the endpoint by the agency's key is recognised as already published.
        using var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", Beijing));
        var resent = await publisher.PostAsync("/v1/batches?reference=2025-W22", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        var result = (await resent.Content.ReadFromJsonAsync<ListUploadResult>(Json))!;
        Assert.Equal((record.Id, 1, "第七批"), (result.Id, result.Added, result.Title));
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Single(await scope.ServiceProvider.GetRequiredService<FlagDbContext>().AuditLog.Where(a => a.Action == "list.published").ToListAsync());
    }

    private static async Task<long> PublishAsync(HttpClient publisher, string reference, params (string Kind, string Value)[] rows)
    {
        var response = await publisher.PostAsJsonAsync("/v1/batches", new { reference, entries = rows.Select(r => new { kind = r.Kind, value = r.Value }) });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ListUploadResult>(Json))!.Id;
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);

    private sealed class UploadComparer : IEqualityComparer<ListUploadResult?>
    {
        public bool Equals(ListUploadResult? x, ListUploadResult? y) =>
            x is not null && y is not null && x with { Rejected = [] } == y with { Rejected = [] } && x.Rejected.SequenceEqual(y.Rejected);

        public int GetHashCode(ListUploadResult? obj) => obj?.Id.GetHashCode() ?? 0;
    }
}
