using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Entries;

/// <summary>A validated <see cref="EntrySearchRequest"/>.</summary>
public sealed record EntryFilter(
    IdentifierKind? Kind,
    Category? Category,
    EntryStatus? Status,
    string? Source,
    long? ListId,
    string? Text,
    int Page,
    int PageSize);

/// <summary>Reads entries, their sources and their history for reviewers. Read-only: every write to an entry goes through the list writer and its kin.</summary>
public sealed class EntryQueries(FlagDbContext db, TimeProvider time, IOptions<IdentifierOptions> identifierOptions)
{
    /// <summary>The same reads on another context: the read replica's snapshot (<see cref="ReadReplica"/>).</summary>
    public EntryQueries On(FlagDbContext other) => ReferenceEquals(other, db) ? this : new EntryQueries(other, time, identifierOptions);

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    public const int MaxTextLength = 200;

    /// <summary>Checks the filters one by one, so the problem names the first one that is wrong.</summary>
    public static bool TryReadFilter(EntrySearchRequest request, out EntryFilter filter, out string code, out string detail)
    {
        filter = new EntryFilter(null, null, null, null, null, null, 1, DefaultPageSize);
        code = detail = string.Empty;

        IdentifierKind? kind = null;
        if (Given(request.Kind) is { } kindText)
        {
            if (!IdentifierKinds.TryParse(kindText, out var parsed))
            {
                (code, detail) = (Problems.ProblemCodes.UnknownKind, IdentifierKinds.UnknownKindDetail(kindText));
                return false;
            }

            kind = parsed;
        }

        if (!TryParseName<Category>(request.Category, out var category))
        {
            (code, detail) = (ProblemCodes.InvalidCategory, $"'{request.Category}' is not a category; use one of: {string.Join(", ", WireNames.All<Category>())}.");
            return false;
        }

        if (!TryParseName<EntryStatus>(request.Status, out var status))
        {
            (code, detail) = (ProblemCodes.InvalidStatus, $"'{request.Status}' is not an entry status; use one of: {string.Join(", ", WireNames.All<EntryStatus>())}.");
            return false;
        }

        var source = Given(request.Source);
        if (source is not null && !SourceTypes.All.Contains(source))
        {
            (code, detail) = (EntryProblemCodes.InvalidSource, $"'{source}' is not a source type; use one of: {string.Join(", ", SourceTypes.All)}.");
            return false;
        }

        var text = Given(request.Q)?.Trim();
        if (text is { Length: > MaxTextLength })
        {
            (code, detail) = (EntryProblemCodes.InvalidQuery, $"The search text is {text.Length} characters long; at most {MaxTextLength} are accepted.");
            return false;
        }

        if (!Paging.TryRead(request.Page, request.PageSize, DefaultPageSize, MaxPageSize, "entries", out var page, out var pageSize, out var pagingProblem))
        {
            (code, detail) = (ProblemCodes.InvalidPage, pagingProblem);
            return false;
        }

        filter = new EntryFilter(kind, category, status, source, request.ListId, string.IsNullOrEmpty(text) ? null : text, page, pageSize);
        return true;
    }

    public async Task<EntryPage> SearchAsync(EntryFilter filter, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var query = db.Entries.AsNoTracking();
        if (filter.Kind is { } kind)
        {
            query = query.Where(e => e.Kind == kind);
        }

        if (filter.Category is { } category)
        {
            query = query.Where(e => e.Category == category);
        }

        if (filter.Status is { } status)
        {
            query = query.Where(HasEffectiveStatus(status, now));
        }

        if (filter.Source is { } source)
        {
            query = query.Where(e => e.Sources.Any(s => s.SourceType == source));
        }

        if (filter.ListId is { } listId)
        {
            query = query.Where(e => e.Sources.Any(s => s.ListId == listId));
        }

        if (filter.Text is { } text)
        {
            query = query.Where(MatchesText(text, filter.Kind));
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query
            .OrderByDescending(e => e.Version).ThenByDescending(e => e.Id)
            .Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize)
            .Select(e => new
            {
                e.Id, e.Kind, e.Value, e.Display, e.Category, e.Risk, e.Status, e.FirstSeen, e.LastSeen, e.ExpiresAt, e.Version,
                SourceCount = e.Sources.Count(s => s.RemovedAt == null),
            })
            .ToListAsync(cancellationToken);

        var items = rows.Select(e => new EntrySummary(
            e.Id, e.Kind.ToWire(), e.Value, e.Display, e.Category, e.Risk, EffectiveStatus(e.Status, e.ExpiresAt, now),
            e.FirstSeen, e.LastSeen, e.ExpiresAt, e.Version, e.SourceCount)).ToList();
        return new EntryPage(items, filter.Page, filter.PageSize, total);
    }

    public async Task<EntryDetail?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        var entry = await db.Entries.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (entry is null)
        {
            return null;
        }

        var sources = await db.EntrySources.AsNoTracking()
            .Where(s => s.EntryId == id)
            .OrderBy(s => s.Id)
            .Select(s => new EntrySourceRecord(s.Id, s.SourceType, s.Label, s.ListId, s.Note, s.Display, s.Category, s.Risk, s.ExpiresAt, s.AddedAt, s.RemovedAt))
            .ToListAsync(cancellationToken);
        var history = await db.EntryHistory.AsNoTracking()
            .Where(h => h.EntryId == id)
            .OrderBy(h => h.Id)
            .ToListAsync(cancellationToken);

        var now = time.GetUtcNow().UtcDateTime;
        return new EntryDetail(
            entry.Id, entry.Kind.ToWire(), entry.Value, entry.Display, entry.Category, entry.Risk, EffectiveStatus(entry.Status, entry.ExpiresAt, now),
            entry.FirstSeen, entry.LastSeen, entry.ExpiresAt, entry.Version,
            sources,
            [.. history.Select(h => new EntryHistoryRecord(h.Version, h.At, h.Actor, h.Action, h.Reason, h.Before is null ? null : ParseJson(h.Before), ParseJson(h.After)))]);
    }

    /// <summary>The same rule lookups apply (<see cref="IndexedEntry.EffectiveStatus"/>): an active entry past its expiry no longer flags.</summary>
    private static EntryStatus EffectiveStatus(EntryStatus status, DateTime? expiresAt, DateTime now) =>
        status == EntryStatus.Active && expiresAt is { } expires && expires <= now ? EntryStatus.Expired : status;

    private static Expression<Func<Entry, bool>> HasEffectiveStatus(EntryStatus status, DateTime now) => status switch
    {
        EntryStatus.Active => e => e.Status == EntryStatus.Active && (e.ExpiresAt == null || e.ExpiresAt > now),
        EntryStatus.Expired => e => e.Status == EntryStatus.Expired || (e.Status == EntryStatus.Active && e.ExpiresAt <= now),
        _ => e => e.Status == status,
    };

    /// <summary>
    /// A substring of the value or the display, in any case; and, since a reviewer pastes numbers as people
    /// write them (<c>138-0013-8000</c>), the entry that the text canonicalizes to. Case is folded on both
    /// sides with the database's <c>lower()</c>, because PostgreSQL compares text case-sensitively.
    /// </summary>
    private Expression<Func<Entry, bool>> MatchesText(string text, IdentifierKind? kind)
    {
        var folded = text.ToLowerInvariant();
#pragma warning disable CA1304, CA1862 // translated to SQL lower() and a substring test; never run in .NET
        Expression<Func<Entry, bool>> predicate = e => e.Value.ToLower().Contains(folded) || e.Display.ToLower().Contains(folded);
#pragma warning restore CA1304, CA1862
        IReadOnlyList<IdentifierKind> kinds = kind is { } given ? [given] : IdentifierKinds.All;
        foreach (var candidate in kinds)
        {
            var canonical = Identifier.Canonicalize(candidate, text, identifierOptions.Value);
            if (canonical.IsValid)
            {
                var key = Matching.EntryKey(candidate, canonical.Value!);
                predicate = Or(predicate, e => e.Kind == candidate && e.Value == key);
            }
        }

        return predicate;
    }

    private static Expression<Func<Entry, bool>> Or(Expression<Func<Entry, bool>> left, Expression<Func<Entry, bool>> right)
    {
        var parameter = left.Parameters[0];
        var body = new ReplaceParameter(right.Parameters[0], parameter).Visit(right.Body);
        return Expression.Lambda<Func<Entry, bool>>(Expression.OrElse(left.Body, body), parameter);
    }

    private static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string? Given(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static bool TryParseName<T>(string? text, out T? value)
        where T : struct, Enum
    {
        value = null;
        if (Given(text) is not { } given)
        {
            return true;
        }

        if (!WireNames.TryParse<T>(given, out var parsed))
        {
            return false;
        }

        value = parsed;
        return true;
    }

    private sealed class ReplaceParameter(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
