using System.Globalization;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Problems;
using FlagApi.Protection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Reports;

public sealed class ReportReviewOptions
{
    public const string Section = "ReportReview";

    /// <summary>How far back "recent" reaches for the burst figures.</summary>
    public TimeSpan BurstWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Distinct networks within <see cref="BurstWindow"/> that make a group a burst.</summary>
    public int BurstNetworks { get; set; } = 5;

    /// <summary>How many of the latest descriptions each group shows.</summary>
    public int Descriptions { get; set; } = 3;
}

/// <summary>A validated <see cref="ReportQueueRequest"/>.</summary>
public sealed record ReportQueueFilter(
    string Status,
    IdentifierKind? Kind,
    Category? Category,
    double? MaxAgeHours,
    double? MinAgeHours,
    int Page,
    int PageSize);

/// <summary>Reads the review queue: reports grouped by identifier in the database, one page at a time.</summary>
public sealed class ReportReviewQueries(FlagDbContext db, ProtectionIndex protection, TimeProvider time, IOptions<ReportReviewOptions> options)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static bool TryReadFilter(ReportQueueRequest request, out ReportQueueFilter filter, out string code, out string detail)
    {
        filter = new ReportQueueFilter(ReportStatuses.Pending, null, null, null, null, 1, DefaultPageSize);
        code = detail = string.Empty;

        var status = ReportStatuses.Pending;
        if (Given(request.Status) is { } statusText)
        {
            status = statusText.ToLowerInvariant();
            if (!ReportStatuses.All.Contains(status))
            {
                (code, detail) = (ProblemCodes.InvalidStatus, $"'{statusText}' is not a report status; use one of: {string.Join(", ", ReportStatuses.All)}.");
                return false;
            }
        }

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

        Category? category = null;
        if (Given(request.Category) is { } categoryText)
        {
            if (!WireNames.TryParse<Category>(categoryText, out var parsed))
            {
                (code, detail) = (ProblemCodes.InvalidCategory, $"'{categoryText}' is not a category; use one of: {string.Join(", ", WireNames.All<Category>())}.");
                return false;
            }

            category = parsed;
        }

        if (!TryHours(request.MaxAgeHours, "maxAgeHours", out var maxAge, out detail) || !TryHours(request.MinAgeHours, "minAgeHours", out var minAge, out detail))
        {
            code = ProblemCodes.InvalidFilter;
            return false;
        }

        if (!Paging.TryRead(request.Page, request.PageSize, DefaultPageSize, MaxPageSize, "identifiers", out var page, out var pageSize, out var pagingProblem))
        {
            (code, detail) = (Paging.InvalidPage, pagingProblem);
            return false;
        }

        filter = new ReportQueueFilter(status, kind, category, maxAge, minAge, page, pageSize);
        return true;
    }

    public async Task<ReportQueuePage> QueueAsync(ReportQueueFilter filter, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var settings = options.Value;
        var recentFrom = now - settings.BurstWindow;

        var reports = db.Reports.AsNoTracking().Where(r => r.Status == filter.Status);
        if (filter.Kind is { } kind)
        {
            reports = reports.Where(r => r.Kind == kind);
        }

        if (filter.Category is { } category)
        {
            // The whole group of an identifier some reporter put in the category, so its figures stay whole.
            var status = filter.Status;
            reports = reports.Where(r => db.Reports.Any(o => o.Kind == r.Kind && o.Value == r.Value && o.Status == status && o.Category == category));
        }

        var groups = reports
            .GroupBy(r => new { r.Kind, r.Value })
            .Select(g => new
            {
                g.Key.Kind,
                g.Key.Value,
                Reporters = g.Count(),
                Times = g.Sum(r => r.Times),
                FirstAt = g.Min(r => r.CreatedAt),
                LastAt = g.Max(r => r.LastAt),
                Networks = g.Select(r => r.NetworkHash).Distinct().Count(),
                RecentReporters = g.Count(r => r.LastAt >= recentFrom),
                RecentNetworks = g.Where(r => r.LastAt >= recentFrom).Select(r => r.NetworkHash).Distinct().Count(),
            });

        if (filter.MaxAgeHours is { } maxAge)
        {
            var from = now.AddHours(-maxAge);
            groups = groups.Where(g => g.LastAt >= from);
        }

        if (filter.MinAgeHours is { } minAge)
        {
            var until = now.AddHours(-minAge);
            groups = groups.Where(g => g.FirstAt <= until);
        }

        var total = await groups.CountAsync(cancellationToken);
        var page = await groups
            .OrderByDescending(g => g.Reporters).ThenByDescending(g => g.LastAt).ThenBy(g => g.Kind).ThenBy(g => g.Value)
            .Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize)
            .ToListAsync(cancellationToken);
        if (page.Count == 0)
        {
            return new ReportQueuePage([], filter.Page, filter.PageSize, total);
        }

        // The page's identifiers only: their report ids and categories (narrow columns), then the few descriptions shown.
        var values = page.Select(g => g.Value).Distinct().ToList();
        var keys = page.Select(g => (g.Kind, g.Value)).ToHashSet();
        var rows = (await db.Reports.AsNoTracking()
                .Where(r => r.Status == filter.Status && values.Contains(r.Value))
                .Select(r => new { r.Id, r.Kind, r.Value, r.Category, r.LastAt })
                .ToListAsync(cancellationToken))
            .Where(r => keys.Contains((r.Kind, r.Value)))
            .ToLookup(r => (r.Kind, r.Value));
        var latest = rows.SelectMany(g => g.OrderByDescending(r => r.LastAt).ThenByDescending(r => r.Id).Take(settings.Descriptions).Select(r => r.Id)).ToList();
        var descriptions = await db.Reports.AsNoTracking()
            .Where(r => latest.Contains(r.Id))
            .Select(r => new { r.Id, r.Kind, r.Value, r.LastAt, r.Category, r.Description })
            .ToListAsync(cancellationToken);
        var descriptionsOf = descriptions.ToLookup(d => (d.Kind, d.Value));
        var entries = (await db.Entries.AsNoTracking()
                .Where(e => values.Contains(e.Value))
                .Select(e => new { e.Id, e.Kind, e.Value, e.Status, e.Category, e.Risk, e.ExpiresAt })
                .ToListAsync(cancellationToken))
            .ToDictionary(e => (e.Kind, e.Value));

        await protection.EnsureLoadedAsync(cancellationToken);
        var items = page.Select(g =>
        {
            var key = (g.Kind, g.Value);
            var topCategory = rows[key]
                .Where(r => r.Category is not null)
                .GroupBy(r => r.Category!.Value)
                .OrderByDescending(c => c.Count()).ThenByDescending(c => c.Max(r => r.LastAt))
                .Select(c => (Category?)c.Key)
                .FirstOrDefault();
            ReportedEntry? entry = null;
            if (entries.TryGetValue(key, out var e))
            {
                // As lookups see it: an active entry past its expiry is expired.
                var status = e.Status == EntryStatus.Active && e.ExpiresAt is { } expires && expires <= now ? EntryStatus.Expired : e.Status;
                entry = new ReportedEntry(e.Id, WireNames.Of(status), WireNames.Of(e.Category), WireNames.Of(e.Risk));
            }

            return new ReportGroup(
                g.Kind.ToWire(), g.Value, g.Reporters, g.Times, g.FirstAt, g.LastAt,
                topCategory is { } top ? WireNames.Of(top) : null,
                g.Networks, g.RecentReporters, g.RecentNetworks, g.RecentNetworks >= settings.BurstNetworks,
                [.. rows[key].Select(r => r.Id).Order()],
                [.. descriptionsOf[key].OrderByDescending(d => d.LastAt).ThenByDescending(d => d.Id)
                    .Select(d => new ReportDescription(d.Id, d.LastAt, d.Category is { } c ? WireNames.Of(c) : null, d.Description))],
                entry,
                protection.Check(g.Kind, g.Value)?.Detail);
        }).ToList();
        return new ReportQueuePage(items, filter.Page, filter.PageSize, total);
    }

    private static bool TryHours(string? text, string name, out double? hours, out string detail)
    {
        hours = null;
        detail = string.Empty;
        if (Given(text) is not { } given)
        {
            return true;
        }

        if (!double.TryParse(given, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0 || parsed > 24 * 366 * 10)
        {
            detail = $"'{name}' is a number of hours greater than 0 (at most ten years); '{text}' is not.";
            return false;
        }

        hours = parsed;
        return true;
    }

    private static string? Given(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
