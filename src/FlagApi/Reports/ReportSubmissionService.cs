using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Keys;
using FlagApi.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Reports;

/// <summary>Receives community reports: one row per identifier and reporter, however often that reporter sends it.</summary>
public sealed class ReportSubmissionService(
    FlagDbContext db,
    ReporterHasher hasher,
    ReportIndex index,
    IOptions<IdentifierOptions> identifierOptions,
    TimeProvider time,
    ILogger<ReportSubmissionService> logger)
{

    /// <summary>What the submitter is told: the report is in, not that anyone has judged it.</summary>
    public const string ReceivedStatus = "received";

    public const int MaxDescriptionLength = 2000;
    public const int MaxReporterIdLength = 200;
    public const int MaxEvidenceItems = 10;
    public const int MaxEvidenceTextLength = 2000;
    public const int MaxLinkLength = 2048;

    /// <summary>Older than this, a report says more about a reporter's memory than about a number in use.</summary>
    public static readonly TimeSpan MaxOccurredAge = TimeSpan.FromDays(365);

    /// <summary>Clients' clocks run a little fast; a report of "just now" must not be refused for it.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions EvidenceJson = new(JsonSerializerDefaults.Web);

    /// <summary>Stores the report; a refusal is thrown as a <see cref="ProblemException"/>.</summary>
    public async Task<ReportReceived> SubmitAsync(
        ReportRequest request, ClaimsPrincipal caller, IPAddress? address, CancellationToken cancellationToken)
    {
        var (kind, canonical, identifierProblem) = SubmittedIdentifier.Read(
            request.Kind, request.Value, "The identifier to report ('value') is required.", identifierOptions.Value);
        if (identifierProblem is not null)
        {
            throw identifierProblem;
        }

        // The time held in memory is the one read back later.
        var now = SubmittedIdentifier.WholeMicroseconds(time.GetUtcNow().UtcDateTime);
        var (category, occurredAt, problem) = ValidateFields(request, now);
        if (problem is not null)
        {
            throw problem;
        }

        var (evidence, evidenceProblem) = ReadEvidence(request.Evidence);
        if (evidenceProblem is not null)
        {
            throw evidenceProblem;
        }

        var (reporterHash, reporterType, reporterProblem) = Reporter(caller, request.ReporterId, address);
        if (reporterProblem is not null)
        {
            throw reporterProblem;
        }

        var report = new Report
        {
            Kind = kind,
            Value = Matching.EntryKey(kind, canonical),
            Query = request.Value!.Trim(),
            Category = category,
            Description = request.Description!.Trim(),
            OccurredAt = occurredAt,
            Evidence = evidence,
            ReporterHash = reporterHash!,
            ReporterType = reporterType!,
            NetworkHash = hasher.Network(address),
            Times = 1,
            CreatedAt = now,
            LastAt = now,
            Status = ReportStatuses.Pending,
        };

        var (id, status, repeated) = await SaveAsync(report, caller.Actor(), cancellationToken);
        index.Apply(id, kind, report.Value, category, now, status);
        logger.LogInformation("Report {Id} on a {Kind} received ({Repeat})", id, kind.ToWire(), repeated ? "repeated by the same reporter" : "new reporter");
        return new ReportReceived(id, kind.ToWire(), canonical, ReceivedStatus);
    }

    /// <summary>
    /// Updates the reporter's row if there is one, else inserts it. Two identical reports at the same moment both try the
    /// insert; the unique index lets one through and the other, refused, updates the row the first one made.
    /// </summary>
    private async Task<(long Id, string Status, bool Repeated)> SaveAsync(Report report, string actor, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                var mine = db.Reports.Where(r => r.Kind == report.Kind && r.Value == report.Value && r.ReporterHash == report.ReporterHash);
                var updated = await mine.ExecuteUpdateAsync(
                    set => set
                        .SetProperty(r => r.Times, r => r.Times + 1)
                        .SetProperty(r => r.LastAt, report.LastAt)
                        .SetProperty(r => r.Query, report.Query)
                        .SetProperty(r => r.Category, report.Category)
                        .SetProperty(r => r.Description, report.Description)
                        .SetProperty(r => r.OccurredAt, report.OccurredAt)
                        .SetProperty(r => r.Evidence, report.Evidence)
                        .SetProperty(r => r.NetworkHash, report.NetworkHash),
                    cancellationToken);
                if (updated == 0)
                {
                    db.Reports.Add(report);
                    await db.SaveChangesAsync(cancellationToken);
                }

                var row = await mine.AsNoTracking().Select(r => new { r.Id, r.Status, r.Times }).SingleAsync(cancellationToken);
                db.Record(report.LastAt, actor, updated == 0 ? "report.received" : "report.repeated", "report",
                    row.Id.ToString(CultureInfo.InvariantCulture), new { Kind = report.Kind.ToWire(), report.Category, row.Times });
                await db.SaveChangesAsync(cancellationToken);
                await db.NotifyAsync(ReportIndex.Topic, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return (row.Id, row.Status, updated > 0);
            }
            catch (DbUpdateException ex) when (attempt == 1 && DatabaseFailures.IsUniqueViolation(ex))
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                report.Id = 0;
            }
        }
    }


    /// <summary>
    /// An app key's forwarded user id is honoured, hashed with the key id so two apps' "user 1" are two reporters. From
    /// anyone else it is ignored: an anonymous caller could otherwise be a new reporter with every request.
    /// </summary>
    private (string? Hash, string? Type, ProblemException? Problem) Reporter(ClaimsPrincipal caller, string? reporterId, IPAddress? address)
    {
        if (caller.KeyId() is not { } keyId)
        {
            return (hasher.Address(address), "anonymous", null);
        }

        if (caller.Role() != Roles.App || string.IsNullOrWhiteSpace(reporterId))
        {
            return (hasher.Key(keyId), "app", null);
        }

        var id = reporterId.Trim();
        if (id.Length > MaxReporterIdLength || id.Any(char.IsControl))
        {
            return (null, null, ProblemException.BadRequest(ReportSubmissionProblems.InvalidReporterId,
                $"'reporterId' must be the app's stable id for its user: at most {MaxReporterIdLength} characters, no control characters."));
        }

        return (hasher.AppUser(keyId, id), "app", null);
    }

    private static (Category? Category, DateTime? OccurredAt, ProblemException? Problem) ValidateFields(ReportRequest request, DateTime now)
    {
        if (ValidateDescription(request.Description) is { } invalid)
        {
            return (null, null, invalid);
        }

        Category? category = null;
        if (!string.IsNullOrWhiteSpace(request.Category))
        {
            if (!WireNames.TryParse<Category>(request.Category.Trim(), out var parsed))
            {
                return (null, null, ProblemException.BadRequest(ProblemCodes.InvalidCategory,
                    $"'{Shorten(request.Category)}' is not a category; use one of: {string.Join(", ", WireNames.All<Category>())}."));
            }

            category = parsed;
        }

        DateTime? occurredAt = null;
        if (!string.IsNullOrWhiteSpace(request.OccurredAt))
        {
            if (!DateTimeOffset.TryParse(request.OccurredAt.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return (null, null, InvalidOccurredAt("'occurredAt' must be a date and time such as 2026-03-01T14:30:00+08:00."));
            }

            var at = parsed.UtcDateTime;
            if (at > now + ClockSkew)
            {
                return (null, null, InvalidOccurredAt("'occurredAt' is in the future."));
            }

            if (at < now - MaxOccurredAge)
            {
                return (null, null, InvalidOccurredAt("'occurredAt' is more than a year ago; reports are for identifiers in use now."));
            }

            occurredAt = SubmittedIdentifier.WholeMicroseconds(at);
        }

        return (category, occurredAt, null);
    }

    /// <summary>
    /// Text a reviewer will read: newlines and tabs, nothing else below the space, and no NUL or U+FFFD, the marks of a
    /// binary file pasted or decoded as text.
    /// </summary>
    internal static ProblemException? ValidateDescription(string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return ProblemException.BadRequest(ReportSubmissionProblems.MissingDescription, "A 'description' of what happened is required.");
        }

        var text = description.Trim();
        if (text.Length > MaxDescriptionLength)
        {
            return ProblemException.BadRequest(ReportSubmissionProblems.DescriptionTooLong,
                $"The description is {text.Length} characters long; at most {MaxDescriptionLength} are accepted.");
        }

        if (text.Contains('\0') || text.Contains('\uFFFD'))
        {
            return ProblemException.BadRequest(ReportSubmissionProblems.InvalidDescription,
                "The description holds binary content (NUL or undecodable bytes); send text.");
        }

        if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t') || HasLoneSurrogate(text))
        {
            return ProblemException.BadRequest(ReportSubmissionProblems.InvalidDescription,
                "The description holds control characters; only newlines and tabs are accepted besides printable text.");
        }

        return null;
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static (string? Json, ProblemException? Problem) ReadEvidence(IReadOnlyList<ReportEvidenceItem?>? items)
    {
        if (items is not { Count: > 0 })
        {
            return (null, null);
        }

        if (items.Count > MaxEvidenceItems)
        {
            return (null, ProblemException.BadRequest(ProblemCodes.TooManyEvidence,
                $"{items.Count} evidence items were sent; at most {MaxEvidenceItems} are accepted."));
        }

        var stored = new List<StoredEvidence>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            switch (item?.Type)
            {
                case "text" when !string.IsNullOrWhiteSpace(item.Text):
                    var text = item.Text.Trim();
                    if (text.Length > MaxEvidenceTextLength)
                    {
                        return (null, ProblemException.BadRequest(ReportSubmissionProblems.EvidenceTooLong,
                            $"evidence[{i}].text is longer than the {MaxEvidenceTextLength} characters accepted."));
                    }

                    if (ValidateDescription(text) is not null)
                    {
                        return (null, ProblemException.BadRequest(ProblemCodes.InvalidEvidence,
                            $"evidence[{i}].text holds binary content or control characters; send text."));
                    }

                    stored.Add(new StoredEvidence("text", text, null));
                    break;

                case "link" when !string.IsNullOrWhiteSpace(item.Url):
                    var url = item.Url.Trim();
                    if (url.Length > MaxLinkLength
                        || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
                        || uri.Scheme is not ("http" or "https")
                        || string.IsNullOrEmpty(uri.Host))
                    {
                        return (null, ProblemException.BadRequest(ProblemCodes.InvalidLink,
                            $"evidence[{i}].url must be an absolute http or https address of at most {MaxLinkLength} characters."));
                    }

                    stored.Add(new StoredEvidence("link", null, url));
                    break;

                default:
                    return (null, ProblemException.BadRequest(ProblemCodes.InvalidEvidence,
                        $"evidence[{i}] must be a string, {{\"type\":\"text\",\"text\":\"…\"}} or {{\"type\":\"link\",\"url\":\"https://…\"}}."));
            }
        }

        return (JsonSerializer.Serialize(stored, EvidenceJson), null);
    }

    private static ProblemException InvalidOccurredAt(string detail) =>
        ProblemException.BadRequest(ReportSubmissionProblems.InvalidOccurredAt, detail);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
