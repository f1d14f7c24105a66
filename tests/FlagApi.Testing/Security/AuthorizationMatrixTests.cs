using FlagApi.Problems;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlagApi.Data;
using FlagApi.Appeals;
using FlagApi.Keys;
using FlagApi.Lists;
using FlagApi.Tests.Deployment;
using FlagApi.Tests.Infrastructure;
using FlagApi.Watches;
using Microsoft.Extensions.DependencyInjection;

namespace FlagApi.Tests.Security;

/// <summary>
/// Who may call what. Every operation of the OpenAPI document, and every route outside it, is called by every kind of
/// caller with a request that succeeds for a caller who may make it, so that a refusal can only be the authorization's
/// and a success is not hidden behind a 400. An operation without a row, or a row without an operation, fails.
/// </summary>
public abstract class AuthorizationMatrixTests(DatabaseTarget target)
{
    private const string AgencyA = "Beijing police";
    private const string AgencyB = "Shanghai police";

    private static readonly Cell Ok = new(HttpStatusCode.OK);
    private static readonly Cell Created = new(HttpStatusCode.Created);
    private static readonly Cell Accepted = new(HttpStatusCode.Accepted);
    private static readonly Cell NoContent = new(HttpStatusCode.NoContent);
    private static readonly Cell NoKey = new(HttpStatusCode.Unauthorized, KeyProblemCodes.MissingApiKey);
    private static readonly Cell BadKey = new(HttpStatusCode.Unauthorized, KeyProblemCodes.InvalidApiKey);
    private static readonly Cell Role = new(HttpStatusCode.Forbidden, KeyProblemCodes.WrongRole);
    private static readonly Cell NotTheirList = new(HttpStatusCode.Forbidden, ProblemCodes.NotYourList);
    private static readonly Cell NotTheirAppeal = new(HttpStatusCode.Forbidden, ReviewProblemCodes.NotYourAppeal);

    /// <summary>
    /// The matrix of the OpenAPI document's operations. "publisher" is a key of the agency that published the list, and
    /// flagged the entry an appeal contests; "other" is a publisher key of another agency. "invalid" is the answer to a
    /// revoked admin key and to every malformed key (<see cref="InvalidCallers"/>): wherever it is sent, a key that names
    /// no active key is refused, never served as anonymous.
    /// </summary>
    private static readonly Row[] Operations =
    [
        // method, path, then what each caller gets: anonymous, app, publisher, other publisher, reviewer, admin, invalid key; the request
        new("GET", "/health/live", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/health/live")),
        new("GET", "/health/ready", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/health/ready")),
        new("GET", "/v1/lookup/{kind}", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/v1/lookup/phone?value=13800138000")),
        new("POST", "/v1/lookup", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Post("/v1/lookup", new { items = new[] { new { kind = "phone", value = "13800138000" } } })),
        new("GET", "/v1/hashes/{prefix}", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/v1/hashes/00000")),
        new("POST", "/v1/hashes", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Post("/v1/hashes", new { prefixes = new[] { "00000" } })),
        new("POST", "/v1/check/message", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Post("/v1/check/message", new { text = "Call 13800138000 about your parcel." })),
        new("GET", "/v1/feed/changes", NoKey, Ok, Role, Role, Role, Ok, BadKey, _ => Get("/v1/feed/changes?since=0")),
        new("GET", "/v1/feed/snapshot", NoKey, Ok, Role, Role, Role, Ok, BadKey, _ => Get("/v1/feed/snapshot")),
        new("GET", "/v1/feed/prefixes", NoKey, Ok, Role, Role, Role, Ok, BadKey, _ => Get("/v1/feed/prefixes")),
        new("GET", "/v1/stats", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/v1/stats")),

        new("POST", "/v1/batches", NoKey, Role, Created, Created, Role, Role, BadKey, w => Post("/v1/batches", w.NewListBody())),
        new("GET", "/v1/batches", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/v1/batches")),
        new("GET", "/v1/batches/{id}", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, w => Get($"/v1/batches/{w.ListId}")),
        new("POST", "/v1/batches/{id}/retract", NoKey, Role, Ok, NotTheirList, Role, Ok, BadKey,
            async w => Post($"/v1/batches/{await w.PublishAsync(AgencyA)}/retract", new { reason = "Published by mistake." })),

        new("POST", "/v1/keys", NoKey, Role, Role, Role, Role, Created, BadKey, w => Post("/v1/keys", new { name = w.Unique("key"), role = "app" })),
        new("GET", "/v1/keys", NoKey, Role, Role, Role, Role, Ok, BadKey, _ => Get("/v1/keys")),
        new("DELETE", "/v1/keys/{id}", NoKey, Role, Role, Role, Role, NoContent, BadKey, async w => Delete($"/v1/keys/{await w.NewKeyIdAsync()}")),

        new("GET", "/v1/entries", NoKey, Role, Role, Role, Ok, Ok, BadKey, _ => Get("/v1/entries")),
        new("GET", "/v1/entries/{id}", NoKey, Role, Role, Role, Ok, Ok, BadKey, w => Get($"/v1/entries/{w.EntryId}")),

        new("GET", "/v1/protected", NoKey, Role, Role, Role, Role, Ok, BadKey, _ => Get("/v1/protected")),
        new("POST", "/v1/protected", NoKey, Role, Role, Role, Role, Created, BadKey,
            w => Post("/v1/protected", new { kind = "domain", value = w.Unique("protect") + ".example", reason = "A ministry's domain." })),
        new("GET", "/v1/protected/{id}", NoKey, Role, Role, Role, Role, Ok, BadKey, w => Get($"/v1/protected/{w.ProtectedId}")),
        new("DELETE", "/v1/protected/{id}", NoKey, Role, Role, Role, Role, NoContent, BadKey,
            async w => Delete($"/v1/protected/{await w.ProtectAsync()}?reason=No+longer+needed")),
        new("GET", "/v1/protected/overrides", NoKey, Role, Role, Role, Role, Ok, BadKey, _ => Get("/v1/protected/overrides")),
        new("POST", "/v1/protected/overrides", NoKey, Role, Role, Role, Role, Created, BadKey,
            async w => Post("/v1/protected/overrides", new { kind = "domain", value = await w.ProtectedDomainAsync(), reason = "The police confirmed it." })),
        new("GET", "/v1/protected/overrides/{id}", NoKey, Role, Role, Role, Role, Ok, BadKey, w => Get($"/v1/protected/overrides/{w.OverrideId}")),
        new("DELETE", "/v1/protected/overrides/{id}", NoKey, Role, Role, Role, Role, NoContent, BadKey,
            async w => Delete($"/v1/protected/overrides/{await w.OverrideAsync()}?reason=Resolved")),

        new("POST", "/v1/reports", Accepted, Accepted, Accepted, Accepted, Accepted, Accepted, BadKey, w => Post("/v1/reports", w.NewReportBody())),
        new("GET", "/v1/reports", NoKey, Role, Role, Role, Ok, Ok, BadKey, _ => Get("/v1/reports")),
        new("POST", "/v1/reports/{id}/decision", NoKey, Role, Role, Role, Ok, Ok, BadKey,
            async w => Post($"/v1/reports/{await w.ReportAsync()}/decision", new { decision = "reject", reason = "A neighbour's quarrel." })),

        new("POST", "/v1/appeals", Created, Created, Created, Created, Created, Created, BadKey, w => Post("/v1/appeals", w.NewAppealBody())),
        new("GET", "/v1/appeals/{trackingCode}", "by tracking code and X-Appeal-Token", Ok, Ok, Ok, Ok, Ok, Ok, BadKey,
            w => Get($"/v1/appeals/{w.Appeal.Code}", (AppellantEndpoints.TokenHeader, w.Appeal.Token))),
        new("POST", "/v1/appeals/{trackingCode}/messages", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, async w =>
        {
            var appeal = await w.FileAppealAsync();
            return Post($"/v1/appeals/{appeal.Code}/messages", new { message = "The number is my shop's." }, (AppellantEndpoints.TokenHeader, appeal.Token));
        }),
        new("POST", "/v1/appeals/{trackingCode}/withdraw", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, async w =>
        {
            var appeal = await w.FileAppealAsync();
            return Post($"/v1/appeals/{appeal.Code}/withdraw", new { reason = "Solved with the carrier." }, (AppellantEndpoints.TokenHeader, appeal.Token));
        }),
        .. ReviewerAppealRows(ReviewEndpoints.Root),

        new("POST", "/v1/watches", Created, Created, Created, Created, Created, Created, BadKey, w => Post("/v1/watches", w.NewWatchBody())),
        new("GET", "/v1/watches/{id}", "by id and X-Watch-Token", Ok, Ok, Ok, Ok, Ok, Ok, BadKey,
            w => Get($"/v1/watches/{w.Watch.Id}", (WatchEndpoints.TokenHeader, w.Watch.Token))),
        new("POST", "/v1/watches/{id}/confirm", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, async w =>
        {
            var watch = await w.SubscribeWatchAsync();
            return Post($"/v1/watches/{watch.Id}/confirm", new { code = watch.Code }, (WatchEndpoints.TokenHeader, watch.Token));
        }),
        new("DELETE", "/v1/watches/{id}", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, async w =>
        {
            var watch = await w.SubscribeWatchAsync();
            return With(Delete($"/v1/watches/{watch.Id}"), [(WatchEndpoints.TokenHeader, watch.Token)]);
        }),
        new("GET", "/v1/review/watches", NoKey, Role, Role, Role, Ok, Ok, BadKey, _ => Get("/v1/review/watches")),
        new("POST", "/v1/review/watches/{id}/verify", NoKey, Role, Role, Role, Ok, Ok, BadKey,
            async w => Post($"/v1/review/watches/{(await w.ConfirmedWatchAsync()).Id}/verify", new { verification = "callback" })),
        new("POST", "/v1/review/watches/{id}/reject", NoKey, Role, Role, Role, Ok, Ok, BadKey,
            async w => Post($"/v1/review/watches/{(await w.ConfirmedWatchAsync()).Id}/reject", new { reason = "Nobody answered the call back." })),
    ];

    /// <summary>
    /// The reviewers' appeal routes under <paramref name="root"/>: /v1/review/appeals, and the deprecated first shape under
    /// /v1/appeals, which must keep every refusal it had.
    /// </summary>
    private static Row[] ReviewerAppealRows(string root) =>
    [
        new("GET", root, NoKey, Role, Ok, Ok, Ok, Ok, BadKey, _ => Get(root)),
        new("GET", root + "/{id}", NoKey, Role, Ok, NotTheirAppeal, Ok, Ok, BadKey, w => Get($"{root}/{w.Appeal.Id}")),
        new("GET", root + "/{id}/attachments/{attachmentId}", NoKey, Role, Role, Role, Ok, Ok, BadKey,
            w => Get($"{root}/{w.Appeal.Id}/attachments/{w.AttachmentId}")),
        new("POST", root + "/{id}/assign", NoKey, Role, Role, Role, Ok, Ok, BadKey,
            async w => Post($"{root}/{(await w.FileAppealAsync()).Id}/assign", new { })),
        new("POST", root + "/{id}/request-info", NoKey, Role, Role, Role, Ok, Ok, BadKey,
            async w => Post($"{root}/{(await w.FileAppealAsync()).Id}/request-info", new { message = "Send a photo of the SIM card's holder." })),
        new("POST", root + "/{id}/decision", NoKey, Role, Role, Role, Ok, Ok, BadKey, async w =>
        {
            var appeal = await w.FileAppealAsync();
            var seen = await AppealApi.ReviewerViewAsync(w.ReviewerClient, appeal.Id);
            return Post($"{root}/{appeal.Id}/decision", new { decision = "reject", reason = "The number called victims." }, ("If-Match", seen.ETag));
        }),
        new("POST", root + "/decisions", NoKey, Role, Role, Role, Ok, Ok, BadKey,
            async w => Post($"{root}/decisions", new { appealIds = new[] { (await w.FileAppealAsync()).Id }, decision = "reject", reason = "The sweep was right." })),
    ];

    /// <summary>Routes outside the document: probes' neighbours, the document itself, Swagger UI, metrics and the portal.</summary>
    private static readonly Row[] OtherRoutes =
    [
        .. ReviewerAppealRows(AppellantEndpoints.Root),
        new("GET", "/openapi/v1.json", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/openapi/v1.json")),
        new("GET", "/swagger", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/swagger")),
        new("GET", "/swagger/index.html", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/swagger/index.html")),
        new("GET", "/metrics", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/metrics")),
        new("GET", "/", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/")),
        new("GET", "/report", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/report")),
        new("GET", "/appeal", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/appeal")),
        new("GET", "/track", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/track")),
        new("GET", "/review", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/review")),
        new("GET", "/stats", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/stats")),
        new("GET", "/portal/{file}", Ok, Ok, Ok, Ok, Ok, Ok, BadKey, _ => Get("/portal/portal.css")),
    ];

    /// <summary>A revoked key and the malformed ones: each gets a row's "invalid" answer.</summary>
    private static readonly Caller[] InvalidCallers =
        [Caller.RevokedKey, Caller.GarbageKey, Caller.TooLongKey, Caller.NonAsciiKey, Caller.EmptyKey, Caller.TwoKeys];

    public enum Caller
    {
        Anonymous,
        App,
        Publisher,
        OtherPublisher,
        Reviewer,
        Admin,
        RevokedKey,
        GarbageKey,
        TooLongKey,
        NonAsciiKey,
        EmptyKey,
        TwoKeys,
    }

    [Fact]
    public async Task EveryOperationOfTheDocumentHasARowInTheMatrixAndEveryRowAnOperation()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        var served = OperationsOf(JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!);
        var checkedIn = OperationsOf(JsonNode.Parse(await File.ReadAllTextAsync(RepositoryFiles.PathOf("openapi", "v1.json")))!);
        var rows = Operations.Select(r => r.Operation).ToHashSet(StringComparer.Ordinal);

        var withoutRow = served.Where(o => !rows.Contains(o)).ToList();
        var withoutOperation = rows.Where(r => !served.Contains(r)).ToList();

        Assert.True(withoutRow.Count == 0, "These operations have no row in the authorization matrix; add one saying who may call them: " + string.Join(", ", withoutRow));
        Assert.True(withoutOperation.Count == 0, "These matrix rows name no operation of the served document; remove or rename them: " + string.Join(", ", withoutOperation));
        Assert.True(checkedIn.SetEquals(served), "openapi/v1.json lists other operations than the served document: "
            + string.Join(", ", checkedIn.Except(served).Concat(served.Except(checkedIn))));
    }

    [Fact]
    public async Task EveryCallerGetsWhatTheMatrixSaysFromEveryOperationAndRoute()
    {
        await using var world = await World.CreateAsync(target);
        var failures = new List<string>();

        foreach (var row in Operations.Concat(OtherRoutes))
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                var expected = row.For(caller);
                world.Fresh = (int)expected.Status < 300;
                using var request = await row.Request(world);
                world.Authenticate(request, caller);
                var response = await world.Client.SendAsync(request);
                if (await MismatchAsync(response, expected) is { } mismatch)
                {
                    failures.Add($"{row.Name} as {caller}: expected {expected}, got {mismatch}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} cells of the authorization matrix differ:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task KeyHeadersAClientLibraryWouldNotSendAreRefusedOnTheWireToo()
    {
        await using var world = await World.CreateAsync(target);
        var admin = world.Key(Caller.Admin);
        var uri = new Uri(world.App.BaseAddress);

        // Two header lines (a proxy adding its own key to the caller's), an empty one, and bytes that are not UTF-8.
        var twoLines = await RawAsync(uri, "GET /v1/keys", $"X-Api-Key: {admin}", $"X-Api-Key: {admin}");
        var empty = await RawAsync(uri, "GET /v1/keys", "X-Api-Key:");
        var emptyOnLookup = await RawAsync(uri, "GET /v1/lookup/phone?value=13800138000", "X-Api-Key:");
        var notUtf8 = await RawAsync(uri, "GET /v1/keys", "X-Api-Key: \\xff\\xfe" + admin);

        foreach (var (what, response) in new[] { ("two lines", twoLines), ("empty", empty), ("empty, on a lookup", emptyOnLookup), ("not UTF-8", notUtf8) })
        {
            Assert.True(response.StartsWith("HTTP/1.1 401 ", StringComparison.Ordinal) || response.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal),
                $"{what}: {Shorten(response)}");
            Assert.DoesNotContain("\"keys\"", response, StringComparison.Ordinal);
        }

        Assert.Contains("\"code\":\"invalid_api_key\"", twoLines, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"invalid_api_key\"", empty, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"invalid_api_key\"", emptyOnLookup, StringComparison.Ordinal);
    }

    /// <summary>Sends a request as raw bytes (<c>\xNN</c> stands for a byte) and returns the raw response.</summary>
    private static async Task<string> RawAsync(Uri server, string requestLine, params string[] headers)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var text = $"{requestLine} HTTP/1.1\r\nHost: {server.Authority}\r\n{string.Concat(headers.Select(h => h + "\r\n"))}Connection: close\r\n\r\n";
        var bytes = System.Text.RegularExpressions.Regex.Split(text, @"(\\x[0-9a-f]{2})")
            .SelectMany(part => part.StartsWith("\\x", StringComparison.Ordinal)
                ? new[] { byte.Parse(part.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) }
                : System.Text.Encoding.ASCII.GetBytes(part))
            .ToArray();
        await stream.WriteAsync(bytes);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task AnAppealOpensOnlyWithItsOwnTokenAndARefusedCallChangesNothing()
    {
        await using var world = await World.CreateAsync(target);
        var appeal = await world.FileAppealAsync();
        var other = await world.FileAppealAsync();
        var wrongTokens = new (string What, string? Token)[]
        {
            ("no token", null),
            ("an empty token", ""),
            ("a made-up token", "not-the-token"),
            ("another appeal's token", other.Token),
            ("its token changed in one character", appeal.Token[..^1] + (appeal.Token[^1] == 'A' ? 'B' : 'A')),
            ("its token with a group left out", appeal.Token[5..]),
            ("an old-format token", "at_" + appeal.Token.Replace("-", "", StringComparison.Ordinal)),
            ("its token twice", appeal.Token + "," + appeal.Token),
            ("a very long token", new string('x', 10_000)),
        };

        foreach (var (what, token) in wrongTokens)
        {
            var header = token is null ? Array.Empty<(string, string)>() : [(AppellantEndpoints.TokenHeader, token)];
            foreach (var request in new[]
            {
                Get($"/v1/appeals/{appeal.Code}", header),
                Post($"/v1/appeals/{appeal.Code}/messages", new { message = "Let me in." }, header),
                Post($"/v1/appeals/{appeal.Code}/withdraw", new { reason = "Withdrawn by a stranger." }, header),
            })
            {
                var response = await world.Client.SendAsync(request);
                var body = await Problem.AssertAsync(response, HttpStatusCode.NotFound, AppellantProblems.AppealNotFound);
                Assert.DoesNotContain(appeal.Code, body.ToString(), StringComparison.OrdinalIgnoreCase);
            }
        }

        // A grouped token is read as a person types it: in other case, it is still its token.
        Assert.Equal(HttpStatusCode.OK, (await world.Client.SendAsync(Get($"/v1/appeals/{appeal.Code}", (AppellantEndpoints.TokenHeader, Flip(appeal.Token))))).StatusCode);

        // The token of this appeal does not open another one, nor an unknown code.
        Assert.Equal(HttpStatusCode.NotFound, (await world.Client.SendAsync(Get($"/v1/appeals/{other.Code}", (AppellantEndpoints.TokenHeader, appeal.Token)))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Client.SendAsync(Get("/v1/appeals/AP-0000-0000", (AppellantEndpoints.TokenHeader, appeal.Token)))).StatusCode);

        // Nothing the refused calls sent reached the appeal: still submitted, no message, no withdrawal.
        var view = await world.Client.SendAsync(Get($"/v1/appeals/{appeal.Code}", (AppellantEndpoints.TokenHeader, appeal.Token)));
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        var text = await view.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("submitted", json.GetProperty("status").GetString());
        Assert.DoesNotContain("Let me in.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Withdrawn by a stranger.", text, StringComparison.Ordinal);
    }

    private static string Flip(string token) =>
        string.Concat(token.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));

    private static HashSet<string> OperationsOf(JsonNode document) =>
        document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject()
                .Where(m => m.Key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options" or "trace")
                .Select(m => $"{m.Key.ToUpperInvariant()} {path.Key}"))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>What differs from the cell, or null: the status, a refusal's problem code, a success that is a problem.</summary>
    private static async Task<string?> MismatchAsync(HttpResponseMessage response, Cell expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        var isProblem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
        string? code = null;
        if (isProblem)
        {
            code = JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
        }

        var actual = $"{(int)response.StatusCode}{(code is null ? "" : " " + code)}";
        if (response.StatusCode != expected.Status)
        {
            return actual + (body.Length > 0 ? $" ({Shorten(body)})" : "");
        }

        if (expected.Code is not null && (!isProblem || code != expected.Code))
        {
            return actual + $" ({Shorten(body)})";
        }

        return expected.Code is null && isProblem ? actual + " as problem details" : null;
    }

    private static string Shorten(string body) => body.Length <= 300 ? body : body[..300] + "…";

    private static HttpRequestMessage Get(string path, params (string Name, string Value)[] headers) => With(new HttpRequestMessage(HttpMethod.Get, path), headers);

    private static HttpRequestMessage Delete(string path) => new(HttpMethod.Delete, path);

    private static HttpRequestMessage Post(string path, object body, params (string Name, string Value)[] headers) =>
        With(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) }, headers);

    private static HttpRequestMessage With(HttpRequestMessage request, (string Name, string Value)[] headers)
    {
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>What a cell expects: a status and, for a refusal, its problem code.</summary>
    private sealed record Cell(HttpStatusCode Status, string? Code = null)
    {
        public override string ToString() => ((int)Status).ToString(CultureInfo.InvariantCulture) + (Code is null ? "" : " " + Code);
    }

    /// <summary>One operation (or one way of calling it), the answer each caller gets, and a request that succeeds for those allowed.</summary>
    private sealed record Row(
        string Method, string Path, string? Variant, Cell Anonymous, Cell App, Cell Publisher, Cell OtherPublisher, Cell Reviewer, Cell Admin, Cell Invalid,
        Func<World, Task<HttpRequestMessage>> Request)
    {
        public Row(string method, string path, Cell anonymous, Cell app, Cell publisher, Cell otherPublisher, Cell reviewer, Cell admin, Cell invalid,
            Func<World, Task<HttpRequestMessage>> request)
            : this(method, path, null, anonymous, app, publisher, otherPublisher, reviewer, admin, invalid, request)
        {
        }

        public Row(string method, string path, Cell anonymous, Cell app, Cell publisher, Cell otherPublisher, Cell reviewer, Cell admin, Cell invalid,
            Func<World, HttpRequestMessage> request)
            : this(method, path, null, anonymous, app, publisher, otherPublisher, reviewer, admin, invalid, w => Task.FromResult(request(w)))
        {
        }

        public Row(string method, string path, string variant, Cell anonymous, Cell app, Cell publisher, Cell otherPublisher, Cell reviewer, Cell admin, Cell invalid,
            Func<World, HttpRequestMessage> request)
            : this(method, path, variant, anonymous, app, publisher, otherPublisher, reviewer, admin, invalid, w => Task.FromResult(request(w)))
        {
        }

        public string Operation => $"{Method} {Path}";

        public string Name => Variant is null ? Operation : $"{Operation} ({Variant})";

        public Cell For(Caller caller) => caller switch
        {
            Caller.Anonymous => Anonymous,
            Caller.App => App,
            Caller.Publisher => Publisher,
            Caller.OtherPublisher => OtherPublisher,
            Caller.Reviewer => Reviewer,
            Caller.Admin => Admin,
            _ when InvalidCallers.Contains(caller) => Invalid,
            _ => throw new ArgumentOutOfRangeException(nameof(caller)),
        };
    }

    /// <summary>One application with a key of every role, a list of each agency, an appeal with an attachment, a protection and an override.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly Dictionary<Caller, string> keys = [];
        private int counter;

        private World(FlagApiFactory app) => App = app;

        public FlagApiFactory App { get; }

        public HttpClient Client { get; private set; } = null!;

        public HttpClient AdminClient { get; private set; } = null!;

        public HttpClient ReviewerClient { get; private set; } = null!;

        public long ListId { get; private set; }

        public long EntryId { get; private set; }

        public long ProtectedId { get; private set; }

        public long OverrideId { get; private set; }

        public AppealApi.Filed Appeal { get; private set; } = null!;

        public long AttachmentId { get; private set; }

        /// <summary>A watch whose address is confirmed, for the refused calls; a call that succeeds gets one of its own.</summary>
        public WatchApi.Subscribed Watch { get; private set; } = null!;

        public static async Task<World> CreateAsync(DatabaseTarget target)
        {
            // Over Kestrel, so headers arrive as a real client sends them (the in-memory server drops an empty one), non-ASCII
            // bytes included.
            var app = await FlagApiFactory.CreateServedAsync(target, new Dictionary<string, string?> { ["Metrics:Enabled"] = "true" });
            var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 };
            var world = new World(app) { Client = new HttpClient(handler) { BaseAddress = new Uri(app.BaseAddress) } };
            world.keys[Caller.App] = await app.CreateKeyAsync(Roles.App);
            world.keys[Caller.Publisher] = await app.CreateKeyAsync(Roles.Publisher, AgencyA);
            world.keys[Caller.OtherPublisher] = await app.CreateKeyAsync(Roles.Publisher, AgencyB);
            world.keys[Caller.Reviewer] = await app.CreateKeyAsync(Roles.Reviewer);
            world.keys[Caller.Admin] = await app.CreateKeyAsync(Roles.Admin);
            world.AdminClient = app.CreateClient(world.keys[Caller.Admin]);
            world.ReviewerClient = app.CreateClient(world.keys[Caller.Reviewer]);

            await using (var scope = app.Services.CreateAsyncScope())
            {
                var keyService = scope.ServiceProvider.GetRequiredService<KeyService>();
                var revoked = await keyService.CreateAsync(new CreateKeyRequest("revoked admin", Roles.Admin, null, null), "test");
                await keyService.RevokeAsync(revoked.Id, "test");
                world.keys[Caller.RevokedKey] = revoked.Key;
            }

            world.ListId = await world.PublishAsync(AgencyA, "13800138000");
            await world.PublishAsync(AgencyB, "13700137000");
            using (var entries = await world.ReviewerClient.GetAsync("/v1/entries"))
            {
                var page = await entries.Content.ReadFromJsonAsync<JsonElement>();
                world.EntryId = page.GetProperty("items")[0].GetProperty("id").GetInt64();
            }

            world.ProtectedDomain = await world.ProtectedDomainAsync();
            world.ProtectedId = await world.ProtectAsync();
            world.OverrideId = await world.OverrideAsync();
            world.ReportId = await world.ReportAsync();
            world.KeyId = await world.NewKeyIdAsync();
            var png = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]);
            world.Appeal = await AppealApi.FileAsync(app, "13800138000", contact: "owner@example.com", attachments: [new { fileName = "id.png", contentBase64 = png }]);
            world.AttachmentId = (await AppealApi.ReviewerViewAsync(world.ReviewerClient, world.Appeal.Id)).Json.GetProperty("attachments")[0].GetProperty("id").GetInt64();
            world.Watch = await WatchApi.ConfirmedAsync(app, world.Unique("owner") + "@example.com");
            return world;
        }

        public string Key(Caller caller) => keys[caller];

        /// <summary>
        /// Whether the next request is expected to succeed and so needs a resource of its own (a list to retract, an appeal
        /// to decide). A refused request gets the shared ones: it must not reach them, and if it did, its cell fails.
        /// </summary>
        public bool Fresh { get; set; } = true;

        public long ReportId { get; private set; }

        public long KeyId { get; private set; }

        public string ProtectedDomain { get; private set; } = "";

        public string Unique(string prefix) => $"{prefix}{Interlocked.Increment(ref counter):D6}";

        /// <summary>Sends the caller's key, or the malformed header it stands for.</summary>
        public void Authenticate(HttpRequestMessage request, Caller caller)
        {
            const string header = ApiKeyAuthenticationHandler.Header;
            switch (caller)
            {
                case Caller.Anonymous:
                    return;
                case Caller.GarbageKey:
                    request.Headers.TryAddWithoutValidation(header, "not-a-key");
                    return;
                case Caller.TooLongKey:
                    request.Headers.TryAddWithoutValidation(header, keys[Caller.Admin] + new string('0', 4096));
                    return;
                case Caller.NonAsciiKey:
                    request.Headers.TryAddWithoutValidation(header, "ключ-密钥-🔑");
                    return;
                case Caller.EmptyKey:
                    request.Headers.TryAddWithoutValidation(header, "");
                    return;
                case Caller.TwoKeys:
                    // Two valid admin keys are still no key: which one would the caller be?
                    request.Headers.TryAddWithoutValidation(header, [keys[Caller.Admin], keys[Caller.Admin]]);
                    return;
                default:
                    request.Headers.TryAddWithoutValidation(header, keys[caller]);
                    return;
            }
        }

        public object NewListBody() => new
        {
            reference = Unique("matrix-"),
            entries = new[] { new { kind = "phone", value = "13600" + Unique(""), category = "other", risk = "high" } },
        };

        public object NewReportBody() => new { kind = "phone", value = "13900" + Unique(""), description = "Called about a parcel that never came." };

        public object NewAppealBody() => new
        {
            kind = "phone",
            value = "13800138000",
            appellant = new { name = "王秀英", contact = Unique("appellant") + "@example.com" },
            statement = "这是我开小卖部用了八年的号码。",
            evidence = Array.Empty<object>(),
        };

        public async Task<long> PublishAsync(string agency, string? number = null)
        {
            if (!Fresh && agency == AgencyA)
            {
                return ListId;
            }

            var json = JsonSerializer.Serialize(new
            {
                entries = new[] { new { kind = "phone", value = number ?? "13500" + Unique(""), category = "other", risk = "high" } },
            });
            var outcome = await App.PublishAsync(json, agency, Unique("setup-"));
            return outcome.Result!.ListId;
        }

        public object NewWatchBody() => new
        {
            kind = "phone",
            value = "13800138000",
            email = Unique("owner") + "@example.com",
            statement = "It is my shop's number; call it back.",
        };

        public Task<WatchApi.Subscribed> SubscribeWatchAsync() =>
            Fresh ? WatchApi.SubscribeAsync(App, Unique("owner") + "@example.com") : Task.FromResult(Watch);

        public Task<WatchApi.Subscribed> ConfirmedWatchAsync() =>
            Fresh ? WatchApi.ConfirmedAsync(App, Unique("owner") + "@example.com") : Task.FromResult(Watch);

        public Task<AppealApi.Filed> FileAppealAsync() =>
            Fresh ? AppealApi.FileAsync(App, "13800138000", contact: Unique("appellant") + "@example.com") : Task.FromResult(Appeal);

        public async Task<string> ProtectedDomainAsync()
        {
            if (!Fresh)
            {
                return ProtectedDomain;
            }

            var domain = Unique("protected") + ".example";
            await CreatedIdAsync(await AdminClient.PostAsJsonAsync("/v1/protected", new { kind = "domain", value = domain, reason = "A ministry's domain." }));
            return domain;
        }

        public async Task<long> ProtectAsync() => !Fresh ? ProtectedId :
            await CreatedIdAsync(await AdminClient.PostAsJsonAsync("/v1/protected", new { kind = "domain", value = Unique("protected") + ".example", reason = "A ministry's domain." }));

        public async Task<long> OverrideAsync() => !Fresh ? OverrideId :
            await CreatedIdAsync(await AdminClient.PostAsJsonAsync("/v1/protected/overrides", new { kind = "domain", value = await ProtectedDomainAsync(), reason = "The police confirmed it." }));

        public async Task<long> ReportAsync() => !Fresh ? ReportId : await CreatedIdAsync(await Client.PostAsJsonAsync("/v1/reports", NewReportBody()));

        public async Task<long> NewKeyIdAsync()
        {
            if (!Fresh)
            {
                return KeyId;
            }

            await using var scope = App.Services.CreateAsyncScope();
            var created = await scope.ServiceProvider.GetRequiredService<KeyService>().CreateAsync(new CreateKeyRequest(Unique("revocable"), Roles.App, null, null), "test");
            return created.Id;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            AdminClient.Dispose();
            ReviewerClient.Dispose();
            await App.DisposeAsync();
        }

        private static async Task<long> CreatedIdAsync(HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"Setting up the matrix: {(int)response.StatusCode} {body}");
            return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
        }
    }
}
