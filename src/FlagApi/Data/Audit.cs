using System.Text.Json;

namespace FlagApi.Data;

/// <summary>Adds append-only audit records (SPEC: "Every write ... is in an append-only audit history").</summary>
public static class Audit
{
    public static void Record(this FlagDbContext db, DateTime at, string actor, string action, string subjectType, string subjectId, object? detail = null) =>
        db.AuditLog.Add(new AuditRecord
        {
            At = at,
            Actor = actor,
            Action = action,
            SubjectType = subjectType,
            SubjectId = subjectId,
            Detail = detail is null ? null : JsonSerializer.Serialize(detail, HistoryJson.Options),
        });
}
