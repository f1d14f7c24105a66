using System.Text.Json.Nodes;
using FlagApi.Appeals;
using FlagApi.Entries;
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
        Limit? Each = null);

    private static Limit Text(int maxLength) => new(_ => maxLength);

    private static Limit Text(Func<IServiceProvider, long> maxLength, string? format = null) => new(maxLength, Format: format);

    private static Limit OneOf(Func<IReadOnlyCollection<string>> values) => new(Enum: values);

    private static Limit OneOf<T>() where T : struct, Enum => new(Enum: WireNames.All<T>);

    private static Limit Items(int maxItems) => new(MaxItems: _ => maxItems);

    private static Limit Items<TOptions>(Func<TOptions, long> maxItems) where TOptions : class =>
        new(MaxItems: services => maxItems(services.GetRequiredService<IOptions<TOptions>>().Value));

    private static long Option<TOptions>(IServiceProvider services, Func<TOptions, long> read) where TOptions : class =>
        read(services.GetRequiredService<IOptions<TOptions>>().Value);

    private static readonly Limit IdentifierKinds = OneOf(() => [.. Enum.GetValues<IdentifierKind>().Select(k => k.ToWire())]);

    private static readonly Limit IdentifierValue = Text(services => Option<IdentifierOptions>(services, o => o.MaxInputLength));

    private static readonly Limit EvidenceType = OneOf(() => ["text", "link"]);

    private static readonly Limit Date = new(_ => 10, Pattern: @"^\d{4}-\d{2}-\d{2}$", Format: "date");

    private static readonly Limit HashPrefix = new(_ => IdentifierHash.PrefixLength, Pattern: $"^[0-9a-fA-F]{{{IdentifierHash.PrefixLength}}}$");

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
    };

    /// <summary>Parameters of one operation, by operation id and name.</summary>
    private static readonly Dictionary<(string Operation, string Parameter), Limit> Parameters = new()
    {
        [("PublishList", "mode")] = OneOf(() => ["all", "partial"]),
        [("PublishList", "reference")] = Text(ListEndpoints.MaxReferenceLength),
        [("PublishList", "title")] = Text(ListEndpoints.MaxTitleLength),
        [("PublishList", "publishedOn")] = Date,
        [("Unprotect", "reason")] = Text(ProtectionService.MaxReasonLength),
        [("RemoveProtectionOverride", "reason")] = Text(ProtectionService.MaxReasonLength),
        [("HashesForPrefix", "prefix")] = HashPrefix,
        [("LookupOne", "value")] = IdentifierValue,
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
            var kestrel = services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
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

                // Free text in the URL or a header is bounded by what Kestrel reads of a request: a longer one is refused
                // (414, 431) before routing.
                if (IsString(schema) && schema.MaxLength is null && schema.Enum is null)
                {
                    schema.MaxLength = parameter.In == ParameterLocation.Header
                        ? (int)Math.Min(int.MaxValue, kestrel.MaxRequestHeadersTotalSize)
                        : (int)Math.Min(int.MaxValue, kestrel.MaxRequestLineSize);
                }
            }

            return Task.CompletedTask;
        });
    }

    private static void Apply(OpenApiSchema schema, Limit limit, IServiceProvider services)
    {
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

        var (minimum, maximum) = (Nullable.GetUnderlyingType(type ?? typeof(long)) ?? type ?? typeof(long)) switch
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

    private static bool IsString(OpenApiSchema schema) => schema.Type is { } type && type.HasFlag(JsonSchemaType.String);
}
