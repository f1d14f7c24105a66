using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlagApi.Data;

namespace FlagApi.Lists;

/// <summary>
/// The answer to a list upload, recorded with the list so that re-sending the same list (a retry
/// after a dropped connection) returns exactly this again instead of publishing twice.
/// </summary>
public sealed record ListUploadResult(
    long Id,
    string Agency,
    string Reference,
    string? Title,
    DateOnly? PublishedOn,
    DateTime PublishedAt,
    int Rows,
    int Entries,
    int Added,
    int Reflagged,
    int Updated,
    int AlreadyFlagged,
    int Duplicates,
    IReadOnlyList<RowError> Rejected,
    long ListVersion,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Rows published with a remark, e.g. phone_range_unknown: a number of a possible length in a range the reference data does not know as assigned yet.")] IReadOnlyList<RowError>? Notices = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description(ListSummary.NoticeReasonText)] string? NoticeReason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description(ListSummary.NoticeContactText)] string? NoticeContact = null)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static ListUploadResult Create(ListSubmission list, string reference, ValidatedList validation, PublishResult result) => new(
        result.ListId,
        list.Agency,
        reference,
        list.Title,
        list.PublishedOn,
        result.PublishedAt,
        validation.Rows,
        validation.Entries.Count,
        result.Added,
        result.Reflagged,
        result.Updated,
        result.SourceAdded,
        validation.Duplicates,
        validation.Errors,
        result.ListVersion,
        validation.Notices is { Count: > 0 } notices ? notices : null,
        list.NoticeReason,
        list.NoticeContact);
}

/// <summary>A list as the public record shows it.</summary>
public sealed record ListSummary(
    long Id,
    string Agency,
    string Reference,
    string? Title,
    DateOnly? PublishedOn,
    DateTime PublishedAt,
    int EntryCount,
    ListStatus Status,
    long ListVersion,
    ListRetraction? Retraction,
    [property: Description(ListSummary.NoticeReasonText)] string? NoticeReason,
    [property: Description(ListSummary.NoticeContactText)] string? NoticeContact)
{
    public const string NoticeReasonText =
        "The publisher's reason for flagging the list's entries, in plain words (at most 1,000 characters), shown in every flagged lookup's notice; null when it gave none, and the notice then gives the category as the reason.";

    public const string NoticeContactText =
        "Where a person affected can reach the publisher (the contact the law requires; at most 300 characters), shown in every flagged lookup's notice; null when it gave none.";
}

public enum ListStatus
{
    Published,
    Retracted,
}

/// <summary>When and why a list was retracted; public like the list itself.</summary>
public sealed record ListRetraction(DateTime At, string Reason, long ListVersion);

public sealed record ListPage(IReadOnlyList<ListSummary> Items, int Page, int PageSize, int Total);

/// <summary>One list with a page of its entries as the list gave them, and each entry's status now.</summary>
public sealed record ListDetail(ListSummary List, ListEntryPage Entries);

public sealed record ListEntryPage(IReadOnlyList<ListEntryRow> Items, int Page, int PageSize, int Total);

public sealed record ListEntryRow(
    long EntryId,
    string Kind,
    string Value,
    string Display,
    Category? Category,
    Risk? Risk,
    string? Note,
    DateTime? ExpiresAt,
    EntryStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Present for a phone entry: the number's type of line and region.")] Lookup.PhoneDetails? Phone = null);

/// <summary><c>POST /v1/batches/{id}/retract</c>.</summary>
public sealed record RetractRequest(string? Reason);

public sealed record RetractResponse(ListSummary List, int Removed, int KeptByOtherSources);
