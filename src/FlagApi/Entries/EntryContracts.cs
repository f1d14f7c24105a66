using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using FlagApi.Data;

namespace FlagApi.Entries;

/// <summary>
/// The filters of <c>GET /v1/entries</c>, as sent. Page numbers are read as text so that a bad one is an
/// <c>invalid_page</c> problem like a page out of range, not a generic binding failure.
/// </summary>
public sealed record EntrySearchRequest(
    [FromQuery(Name = "kind")] string? Kind,
    [FromQuery(Name = "category")] string? Category,
    [FromQuery(Name = "status")] string? Status,
    [FromQuery(Name = "source")] string? Source,
    [FromQuery(Name = "listId")] long? ListId,
    [FromQuery(Name = "q")] string? Q,
    [FromQuery(Name = "page")] string? Page,
    [FromQuery(Name = "pageSize")] string? PageSize);

/// <summary>One page of entries, newest change first, and how many match in all.</summary>
public sealed record EntryPage(IReadOnlyList<EntrySummary> Items, int Page, int PageSize, int Total);

public sealed record EntrySummary(
    long Id,
    string Kind,
    string Value,
    string Display,
    Category Category,
    Risk Risk,
    EntryStatus Status,
    DateTime FirstSeen,
    DateTime LastSeen,
    DateTime? ExpiresAt,
    long Version,
    [property: Description("Sources that currently flag the entry (removed ones not counted).")] int SourceCount);

/// <summary>One entry with every source that ever flagged it and its whole history.</summary>
public sealed record EntryDetail(
    long Id,
    string Kind,
    string Value,
    string Display,
    Category Category,
    Risk Risk,
    EntryStatus Status,
    DateTime FirstSeen,
    DateTime LastSeen,
    DateTime? ExpiresAt,
    long Version,
    IReadOnlyList<EntrySourceRecord> Sources,
    IReadOnlyList<EntryHistoryRecord> History);

/// <summary>A list or accepted report that flagged the entry, and what it said about it; <see cref="RemovedAt"/> once it no longer does.</summary>
public sealed record EntrySourceRecord(
    long Id,
    string Type,
    string Label,
    long? ListId,
    string? Note,
    string? Display,
    Category? Category,
    Risk? Risk,
    DateTime? ExpiresAt,
    DateTime AddedAt,
    DateTime? RemovedAt);

/// <summary>One change to the entry: who, when, why, and its state before (absent when it was created) and after.</summary>
public sealed record EntryHistoryRecord(
    long Version,
    DateTime At,
    string Actor,
    string Action,
    string? Reason,
    JsonElement? Before,
    JsonElement After);

public static class EntryProblemCodes
{
    public const string InvalidSource = "invalid_source";
    public const string InvalidQuery = "invalid_query";
}

/// <summary>The source types an entry can have (<c>entry_sources.source_type</c>).</summary>
public static class SourceTypes
{
    public const string List = "list";
    public const string Report = "report";
    public const string Legacy = "legacy";

    public static readonly IReadOnlyList<string> All = [List, Report, Legacy];
}
