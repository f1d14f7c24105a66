using System.Text.Json.Nodes;
using FlagApi.Data;
using FlagApi.Appeals;
using FlagApi.Entries;
using FlagApi.Feed;
using FlagApi.Hashes;
using FlagApi.Identifiers;
using FlagApi.Keys;
using FlagApi.Lists;
using FlagApi.Lookup;
using FlagApi.Problems;
using FlagApi.Protection;
using FlagApi.Reports;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace FlagApi;

/// <summary>
/// The sizes and vocabularies the service enforces on what clients send, written into the OpenAPI
/// document so it says what the validation code does (Spectral's OWASP rules, API4:2023, ask every
/// string, array and integer a client sends to be bounded). Each limit is the constant or option the
/// validation reads, never a number of its own; <c>ApiDocsLimitsTests</c> sends one over to prove it.
/// A field missing here fails <c>.ci/run</c>'s lint rather than being given a made-up bound.
/// </summary>
internal static class ApiDocsLimits
{
    private sealed record Limit(
        Func<IServiceProvider, long>? MaxLength = null,
        Func<IReadOnlyCollection<string>>? Enum = null,
        Func<IServiceProvider, long>? MaxItems = null,
        string? Pattern = null,
        string? Format = null,
        Limit? Each = null,
        JsonSchemaType? Type = null,
        Func<IServiceProvider, long>? Minimum = null,
        Func<IServiceProvider, long>? Maximum = null,
        bool MinimumExclusive = false);

    private static Limit Text(int maxLength) => new(_ => maxLength);

    private static Limit Text(Func<IServiceProvider, long> maxLength, string? format = null) => new(maxLength, Format: format);

    private static Limit OneOf(Func<IReadOnlyCollection<string>> values) => new(Enum: values);

    private static Limit OneOf<T>() where T : struct, Enum => new(Enum: WireNames.All<T>);

    /// <summary>A number the handler reads from the query's text (so a bad one gets its own 400), documented as the number it is.</summary>
    private static Limit Number(long minimum, long maximum) => new(Type: JsonSchemaType.Integer, Minimum: _ => minimum, Maximum: _ => maximum);

    private static Limit Number<TOptions>(long minimum, Func<TOptions, long> maximum) where TOptions : class =>
        new(Type: JsonSchemaType.Integer, Minimum: _ => minimum, Maximum: services => Option<TOptions>(services, maximum));

    private static readonly Limit Boolean = new(Type: JsonSchemaType.Boolean);

    private static Limit Items(int maxItems) => new(MaxItems: _ => maxItems);

    private static Limit Items<TOptions>(Func<TOptions, long> maxItems) where TOptions : class =>
        new(MaxItems: services => Option(services, maxItems));

    private static long Option<TOptions>(IServiceProvider services, Func<TOptions, long> read) where TOptions : class =>
        read(services.GetRequiredService<IOptions<TOptions>>().Value);

    private static readonly Limit IdentifierKinds = OneOf(() => [.. Enum.GetValues<IdentifierKind>().Select(k => k.ToWire())]);

    private static readonly Limit IdentifierValue = Text(services => Option<IdentifierOptions>(services, o => o.MaxInputLength));

    private static readonly Limit EvidenceType = OneOf(() => ["text", "link"]);

    /// <summary>The report queue's age filters: hours, more than 0 and at most ten years.</summary>
    private static readonly Limit Hours = new(Type: JsonSchemaType.Number, Minimum: _ => 0, Maximum: _ => 24 * 366 * 10, MinimumExclusive: true);

    private static readonly Limit Date = new(_ => 10, Pattern: @"^\d{4}-\d{2}-\d{2}$", Format: "date");

    private static readonly Limit HashPrefix = new(_ => IdentifierHash.PrefixLength, Pattern: $"^[0-9a-fA-F]{{{IdentifierHash.PrefixLength}}}$");

    /// <summary>
    /// Free text in the URL that no handler bounds: a filter that matches nothing when too long, or a tracking code
    /// a person may space out as they like. A request target longer than this is refused (414 uri_too_long) before routing.
    /// </summary>
    private static readonly Limit BoundByRequestLine = Text(services => services.GetRequiredService<RequestSizeLimits>().MaxRequestTargetBytes);

    /// <summary>
    /// Made by <see cref="AppealSecrets.NewAccessToken"/> (grouped, typed in any case with spaces and dashes) or an old
    /// <c>at_</c> token; any other text, or a longer one, is no token (404 appeal_not_found).
    /// </summary>
    private static readonly Limit AccessToken = new(
        _ => AppealSecrets.MaxTokenInputLength,
        Pattern: $"^(at_[A-Za-z0-9_-]+|[{AppealSecrets.TokenInputCharacters}]+)$");

    /// <summary>Only the request body limit bounds these: a value longer than the body cannot arrive.</summary>
    private static readonly Limit BoundByBody = Text(services => Option<LimitsOptions>(services, o => o.MaxRequestBodyBytes));

    private static readonly Limit DateTimeInList = Text(services => Option<LimitsOptions>(services, o => o.MaxListBodyBytes), "date-time");

    /// <summary>Members of request bodies, by record and JSON name.</summary>
    private static readonly Dictionary<(Type Record, string Member), Limit> Members = new()
    {
        [(typeof(BatchLookupRequest), "items")] = Items<LookupOptions>(o => o.MaxBatchItems),
        [(typeof(BatchLookupItem), "kind")] = IdentifierKinds,
        [(typeof(BatchLookupItem), "value")] = IdentifierValue,

        // A prefix that is not one is an error in its place in the answer, not a 400 for the batch.
        [(typeof(HashBatchRequest), "prefixes")] = Items<HashesOptions>(o => o.MaxPrefixes) with { Each = HashPrefix },

        [(typeof(ListUploadRequest), "reference")] = Text(ListEndpoints.MaxReferenceLength),
        [(typeof(ListUploadRequest), "title")] = Text(ListEndpoints.MaxTitleLength),
        [(typeof(ListUploadRequest), "publishedOn")] = Date,
        [(typeof(ListUploadRequest), "entries")] = Items<ListsOptions>(o => o.MaxRows),
        [(typeof(ListUploadRow), "kind")] = IdentifierKinds,
        [(typeof(ListUploadRow), "value")] = IdentifierValue,
        [(typeof(ListUploadRow), "category")] = OneOf<Category>(),
        [(typeof(ListUploadRow), "risk")] = OneOf<Risk>(),
        [(typeof(ListUploadRow), "note")] = Text(ListImporter.MaxNoteLength),
        [(typeof(ListUploadRow), "expiresAt")] = DateTimeInList,
        [(typeof(RetractRequest), "reason")] = Text(ListEndpoints.MaxReasonLength),

        [(typeof(CreateKeyRequest), "name")] = Text(KeyService.MaxNameLength),
        [(typeof(CreateKeyRequest), "role")] = OneOf(() => Roles.All),
        [(typeof(CreateKeyRequest), "agency")] = Text(KeyService.MaxAgencyLength),
        [(typeof(CreateKeyRequest), "tier")] = BoundByBody,

        [(typeof(ProtectRequest), "kind")] = IdentifierKinds,
        [(typeof(ProtectRequest), "value")] = IdentifierValue,
        [(typeof(ProtectRequest), "reason")] = Text(ProtectionService.MaxReasonLength),
        [(typeof(OverrideRequest), "kind")] = IdentifierKinds,
        [(typeof(OverrideRequest), "value")] = IdentifierValue,
        [(typeof(OverrideRequest), "reason")] = Text(ProtectionService.MaxReasonLength),

        [(typeof(ReportRequest), "kind")] = IdentifierKinds,
        [(typeof(ReportRequest), "value")] = IdentifierValue,
        [(typeof(ReportRequest), "category")] = OneOf<Category>(),
        [(typeof(ReportRequest), "description")] = Text(ReportSubmissionService.MaxDescriptionLength),
        [(typeof(ReportRequest), "occurredAt")] = BoundByBody with { Format = "date-time" },
        [(typeof(ReportRequest), "evidence")] = Items(ReportSubmissionService.MaxEvidenceItems),
        [(typeof(ReportRequest), "reporterId")] = Text(ReportSubmissionService.MaxReporterIdLength),
        [(typeof(ReportEvidenceItem), "type")] = EvidenceType,
        [(typeof(ReportEvidenceItem), "text")] = Text(ReportSubmissionService.MaxEvidenceTextLength),
        [(typeof(ReportEvidenceItem), "url")] = Text(_ => ReportSubmissionService.MaxLinkLength, "uri"),
        [(typeof(ReportDecisionRequest), "decision")] = OneOf(() => ["accept", "reject"]),
        [(typeof(ReportDecisionRequest), "category")] = OneOf<Category>(),
        [(typeof(ReportDecisionRequest), "risk")] = OneOf<Risk>(),
        [(typeof(ReportDecisionRequest), "reason")] = Text(ReportReviewEndpoints.MaxReasonLength),

        [(typeof(AppealRequest), "kind")] = IdentifierKinds,
        [(typeof(AppealRequest), "value")] = IdentifierValue,
        [(typeof(AppealRequest), "statement")] = Text(AppealSubmissionService.MaxStatementLength),
        [(typeof(AppealRequest), "evidence")] = Items(AppealSubmissionService.MaxEvidenceItems),
        [(typeof(AppealRequest), "attachments")] = Items<AppealsOptions>(o => o.MaxAttachments),
        [(typeof(AppellantDetails), "name")] = Text(AppealSubmissionService.MaxNameLength),
        [(typeof(AppellantDetails), "contact")] = Text(AppealSubmissionService.MaxContactLength),
        [(typeof(EvidenceItem), "type")] = EvidenceType,
        [(typeof(EvidenceItem), "text")] = Text(AppealSubmissionService.MaxEvidenceTextLength),
        [(typeof(EvidenceItem), "url")] = Text(_ => AppealSubmissionService.MaxLinkLength, "uri"),
        [(typeof(AttachmentUpload), "fileName")] = Text(AppealSubmissionService.MaxFileNameLength),

        // Base64 of at most Appeals:MaxAttachmentBytes bytes: four characters for every three bytes.
        [(typeof(AttachmentUpload), "contentBase64")] = Text(
            services => (Option<AppealsOptions>(services, o => o.MaxAttachmentBytes) + 2) / 3 * 4, "byte"),
        [(typeof(AppealMessageRequest), "message")] = Text(AppealSubmissionService.MaxMessageLength),
        [(typeof(AppealMessageRequest), "attachments")] = Items<AppealsOptions>(o => o.MaxAttachments),
        [(typeof(AppealWithdrawRequest), "reason")] = Text(AppealSubmissionService.MaxReasonLength),

        [(typeof(AssignRequest), "reviewer")] = Text(ReviewService.MaxReviewerLength),
        [(typeof(RequestInfoRequest), "message")] = Text(ReviewService.MaxReasonLength),
        [(typeof(DecisionRequest), "decision")] = OneOf(() => ["approve", "reject"]),
        [(typeof(DecisionRequest), "reason")] = Text(ReviewService.MaxReasonLength),
        [(typeof(DecisionRequest), "verification")] = OneOf<Verification>(),
        [(typeof(DecisionRequest), "note")] = Text(ReviewService.MaxNoteLength),
        [(typeof(BulkDecisionRequest), "appealIds")] = Items<AppealsOptions>(o => o.MaxBulkDecision),
        [(typeof(BulkDecisionRequest), "decision")] = OneOf(() => ["approve", "reject"]),
        [(typeof(BulkDecisionRequest), "reason")] = Text(ReviewService.MaxReasonLength),
        [(typeof(BulkDecisionRequest), "verification")] = OneOf<Verification>(),
        [(typeof(BulkDecisionRequest), "note")] = Text(ReviewService.MaxNoteLength),
        [(typeof(BulkDecisionFilter), "status")] = OneOf<AppealStatus>(),
        [(typeof(BulkDecisionFilter), "kind")] = IdentifierKinds,
    };

    /// <summary>Parameters whose name means the same on every operation.</summary>
    private static readonly Dictionary<string, Limit> ParametersByName = new()
    {
        ["kind"] = IdentifierKinds,
        ["category"] = OneOf<Category>(),
        ["page"] = Number(1, int.MaxValue),
        ["X-Appeal-Token"] = AccessToken,
        ["trackingCode"] = BoundByRequestLine,
        [HashEndpoints.PaddingHeader] = Boolean,
    };

    /// <summary>Parameters of one operation, by operation id and name.</summary>
    private static readonly Dictionary<(string Operation, string Parameter), Limit> Parameters = new()
    {
        [("LookupOne", "value")] = IdentifierValue,
        [("HashesForPrefix", "prefix")] = HashPrefix,

        [("FeedChanges", "since")] = Number(0, long.MaxValue),
        [("FeedChanges", "limit")] = Number(1, FeedOptions.MaxLimit),
        [("FeedChanges", "wait")] = Number<FeedOptions>(0, o => o.MaxWaitSeconds),

        [("PublishList", "mode")] = OneOf(() => ["all", "partial"]),
        [("PublishList", "reference")] = Text(ListEndpoints.MaxReferenceLength),
        [("PublishList", "title")] = Text(ListEndpoints.MaxTitleLength),
        [("PublishList", "publishedOn")] = Date,
        [("ListLists", "agency")] = BoundByRequestLine,
        [("ListLists", "pageSize")] = Number(1, ListEndpoints.MaxPageSize),
        [("GetList", "pageSize")] = Number(1, ListEndpoints.MaxPageSize),

        [("SearchEntries", "status")] = OneOf<EntryStatus>(),
        [("SearchEntries", "source")] = OneOf(() => SourceTypes.All),
        [("SearchEntries", "q")] = Text(EntryQueries.MaxTextLength),
        [("SearchEntries", "pageSize")] = Number(1, EntryQueries.MaxPageSize),

        [("ListProtected", "limit")] = Number(1, ProtectionService.MaxPageSize),
        [("ListProtected", "after")] = Number(0, long.MaxValue),
        [("ListProtectionOverrides", "limit")] = Number(1, ProtectionService.MaxPageSize),
        [("ListProtectionOverrides", "after")] = Number(0, long.MaxValue),
        [("Unprotect", "reason")] = Text(ProtectionService.MaxReasonLength),
        [("RemoveProtectionOverride", "reason")] = Text(ProtectionService.MaxReasonLength),

        [("GetAppealQueue", "status")] = OneOf<AppealStatus>(),
        [("GetAppealQueue", "overdue")] = Boolean,
        [("GetAppealQueue", "listId")] = Number(1, long.MaxValue),
        [("GetAppealQueue", "assignedTo")] = BoundByRequestLine,
        [("GetAppealQueue", "pageSize")] = Number(1, ReviewQueries.MaxPageSize),

        [("GetReportQueue", "status")] = OneOf(() => ReportStatuses.All),
        [("GetReportQueue", "maxAgeHours")] = Hours,
        [("GetReportQueue", "minAgeHours")] = Hours,
        [("GetReportQueue", "pageSize")] = Number(1, ReportReviewQueries.MaxPageSize),
    };

    public static void Describe(OpenApiOptions options)
    {
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonPropertyInfo is { DeclaringType: var record, Name: var member }
                && Members.TryGetValue((record, member), out var limit))
            {
                Apply(schema, limit, context.ApplicationServices);
            }

            BoundInteger(schema, context.JsonTypeInfo.Type);
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var services = context.ApplicationServices;
            foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
            {
                if (parameter.Schema is not OpenApiSchema schema || parameter.Name is not { } name)
                {
                    continue;
                }

                if (Parameters.TryGetValue((operation.OperationId ?? string.Empty, name), out var limit)
                    || ParametersByName.TryGetValue(name, out limit))
                {
                    Apply(schema, limit, services);
                }

                BoundInteger(schema, context.Description.ParameterDescriptions.FirstOrDefault(p => p.Name == name)?.Type);
            }

            return Task.CompletedTask;
        });
    }

    private static void Apply(OpenApiSchema schema, Limit limit, IServiceProvider services)
    {
        if (limit.Type is { } type)
        {
            // Keep "null" where the schema had it: these parameters are optional.
            schema.Type = type | ((schema.Type ?? 0) & JsonSchemaType.Null);
            schema.Pattern = null;
            schema.MaxLength = null;
            schema.Format = type == JsonSchemaType.Number ? "double" : null;
        }

        if (limit.Minimum is { } minimum)
        {
            var text = minimum(services).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (limit.MinimumExclusive)
            {
                schema.ExclusiveMinimum = text;
            }
            else
            {
                schema.Minimum = text;
            }
        }

        if (limit.Maximum is { } maximum)
        {
            var most = maximum(services);
            schema.Maximum = most.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (limit.Type == JsonSchemaType.Integer)
            {
                schema.Format = most > int.MaxValue ? "int64" : "int32";
            }
        }

        if (limit.MaxLength is { } maxLength)
        {
            schema.MaxLength = (int)Math.Min(int.MaxValue, maxLength(services));
        }

        if (limit.Enum is { } values)
        {
            schema.Enum = [.. values().Order(StringComparer.Ordinal).Select(v => (JsonNode)JsonValue.Create(v))];
        }

        if (limit.MaxItems is { } maxItems)
        {
            schema.MaxItems = (int)Math.Min(int.MaxValue, maxItems(services));
        }

        if (limit.Pattern is { } pattern)
        {
            schema.Pattern = pattern;
        }

        if (limit.Format is { } format)
        {
            schema.Format = format;
        }

        if (limit.Each is { } each && schema.Items is OpenApiSchema items)
        {
            Apply(items, each, services);
        }
    }

    /// <summary>
    /// An integer is refused outside its .NET type's range (the JSON reader and the route constraint cannot
    /// hold it). Read from strings too, its text is at most the type's longest: the sign and the digits.
    /// </summary>
    private static void BoundInteger(OpenApiSchema schema, Type? type)
    {
        if (schema.Type is not { } kind || !kind.HasFlag(JsonSchemaType.Integer))
        {
            return;
        }

        var clr = type is null ? typeof(long) : Nullable.GetUnderlyingType(type) ?? type;
        var (minimum, maximum) = clr switch
        {
            var t when t == typeof(int) => ((long)int.MinValue, (long)int.MaxValue),
            var t when t == typeof(short) => (short.MinValue, short.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        schema.Format ??= maximum > int.MaxValue ? "int64" : "int32";
        schema.Minimum ??= minimum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        schema.Maximum ??= maximum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (kind.HasFlag(JsonSchemaType.String))
        {
            schema.MaxLength ??= minimum.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        }
    }
}
