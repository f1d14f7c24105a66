using System.Globalization;
using FlagApi.Data;
using FlagApi.Identifiers;
using FlagApi.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Protection;

/// <summary>
/// The admins' changes to the allowlist and its overrides. Nothing is deleted: removal records who and when,
/// and every change has an audit record with its reason. Each change reaches this process's lookups and list
/// validation before the call returns.
/// </summary>
public sealed class ProtectionService(FlagDbContext db, ProtectionIndex index, IOptions<IdentifierOptions> identifierOptions, TimeProvider time)
{
    public const int MaxReasonLength = 500;
    public const int MaxDisplayLength = 200;
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public async Task<ProtectedIdentifierPage> ListAsync(string? kindName, long? after, int? limit, CancellationToken cancellationToken = default)
    {
        var (kind, from, size) = Paging(kindName, after, limit);
        var query = db.ProtectedIdentifiers.AsNoTracking().Where(p => p.RemovedAt == null && p.Id > from);
        if (kind is { } k)
        {
            query = query.Where(p => p.Kind == k);
        }

        var rows = await query.OrderBy(p => p.Id).Take(size + 1).ToListAsync(cancellationToken);
        var page = rows.Take(size).Select(ToResponse).ToList();
        return new ProtectedIdentifierPage(page, rows.Count > size ? page[^1].Id : null);
    }

    public async Task<ProtectedIdentifierResponse?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        await db.ProtectedIdentifiers.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken) is { } row ? ToResponse(row) : null;

    public async Task<ProtectedIdentifierResponse> ProtectAsync(ProtectRequest request, string actor, CancellationToken cancellationToken = default)
    {
        var (kind, key) = Canonical(request.Kind, request.Value);
        var reason = Reason(request.Reason);
        var display = request.Value!.Trim();
        var now = time.GetUtcNow().UtcDateTime;
        var row = new ProtectedIdentifier
        {
            Kind = kind,
            Value = key,
            Display = display.Length > MaxDisplayLength ? display[..MaxDisplayLength] : display,
            Reason = reason,
            CreatedAt = now,
            CreatedBy = actor,
        };

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (await db.ProtectedIdentifiers.AsNoTracking().FirstOrDefaultAsync(p => p.Kind == kind && p.Value == key && p.RemovedAt == null, cancellationToken) is { } existing)
            {
                throw AlreadyProtected(kind, key, existing);
            }

            db.ProtectedIdentifiers.Add(row);
            await SaveAsync(() => AlreadyProtected(kind, key, null), cancellationToken);
            db.Record(now, actor, "protection.added", "protected_identifier", Id(row.Id), new { Kind = kind.ToWire(), row.Value, row.Display, row.Reason });
            await db.SaveChangesAsync(cancellationToken);
            await db.NotifyAsync(ProtectionIndex.Topic, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await index.ReloadAfterWriteAsync();
        return ToResponse(row);
    }

    /// <summary>Ends a protection (the row stays, with who removed it); null when there is no such row. Removing a removed one changes nothing.</summary>
    public async Task<ProtectedIdentifierResponse?> RemoveAsync(long id, string? reasonText, string actor, CancellationToken cancellationToken = default)
    {
        var reason = Reason(reasonText);
        ProtectedIdentifier? row;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            row = await db.ProtectedIdentifiers.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
            if (row is null || row.RemovedAt is not null)
            {
                return row is null ? null : ToResponse(row);
            }

            var now = time.GetUtcNow().UtcDateTime;
            row.RemovedAt = now;
            row.RemovedBy = actor;
            db.Record(now, actor, "protection.removed", "protected_identifier", Id(row.Id), new { Kind = row.Kind.ToWire(), row.Value, row.Display, Reason = reason });
            await db.SaveChangesAsync(cancellationToken);
            await db.NotifyAsync(ProtectionIndex.Topic, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await index.ReloadAfterWriteAsync();
        return ToResponse(row);
    }

    public async Task<ProtectionOverridePage> ListOverridesAsync(string? kindName, long? after, int? limit, CancellationToken cancellationToken = default)
    {
        var (kind, from, size) = Paging(kindName, after, limit);
        var query = db.ProtectionOverrides.AsNoTracking().Where(o => o.RemovedAt == null && o.Id > from);
        if (kind is { } k)
        {
            query = query.Where(o => o.Kind == k);
        }

        var rows = await query.OrderBy(o => o.Id).Take(size + 1).ToListAsync(cancellationToken);
        var page = rows.Take(size).Select(ToResponse).ToList();
        return new ProtectionOverridePage(page, rows.Count > size ? page[^1].Id : null);
    }

    public async Task<ProtectionOverrideResponse?> GetOverrideAsync(long id, CancellationToken cancellationToken = default) =>
        await db.ProtectionOverrides.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken) is { } row ? ToResponse(row) : null;

    /// <summary>Lets one entry through that protection refuses; an override of something not protected is refused as a likely mistake.</summary>
    public async Task<ProtectionOverrideResponse> OverrideAsync(OverrideRequest request, string actor, CancellationToken cancellationToken = default)
    {
        var (kind, key) = Canonical(request.Kind, request.Value);
        var reason = Reason(request.Reason);
        if (ProtectionSet.PublicSuffix(kind, key) is { } suffix)
        {
            throw new ProblemException(StatusCodes.Status409Conflict, ProtectionProblemCodes.ProtectedIdentifier, "A public suffix cannot be overridden", suffix.Detail);
        }

        await index.EnsureLoadedAsync(cancellationToken);
        if (index.Current.CheckIgnoringOverrides(kind, key)?.Protected is not { } protection)
        {
            throw new ProblemException(StatusCodes.Status409Conflict, ProtectionProblemCodes.NotProtected, "Nothing to override",
                $"{kind.ToWire()} {key} is not refused by any protected identifier, so it needs no override; check the kind and value.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var row = new ProtectionOverride { Kind = kind, Value = key, Reason = reason, CreatedAt = now, CreatedBy = actor };
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (await db.ProtectionOverrides.AsNoTracking().FirstOrDefaultAsync(o => o.Kind == kind && o.Value == key && o.RemovedAt == null, cancellationToken) is { } existing)
            {
                throw AlreadyOverridden(kind, key, existing);
            }

            db.ProtectionOverrides.Add(row);
            await SaveAsync(() => AlreadyOverridden(kind, key, null), cancellationToken);
            db.Record(now, actor, "protection.override_added", "protection_override", Id(row.Id), new
            {
                Kind = kind.ToWire(),
                row.Value,
                row.Reason,
                Protection = new { protection.Id, Kind = protection.Kind.ToWire(), protection.Value },
            });
            await db.SaveChangesAsync(cancellationToken);
            await db.NotifyAsync(ProtectionIndex.Topic, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await index.ReloadAfterWriteAsync();
        return ToResponse(row);
    }

    /// <summary>Ends an override, so protection refuses the entry again; null when there is no such override.</summary>
    public async Task<ProtectionOverrideResponse?> RemoveOverrideAsync(long id, string? reasonText, string actor, CancellationToken cancellationToken = default)
    {
        var reason = Reason(reasonText);
        ProtectionOverride? row;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            row = await db.ProtectionOverrides.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
            if (row is null || row.RemovedAt is not null)
            {
                return row is null ? null : ToResponse(row);
            }

            var now = time.GetUtcNow().UtcDateTime;
            row.RemovedAt = now;
            row.RemovedBy = actor;
            db.Record(now, actor, "protection.override_removed", "protection_override", Id(row.Id), new { Kind = row.Kind.ToWire(), row.Value, Reason = reason });
            await db.SaveChangesAsync(cancellationToken);
            await db.NotifyAsync(ProtectionIndex.Topic, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await index.ReloadAfterWriteAsync();
        return ToResponse(row);
    }

    private (IdentifierKind Kind, string Key) Canonical(string? kindName, string? value)
    {
        if (!IdentifierKinds.TryParse(kindName, out var kind))
        {
            throw Invalid(ProblemCodes.UnknownKind, IdentifierKinds.UnknownKindDetail(kindName));
        }

        var canonical = Identifier.Canonicalize(kind, value, identifierOptions.Value);
        if (!canonical.IsValid)
        {
            throw Invalid(canonical.ErrorCode!, canonical.ErrorDetail!);
        }

        return (kind, Matching.EntryKey(kind, canonical.Value!));
    }

    private static string Reason(string? text)
    {
        var reason = text?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            throw Invalid(ProblemCodes.MissingReason, "Every change to protection needs a 'reason' saying why, for the audit log.");
        }

        if (reason.Length > MaxReasonLength || reason.Any(c => char.IsControl(c) && c is not ('\n' or '\t')))
        {
            throw Invalid(ProtectionProblemCodes.InvalidReason, $"The reason must be text of at most {MaxReasonLength} characters without control characters.");
        }

        return reason;
    }

    private static (IdentifierKind? Kind, long After, int Size) Paging(string? kindName, long? after, int? limit)
    {
        IdentifierKind? kind = null;
        if (kindName is not null)
        {
            if (!IdentifierKinds.TryParse(kindName, out var parsed))
            {
                throw Invalid(ProblemCodes.UnknownKind, IdentifierKinds.UnknownKindDetail(kindName));
            }

            kind = parsed;
        }

        if (limit is < 1 or > MaxPageSize)
        {
            throw Invalid(ProblemCodes.InvalidParameter, $"'limit' must be between 1 and {MaxPageSize}.");
        }

        if (after is < 0)
        {
            throw Invalid(ProblemCodes.InvalidParameter, "'after' must be an id from a previous page's 'nextAfter', or 0.");
        }

        return (kind, after ?? 0, limit ?? DefaultPageSize);
    }

    /// <summary>Saves, turning a lost race with another admin (the partial unique index of schema 0004) into the same 409 as the check before it.</summary>
    private async Task SaveAsync(Func<ProblemException> conflict, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            throw conflict();
        }
    }


    private ProtectionOverrideResponse ToResponse(ProtectionOverride o)
    {
        var protection = o.RemovedAt is null ? index.Current.CheckIgnoringOverrides(o.Kind, o.Value)?.Protected : null;
        return new ProtectionOverrideResponse(o.Id, o.Kind.ToWire(), o.Value, o.Reason, o.CreatedAt, o.CreatedBy, o.RemovedAt, o.RemovedBy,
            protection is null ? null : new ProtectedSummary(protection.Id, protection.Kind.ToWire(), protection.Value, protection.Display, protection.Reason));
    }

    private static ProtectedIdentifierResponse ToResponse(ProtectedIdentifier p) =>
        new(p.Id, p.Kind.ToWire(), p.Value, p.Display, p.Reason, p.CreatedAt, p.CreatedBy, p.RemovedAt, p.RemovedBy);

    private static ProblemException AlreadyProtected(IdentifierKind kind, string key, ProtectedIdentifier? existing) => new(
        StatusCodes.Status409Conflict, ProtectionProblemCodes.AlreadyProtected, "Already protected",
        existing is null
            ? $"{kind.ToWire()} {key} was protected by another admin a moment ago."
            : $"{kind.ToWire()} {key} is already protected (id {Id(existing.Id)}: {existing.Reason}).");

    private static ProblemException AlreadyOverridden(IdentifierKind kind, string key, ProtectionOverride? existing) => new(
        StatusCodes.Status409Conflict, ProtectionProblemCodes.AlreadyOverridden, "Already overridden",
        existing is null
            ? $"{kind.ToWire()} {key} was overridden by another admin a moment ago."
            : $"{kind.ToWire()} {key} already has an active override (id {Id(existing.Id)}: {existing.Reason}).");

    private static ProblemException Invalid(string code, string detail) =>
        new(StatusCodes.Status400BadRequest, code, "The request is not valid", detail);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
