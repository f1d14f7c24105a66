using System.Text.Json.Serialization;

namespace FlagApi.Reports;

/// <summary>
/// A community report (docs/api-v1.md: <c>{kind, value, category?, description, occurredAt?}</c>, plus evidence). An app key may
/// name the user it forwards the report for in <see cref="ReporterId"/>; from anyone else that field is ignored.
/// </summary>
public sealed record ReportRequest(
    string? Kind,
    string? Value,
    string? Category,
    string? Description,
    string? OccurredAt,
    [property: JsonConverter(typeof(EvidenceListConverter<ReportEvidenceItem>))] IReadOnlyList<ReportEvidenceItem?>? Evidence,
    string? ReporterId);

/// <summary><c>{"type":"text","text":…}</c> or <c>{"type":"link","url":"https://…"}</c>; a plain string is the text item.</summary>
public sealed record ReportEvidenceItem(string? Type, string? Text, string? Url) : ITextEvidence<ReportEvidenceItem>
{
    public static ReportEvidenceItem FromText(string text) => new("text", text, null);
}

/// <summary>What the report is stored with: the same reporter reporting the same identifier again keeps this id.</summary>
public sealed record ReportReceived(long Id, string Kind, string Canonical, string Status);

/// <summary>Evidence as stored (JSON in the report row).</summary>
internal sealed record StoredEvidence(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url);
