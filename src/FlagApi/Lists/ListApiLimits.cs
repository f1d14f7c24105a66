using FlagApi.Problems;
using FlagApi.Data;

namespace FlagApi.Lists;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): Publishing a list (as JSON or as CSV with its details in the query), the lists, retraction.</summary>
internal sealed class ListApiLimits : ApiDeclaration
{
    private static readonly Limit DateTimeInList = Text(services => Option<LimitsOptions>(services, o => o.MaxListBodyBytes), "date-time");

    public override IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; } = new Dictionary<(Type Record, string Member), Limit>
    {
        [(typeof(ListUploadRequest), "reference")] = Text(ListEndpoints.MaxReferenceLength),
        [(typeof(ListUploadRequest), "title")] = Text(ListEndpoints.MaxTitleLength),
        [(typeof(ListUploadRequest), "publishedOn")] = Date,
        [(typeof(ListUploadRequest), "entries")] = Items<ListsOptions>(o => o.MaxRows),
        [(typeof(ListUploadRequest), "noticeReason")] = Text(ListImporter.MaxNoticeReasonLength),
        [(typeof(ListUploadRequest), "noticeContact")] = Text(ListImporter.MaxNoticeContactLength),
        [(typeof(ListUploadRow), "kind")] = IdentifierKinds,
        [(typeof(ListUploadRow), "value")] = IdentifierValue,
        [(typeof(ListUploadRow), "category")] = OneOf(WireNames.All<Category>),
        [(typeof(ListUploadRow), "risk")] = OneOf(WireNames.All<Risk>),
        [(typeof(ListUploadRow), "note")] = Text(ListImporter.MaxNoteLength),
        [(typeof(ListUploadRow), "expiresAt")] = DateTimeInList,
        [(typeof(RetractRequest), "reason")] = Text(ListEndpoints.MaxReasonLength),
    };

    public override IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; } = new Dictionary<(string Operation, string Parameter), Limit>
    {
        [("PublishList", "mode")] = OneOf(() => ["all", "partial"]),
        [("PublishList", "reference")] = Text(ListEndpoints.MaxReferenceLength),
        [("PublishList", "title")] = Text(ListEndpoints.MaxTitleLength),
        [("PublishList", "publishedOn")] = Date,
        [("PublishList", "noticeReason")] = Text(ListImporter.MaxNoticeReasonLength),
        [("PublishList", "noticeContact")] = Text(ListImporter.MaxNoticeContactLength),
        [("ListLists", "agency")] = BoundByRequestLine,
        [("ListLists", "pageSize")] = Number(1, ListEndpoints.MaxPageSize),
        [("GetList", "pageSize")] = Number(1, ListEndpoints.MaxPageSize),
    };

    /// <summary>A publisher retracts only its own agency's lists.</summary>
    public override IReadOnlyDictionary<string, string> OwnerRefusals { get; } = new Dictionary<string, string>
    {
        ["RetractList"] = ProblemCodes.NotYourList,
    };
}
