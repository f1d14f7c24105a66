using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Keys;
using FlagApi.Lookup;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FlagApi.Feed;

public static class FeedEndpoints
{
    private const string CsvType = "text/csv";

    // How often a long poll looks at the in-memory list version, which the follower moves.
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(100);

    public static IHostApplicationBuilder AddFeed(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<FeedApiLimits>();
        builder.Services.AddOptions<FeedOptions>().BindConfiguration(FeedOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.ExpirySweepInterval >= TimeSpan.FromSeconds(1), "Feed:ExpirySweepInterval must be at least one second.")
            .ValidateOnStart();
        builder.Services.AddScoped<FeedQueries>();
        builder.Services.AddScoped<FeedSnapshotReader>();
        builder.Services.AddSingleton<FeedChecksumCache>();
        builder.Services.AddSingleton<PrefixFeed>();
        builder.Services.AddSingleton<ExpirySweepService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExpirySweepService>());
        builder.Services.AddResponseCompression(options =>
        {
            // The feed carries no secret next to text a caller controls, so compressing over HTTPS gives BREACH nothing to guess.
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ["application/json", CsvType];
        });
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        return builder;
    }

    /// <summary>Compresses the feed's responses (a snapshot may be a million lines); lookups stay uncompressed, as they are small and hot.</summary>
    public static IApplicationBuilder UseFeedCompression(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v1/feed"), feed => feed.UseResponseCompression());

    public static IEndpointRouteBuilder MapFeed(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/feed")
            .WithTags("Feed")
            .RequireAuthorization(Policies.App)
            .WithRateLimitBudget(RateLimitBudget.Lookup)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/changes", ChangesAsync)
            .WithName("FeedChanges")
            .WithSummary("Adds, updates and removals since a list version, in version order")
            .WithDescription(
                "Changes with a version greater than 'since', at most 'limit' (default 1000, at most 10000) per page. " +
                "Apply them in order: add and update put the entry (kind, value) with its category and risk, remove deletes it " +
                "(cleared, retracted or expired). Then ask again with since=toVersion: at once while 'more' is true, else after retryAfterSeconds. " +
                "With wait=N (seconds, up to Feed:MaxWaitSeconds) a caller that is up to date is answered as soon as a change arrives, or empty after N seconds.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/snapshot", SnapshotAsync)
            .WithName("FeedSnapshot")
            .WithSummary("The whole active list at one version (JSON, or CSV with Accept: text/csv)")
            .WithDescription(
                "Entries ordered by kind, then value (UTF-8 byte order). JSON: {version, entries, count, sha256}, count and checksum last. " +
                "CSV: header kind,value,category,risk; the version, count and checksum in the X-List-Version, X-List-Count and X-List-Sha256 headers. " +
                "sha256 is the SHA-256 of the canonical list, lines 'kind\\tvalue\\tcategory\\trisk\\n' in that order (see FeedChecksum). " +
                "ETag is \"v{version}\"; If-None-Match with it answers 304. Compressed with gzip or brotli when the client accepts them.")
            .Produces<SnapshotDocument>(StatusCodes.Status200OK, "application/json", CsvType)
            .Produces(StatusCodes.Status304NotModified);

        group.MapGet("/prefixes", PrefixesAsync)
            .WithName("FeedPrefixes")
            .WithSummary("The active list as 4-byte hash prefixes, Rice coded, for a device's local copy; partial updates from a state")
            .WithDescription(
                "The set is the first 4 bytes of the SHA-256 of every active entry's match key (the hashes of /v1/hashes), de-duplicated. " +
                "additions and removals are Safe Browsing v4 RiceDeltaEncoding objects: additions are prefixes read as little-endian 32-bit " +
                "integers in ascending order; removals are 0-based positions in the client's set as of 'state', sorted by byte order. " +
                "A full answer replaces the set; a partial one removes, then adds. checksum is the SHA-256 of the resulting set's prefixes " +
                "concatenated in byte order: on a mismatch, discard the set and ask without a state. A state the service cannot use " +
                "(unknown, too old) gets a full answer. maxEntries caps the set at the N prefixes of highest risk, then most recent listing. " +
                "On a prefix hit, confirm with POST /v1/hashes: the identifier never leaves the device. Ask again after minimumWaitSeconds.")
            .Produces<PrefixFeedResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> PrefixesAsync(
        [FromQuery] string? state,
        [FromQuery] string? maxEntries,
        HttpContext context,
        PrefixFeed prefixes,
        CancellationToken cancellationToken)
    {
        if (state is { Length: > FeedOptions.MaxPrefixStateLength })
        {
            return ApiProblems.BadRequest(FeedProblemCodes.InvalidState,
                $"'state' is the token of an earlier answer ({FeedOptions.MaxPrefixStateLength} characters at most); leave it out for the whole set.");
        }

        int? cap = null;
        if (maxEntries is not null)
        {
            if (!TryNumber(maxEntries, 1, FeedOptions.MaxPrefixEntries, out var n))
            {
                return ApiProblems.BadRequest(FeedProblemCodes.InvalidMaxEntries,
                    $"'maxEntries' is how many prefixes the device can hold, from 1 to {FeedOptions.MaxPrefixEntries}; '{maxEntries}' is not.");
            }

            cap = (int)n;
        }

        var answer = await prefixes.AnswerAsync(string.IsNullOrWhiteSpace(state) ? null : state.Trim(), cap, cancellationToken);
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.Vary = HeaderNames.AcceptEncoding;

        // Compressed here, once per answer (the middleware leaves a body alone that already has an encoding).
        var body = answer.Json;
        switch (PreferredEncoding(context.Request))
        {
            case "br":
                body = answer.Brotli;
                headers.ContentEncoding = "br";
                break;
            case "gzip":
                body = answer.Gzip;
                headers.ContentEncoding = "gzip";
                break;
        }

        return TypedResults.Bytes(body, "application/json");
    }

    public static async Task<Results<Ok<FeedChangesResponse>, ProblemHttpResult>> ChangesAsync(
        [FromQuery] string? since,
        [FromQuery] string? limit,
        [FromQuery] string? wait,
        FeedQueries feed,
        ListIndex index,
        IOptions<FeedOptions> options,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!TryNumber(since, 0, long.MaxValue, out var from))
        {
            return ApiProblems.BadRequest(FeedProblemCodes.InvalidSince,
                $"'since' is the list version the caller has (0 or more, from a snapshot or the last page's toVersion); '{since}' is not.");
        }

        if (!TryNumber(limit ?? FeedOptions.DefaultLimit.ToString(CultureInfo.InvariantCulture), 1, FeedOptions.MaxLimit, out var size))
        {
            return ApiProblems.BadRequest(FeedProblemCodes.InvalidLimit, $"'limit' is a number of changes from 1 to {FeedOptions.MaxLimit}; '{limit}' is not.");
        }

        if (!TryNumber(wait ?? "0", 0, settings.MaxWaitSeconds, out var waitSeconds))
        {
            return ApiProblems.BadRequest(FeedProblemCodes.InvalidWait, $"'wait' is a number of seconds from 0 to {settings.MaxWaitSeconds}; '{wait}' is not.");
        }

        var page = await feed.ReadChangesAsync(from, (int)size, cancellationToken);
        if (from > page.DatabaseVersion)
        {
            return ApiProblems.BadRequest(FeedProblemCodes.SinceAhead,
                $"'since' is {from} but the list is at version {page.DatabaseVersion}; start again from a snapshot.");
        }

        if (page.Changes.Count == 0 && waitSeconds > 0 && await WaitForChangeAsync(index, from, TimeSpan.FromSeconds(waitSeconds), cancellationToken))
        {
            page = await feed.ReadChangesAsync(from, (int)size, cancellationToken);
        }

        var to = page.Changes.Count > 0 ? page.Changes[^1].Version : from;
        return TypedResults.Ok(new FeedChangesResponse(from, to, page.More, page.Changes, page.More ? 0 : settings.PollSeconds));
    }

    public static async Task<Results<EmptyHttpResult, StatusCodeHttpResult>> SnapshotAsync(
        HttpContext context, FeedSnapshotReader reader, FeedChecksumCache checksums, CancellationToken cancellationToken)
    {
        await using var snapshot = await reader.OpenAsync(cancellationToken);
        var response = context.Response;
        var etag = new EntityTagHeaderValue($"\"v{snapshot.Version.ToString(CultureInfo.InvariantCulture)}\"");
        response.Headers.ETag = etag.ToString();
        response.Headers.CacheControl = "no-cache";
        response.Headers.Vary = HeaderNames.Accept;
        response.Headers["X-List-Version"] = snapshot.Version.ToString(CultureInfo.InvariantCulture);
        if (context.Request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } ifNoneMatch
            && ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        if (WantsCsv(context.Request))
        {
            var summary = checksums.Find(snapshot.Version) ?? await SummarizeAsync(snapshot, cancellationToken);
            checksums.Remember(summary);
            response.Headers["X-List-Count"] = summary.Count.ToString(CultureInfo.InvariantCulture);
            response.Headers["X-List-Sha256"] = summary.Sha256;
            await WriteCsvAsync(response, snapshot, cancellationToken);
        }
        else
        {
            checksums.Remember(await WriteJsonAsync(response, snapshot, cancellationToken));
        }

        return TypedResults.Empty;
    }

    /// <summary>True once the in-memory list has moved past <paramref name="since"/>; false when the wait ran out.</summary>
    private static async Task<bool> WaitForChangeAsync(ListIndex index, long since, TimeSpan wait, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (index.Version <= since)
        {
            if (Stopwatch.GetElapsedTime(started) >= wait)
            {
                return false;
            }

            await Task.Delay(WaitStep, cancellationToken);
        }

        return true;
    }

    private static async Task<FeedChecksumCache.Summary> SummarizeAsync(FeedSnapshot snapshot, CancellationToken cancellationToken)
    {
        using var checksum = new FeedChecksum.Builder();
        await foreach (var row in snapshot.ReadRowsAsync(cancellationToken))
        {
            checksum.Append(row.Kind, row.Value, row.Category, row.Risk);
        }

        return new FeedChecksumCache.Summary(snapshot.Version, checksum.Count, checksum.Finish());
    }

    private static async Task<FeedChecksumCache.Summary> WriteJsonAsync(HttpResponse response, FeedSnapshot snapshot, CancellationToken cancellationToken)
    {
        const int FlushBytes = 32 * 1024;
        response.ContentType = "application/json; charset=utf-8";
        using var checksum = new FeedChecksum.Builder();
        await using var json = new Utf8JsonWriter(response.Body);
        json.WriteStartObject();
        json.WriteNumber("version", snapshot.Version);
        json.WriteStartArray("entries");
        await foreach (var row in snapshot.ReadRowsAsync(cancellationToken))
        {
            checksum.Append(row.Kind, row.Value, row.Category, row.Risk);
            json.WriteStartObject();
            json.WriteString("kind", row.Kind);
            json.WriteString("value", row.Value);
            json.WriteString("category", row.Category);
            json.WriteString("risk", row.Risk);
            json.WriteEndObject();
            if (json.BytesPending >= FlushBytes)
            {
                await json.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        var summary = new FeedChecksumCache.Summary(snapshot.Version, checksum.Count, checksum.Finish());
        json.WriteNumber("count", summary.Count);
        json.WriteString("sha256", summary.Sha256);
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
        return summary;
    }

    private static async Task WriteCsvAsync(HttpResponse response, FeedSnapshot snapshot, CancellationToken cancellationToken)
    {
        response.ContentType = "text/csv; charset=utf-8";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteAsync("kind,value,category,risk\r\n");
        await foreach (var row in snapshot.ReadRowsAsync(cancellationToken))
        {
            await writer.WriteAsync(string.Concat(row.Kind, ",", Csv(row.Value), ",", row.Category, ",", row.Risk, "\r\n"));
        }
    }

    // Values go out exactly as they are canonical (no spreadsheet-formula guard, which would change '+86…'):
    // this CSV is for programs keeping a copy, and only quotes what RFC 4180 requires.
    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>br or gzip as the request's Accept-Encoding prefers them (br on a tie), or null for neither.</summary>
    private static string? PreferredEncoding(HttpRequest request)
    {
        var accepted = request.GetTypedHeaders().AcceptEncoding;
        double Quality(string coding) =>
            (accepted.FirstOrDefault(a => a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase))
                ?? accepted.FirstOrDefault(a => a.Value == "*")) is { } named ? named.Quality ?? 1 : 0;

        var (br, gzip) = (Quality("br"), Quality("gzip"));
        return br > 0 && br >= gzip ? "br" : gzip > 0 ? "gzip" : null;
    }

    private static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept is { Count: > 0 } accept
        && accept.FirstOrDefault(a => a.MediaType.Equals(CsvType, StringComparison.OrdinalIgnoreCase)) is { } csv
        && !accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && (a.Quality ?? 1) > (csv.Quality ?? 1));

    private static bool TryNumber(string? text, long min, long max, out long value)
    {
        value = 0;
        return !string.IsNullOrWhiteSpace(text)
            && long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max;
    }
}
