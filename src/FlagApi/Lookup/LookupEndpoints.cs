using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;
using FlagApi.Entries;
using FlagApi.Observability;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using FlagApi.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlagApi.Lookup;

public static class LookupEndpoints
{
    public static IHostApplicationBuilder AddLookup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<LookupApiLimits>();
        builder.Services.AddOptions<Identifiers.IdentifierOptions>()
            .BindConfiguration("Identifiers")
            .Validate(o => o.MaxInputLength is > 0 and <= 65_536, "Identifiers:MaxInputLength must be between 1 and 65536.")
            .Validate(
                o => Identifiers.Phones.IsKnownRegion(o.DefaultPhoneRegion),
                "Identifiers:DefaultPhoneRegion must be an ISO 3166-1 alpha-2 region that libphonenumber knows, such as CN, HK or US.")
            .ValidateOnStart();
        builder.Services.AddOptions<LookupOptions>()
            .BindConfiguration(LookupOptions.Section)
            .ValidateDataAnnotations()
            .Validate(
                o => !o.PublishSnapshot || !string.IsNullOrWhiteSpace(o.SnapshotFile),
                "Lookup:PublishSnapshot publishes the saved snapshot file: set Lookup:SnapshotFile, or set Lookup:PublishSnapshot to false.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ListIndex>();
        builder.Services.AddSingleton<IListFigures>(sp => sp.GetRequiredService<ListIndex>());
        builder.Services.AddSingleton<FlagApi.Data.IServedListVersion>(sp => sp.GetRequiredService<ListIndex>());
        builder.Services.AddSingleton<ListIndexFollower>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ListIndexFollower>());
        builder.Services.AddSingleton<IChangeFollower>(sp => sp.GetRequiredService<ListIndexFollower>());
        builder.Services.AddSingleton<IListVersionFollower>(sp => sp.GetRequiredService<ListIndexFollower>());
        builder.Services.AddSingleton<ListNotices>();
        builder.Services.AddSingleton<FlagNoticeBuilder>();
        builder.Services.AddSingleton<LookupService>();
        builder.Services.AddSingleton<LookupDirectPathFigures>();
        builder.Services.AddHostedService<IdentifierRulesWarmup>();
        return builder;
    }

    public static IEndpointRouteBuilder MapLookup(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/lookup").WithTags("Lookup").WithRateLimitBudget(RateLimitBudget.Lookup).AllowLookupOrigins();

        group.MapGet("/{kind}", LookupOne)
            .WithName("LookupOne")
            .WithSummary("Look one identifier up")
            .WithDescription("Canonicalizes the value by the rules of its kind and matches it against the flagged list. Kinds: phone, url, domain, app, account. Phone numbers follow libphonenumber for every country (E.164; China's short service and 106 SMS sender numbers as +86 and their digits); a phone answer also carries `phone`: the type of line, the region, a virtual-operator range and whether the reference data knows the range. A flagged answer carries `notice`: who listed it, why, whom to contact, how to appeal, the proof that helps and the decision time promised, in plain words in the language of Accept-Language (zh or en; zh by default).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/", LookupBatch)
            .WithName("LookupBatch")
            .WithSummary("Look up to 1,000 identifiers of mixed kinds up at once")
            .WithDescription("Results come in the order of the items; an item that cannot be looked up gets an error in its place instead of failing the batch. A flagged item carries `notice` as a single lookup does, in the language of Accept-Language (zh or en; zh by default).")
            .Accepts<BatchLookupRequest>("application/json")
            .WithMetadata(new RequestBodyLimit(RequestBodyLimit.BatchLookup))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    public static Results<LookupJsonResult<LookupResponse>, ProblemHttpResult> LookupOne(
        string kind, [FromQuery] string? value, HttpRequest request, LookupService lookup, ListIndex index, FlagApiMetrics metrics)
    {
        EnsureLoaded(index);
        var (response, error) = lookup.Lookup(kind, value, FlagNoticeBuilder.LanguageOf(request));
        metrics.RecordLookup(response?.Kind ?? kind, response?.Verdict);
        return response is not null ? new LookupJsonResult<LookupResponse>(response) : ApiProblems.BadRequest(error!.Code, error.Detail);
    }

    public static Results<LookupJsonResult<BatchLookupResponse>, ProblemHttpResult> LookupBatch(
        BatchLookupRequest request, HttpRequest http, LookupService lookup, ListIndex index, IOptions<LookupOptions> options, FlagApiMetrics metrics)
    {
        EnsureLoaded(index);
        var max = options.Value.MaxBatchItems;
        if (request.Items is not { Count: > 0 } items)
        {
            return ApiProblems.BadRequest(ProblemCodes.EmptyBatch, $"The batch needs an 'items' array of 1 to {max} {{kind, value}} items.");
        }

        if (items.Count > max)
        {
            return ApiProblems.BadRequest(ProblemCodes.TooManyItems, $"The batch holds {items.Count} items; at most {max} are accepted per request.");
        }

        var language = FlagNoticeBuilder.LanguageOf(http);
        var results = new BatchLookupResult[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is null)
            {
                results[i] = new BatchLookupResult(null, null, Error: new ItemError(ProblemCodes.MissingValue, "The item is null; each item is {kind, value}."));
                continue;
            }

            var (response, error) = lookup.Lookup(item.Kind, item.Value, language);
            results[i] = response is null
                ? new BatchLookupResult(item.Kind, item.Value, Error: error)
                : new BatchLookupResult(
                    response.Kind, response.Query, response.Canonical, response.Verdict, response.Flagged, response.Matches, response.Reports,
                    Protected: response.Protected, Phone: response.Phone, Notice: response.Notice);
        }

        metrics.RecordLookups(results);
        return new LookupJsonResult<BatchLookupResponse>(new BatchLookupResponse(results, lookup.ListVersion));
    }

    internal static void EnsureLoaded(ListIndex index)
    {
        if (!index.IsLoaded)
        {
            throw new ProblemException(StatusCodes.Status503ServiceUnavailable, ProblemCodes.ListNotLoaded,
                "The flagged list is still loading", "The service is starting and has not loaded the flagged list yet; try again in a few seconds.");
        }
    }
}

/// <summary>A 200 answer written by <see cref="LookupJson"/>; described to OpenAPI as the serializer's <c>Ok&lt;T&gt;</c> would be.</summary>
public sealed class LookupJsonResult<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
    where T : class
{
    /// <summary>A notice is written in the language the request asked for; said once, whichever path answers.</summary>
    internal static void VaryByLanguage(IHeaderDictionary headers)
    {
        if (!headers.Vary.Any(v => v is not null && v.Contains("Accept-Language", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Append(Microsoft.Net.Http.Headers.HeaderNames.Vary, "Accept-Language");
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? writer;

    internal LookupJsonResult(T value) => Value = value;

    public T Value { get; }

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "IEndpointMetadataProvider's member is static by definition.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var bytes = buffer ??= new ArrayBufferWriter<byte>(4096);
        bytes.ResetWrittenCount();
        var json = writer ??= new Utf8JsonWriter(bytes, WriterOptions(httpContext));
        json.Reset(bytes);
        switch (Value)
        {
            case LookupResponse one:
                LookupJson.Write(json, one);
                break;
            case BatchLookupResponse batch:
                LookupJson.Write(json, batch);
                break;
            default:
                throw new InvalidOperationException($"{typeof(T).Name} has no direct writer.");
        }

        json.Flush();
        var response = httpContext.Response;
        if (Value is LookupResponse { Notice: not null } || (Value is BatchLookupResponse batchAnswer && batchAnswer.Results.Any(r => r.Notice is not null)))
        {
            VaryByLanguage(response.Headers);
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = bytes.WrittenCount;
        var written = response.BodyWriter.WriteAsync(bytes.WrittenMemory);

        // A large batch answer is not kept per thread: the next one gets a fresh, small buffer.
        if (bytes.Capacity > 1 << 20)
        {
            buffer = null;
            writer = null;
        }

        return written.IsCompletedSuccessfully ? Task.CompletedTask : written.AsTask();
    }

    private static JsonWriterOptions WriterOptions(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        return new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented, MaxDepth = options.MaxDepth, SkipValidation = true };
    }
}
