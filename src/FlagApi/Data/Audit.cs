using System.Data.Common;
using System.Text.Json;

namespace FlagApi.Data;

/// <summary>Adds append-only audit records (docs/product.md: every write leaves an audit record, and none is ever changed).</summary>
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
            Detail = detail is null ? null : Detail(detail),
        });

    /// <summary>The same record, written at once by a writer that works on the connection without EF (lists, re-keying).</summary>
    internal static async Task InsertAsync(
        DbConnection connection, DbTransaction transaction, DateTime at, string actor, string action, string subjectType, string subjectId, object detail,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(transaction,
            "INSERT INTO audit_log (at, actor, action, subject_type, subject_id, detail) VALUES (@at, @actor, @action, @type, @subject, @detail)");
        command.AddParameter("@at", at);
        command.AddParameter("@actor", actor);
        command.AddParameter("@action", action);
        command.AddParameter("@type", subjectType);
        command.AddParameter("@subject", subjectId);
        command.AddParameter("@detail", Detail(detail));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Detail(object detail) => JsonSerializer.Serialize(detail, HistoryJson.Options);
}

/// <summary>How history states and audit details are written as JSON.</summary>
internal static class HistoryJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
