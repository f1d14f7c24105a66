using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Identifiers;
using FlagApi.Protection;
using Microsoft.Extensions.Options;

namespace FlagApi.Lists;

/// <summary>How an upload treats bad rows: refuse the whole list (the default), or publish the good rows and return the rest.</summary>
public enum ListMode
{
    All,
    Partial,
}

/// <summary>Who publishes a list and under which reference; a null reference is derived from the content.</summary>
/// <param name="NoticeReason">The publisher's reason for flagging the list's entries, shown in every flagged lookup's notice.</param>
/// <param name="NoticeContact">Where a person affected can reach the publisher (the contact the law requires), shown in the notice.</param>
public sealed record ListSubmission(
    string Agency,
    string? Reference,
    string? Title,
    string Origin,
    string PublishedBy,
    DateOnly? PublishedOn = null,
    ListMode Mode = ListMode.All,
    string? NoticeReason = null,
    string? NoticeContact = null);

/// <summary>Rows ready to publish, or every reason they are not.</summary>
public sealed record ValidatedList(
    IReadOnlyList<ListEntryInput> Entries, IReadOnlyList<RowError> Errors, int Rows, int Duplicates, string ContentSha256, IReadOnlyList<RowError>? Notices = null);

public sealed record ImportOutcome(ValidatedList Validation, PublishResult? Result, string Reference)
{
    public TimeSpan ValidationTime { get; init; }

    public TimeSpan WriteTime { get; init; }

    /// <summary>The recorded answer of the upload (<see cref="ListUploadResult"/>), the first one for a re-sent list.</summary>
    public ListUploadResult? Recorded { get; init; }

    public bool Succeeded => Result is { Status: not PublishStatus.ReferenceConflict };
}

/// <summary>
/// Validates a whole list and publishes it all-or-nothing: one bad row means nothing is written and
/// every bad row is reported by line. Used by the import command and the demo list; the publisher
/// endpoint reuses it.
/// </summary>
public sealed class ListImporter(ListWriter writer, ProtectionIndex protection, TimeProvider time, IOptions<IdentifierOptions> identifierOptions)
{
    public const int MaxNoteLength = 1000;

    /// <summary>The longest reason a publisher gives a list's notice: a few plain sentences.</summary>
    public const int MaxNoticeReasonLength = 1000;

    /// <summary>The longest contact a publisher gives a list's notice: an office, a telephone number, an address.</summary>
    public const int MaxNoticeContactLength = 300;

    /// <summary>The notice on a published phone row whose number lies in a range libphonenumber does not know yet.</summary>
    public const string PhoneRangeUnknown = "phone_range_unknown";
    public const int MaxDisplayLength = 200;

    /// <summary>Risk of a row that names none: police lists flag what they have confirmed.</summary>
    public const Risk DefaultRisk = Risk.High;

    public async Task<ImportOutcome> ImportAsync(ListFileContent content, ListSubmission submission, CancellationToken cancellationToken = default)
    {
        // Read the allowlist now rather than trust this process's copy: another instance may have protected an
        // identifier within the last Protection:RefreshInterval, and a list must not flag it.
        await protection.ReloadAsync(cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var validation = Validate(content);
        var validated = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var publishable = validation.Entries.Count > 0
            && (validation.Errors.Count == 0 || (submission.Mode == ListMode.Partial && content.FileError is null));
        if (!publishable)
        {
            return new ImportOutcome(validation, null, submission.Reference ?? string.Empty) { ValidationTime = validated };
        }

        var reference = submission.Reference ?? "sha256:" + validation.ContentSha256[..16];
        var result = await writer.PublishAsync(
            submission,
            reference,
            validation.ContentSha256,
            validation.Entries,
            published => JsonSerializer.Serialize(ListUploadResult.Create(submission, reference, validation, published), ListUploadResult.JsonOptions),
            cancellationToken);
        var recorded = result.StoredResult is { } json ? JsonSerializer.Deserialize<ListUploadResult>(json, ListUploadResult.JsonOptions) : null;
        return new ImportOutcome(validation, result, reference)
        {
            ValidationTime = validated,
            WriteTime = System.Diagnostics.Stopwatch.GetElapsedTime(started) - validated,
            Recorded = recorded,
        };
    }

    public ValidatedList Validate(ListFileContent content)
    {
        var errors = new List<RowError>();
        if (content.FileError is { } fileError)
        {
            return new ValidatedList([], [fileError], content.Rows.Count, 0, string.Empty);
        }

        errors.AddRange(content.RowErrors);
        var options = identifierOptions.Value;
        var entries = new List<ListEntryInput>(content.Rows.Count);
        var seen = new HashSet<(IdentifierKind, string)>();
        var notices = new List<RowError>();
        var duplicates = 0;
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var row in content.Rows)
        {
            if (!IdentifierKinds.TryParse(row.Kind, out var kind))
            {
                errors.Add(new RowError(row.Line, string.IsNullOrEmpty(row.Kind) ? "missing_kind" : "unknown_kind",
                    $"Line {row.Line}: kind '{row.Kind}' is not one of {string.Join(", ", IdentifierKinds.WireNames)}."));
                continue;
            }

            var canonical = Identifier.Canonicalize(kind, row.Value, options);
            if (!canonical.IsValid)
            {
                errors.Add(new RowError(row.Line, canonical.ErrorCode!, $"Line {row.Line}: {canonical.ErrorDetail}"));
                continue;
            }

            var category = Category.Other;
            if (!string.IsNullOrEmpty(row.Category) && !WireNames.TryParse<Category>(row.Category, out category))
            {
                errors.Add(new RowError(row.Line, "invalid_category",
                    $"Line {row.Line}: category '{row.Category}' is not one of {string.Join(", ", WireNames.All<Category>())}."));
                continue;
            }

            var risk = DefaultRisk;
            if (!string.IsNullOrEmpty(row.Risk) && !WireNames.TryParse<Risk>(row.Risk, out risk))
            {
                errors.Add(new RowError(row.Line, "invalid_risk", $"Line {row.Line}: risk '{row.Risk}' is not one of low, medium, high."));
                continue;
            }

            var note = string.IsNullOrWhiteSpace(row.Note) ? null : row.Note.Trim();
            if (note is not null && (note.Length > MaxNoteLength || note.Any(c => char.IsControl(c) && c is not ('\n' or '\t'))))
            {
                errors.Add(new RowError(row.Line, "invalid_note",
                    $"Line {row.Line}: the note must be text of at most {MaxNoteLength} characters without control characters."));
                continue;
            }

            DateTime? expires = null;
            if (!string.IsNullOrEmpty(row.ExpiresAt))
            {
                if (!DateTimeOffset.TryParse(row.ExpiresAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    errors.Add(new RowError(row.Line, "invalid_expiry", $"Line {row.Line}: expiry '{row.ExpiresAt}' is not an ISO 8601 time."));
                    continue;
                }

                if (parsed.UtcDateTime <= now)
                {
                    errors.Add(new RowError(row.Line, "invalid_expiry", $"Line {row.Line}: expiry {row.ExpiresAt} is already past."));
                    continue;
                }

                expires = parsed.UtcDateTime;
            }

            var key = Matching.EntryKey(kind, canonical.Value!);
            if (protection.Check(kind, key) is { } refusal)
            {
                errors.Add(new RowError(row.Line, ProtectionProblemCodes.ProtectedIdentifier, $"Line {row.Line}: {refusal.Detail}"));
                continue;
            }

            if (!seen.Add((kind, key)))
            {
                // The same identifier in two spellings is one entry; the first row stands.
                duplicates++;
                continue;
            }

            if (kind == IdentifierKind.Phone && Phones.Describe(key) is { KnownRange: false })
            {
                notices.Add(new RowError(row.Line, PhoneRangeUnknown,
                    $"Line {row.Line}: published, though the number lies in a range the reference data does not know as assigned yet; check that it was copied right."));
            }

            var display = row.Value!.Trim();
            entries.Add(new ListEntryInput(kind, key, display.Length > MaxDisplayLength ? display[..MaxDisplayLength] : display, category, risk, note, expires));
        }

        if (entries.Count == 0 && errors.Count == 0)
        {
            errors.Add(new RowError(0, "empty_list", "The list has no rows; there is nothing to publish."));
        }

        return new ValidatedList(entries, errors, content.Rows.Count + content.RowErrors.Count, duplicates, Hash(entries), notices);
    }

    /// <summary>A hash of what the list says (not how the file spells it), to tell a repeated upload from a different one.</summary>
    private static string Hash(IReadOnlyList<ListEntryInput> entries)
    {
        // The lines are gathered into one buffer and hashed a block at a time: a million small
        // AppendData calls cost more than the hashing itself.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new StringBuilder();
        var chars = new char[256];
        var block = new byte[64 * 1024];
        var used = 0;
        foreach (var e in entries)
        {
            line.Clear()
                .Append(e.Kind.ToWire()).Append('\t').Append(e.Key).Append('\t')
                .Append(WireNames.Of(e.Category)).Append('\t').Append(WireNames.Of(e.Risk)).Append('\t')
                .Append(e.Note).Append('\t').Append(e.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture)).Append('\n');
            if (chars.Length < line.Length)
            {
                chars = new char[line.Length * 2];
            }

            line.CopyTo(0, chars, line.Length);
            var most = Encoding.UTF8.GetMaxByteCount(line.Length);
            if (used + most > block.Length)
            {
                sha.AppendData(block, 0, used);
                used = 0;
                if (most > block.Length)
                {
                    block = new byte[most];
                }
            }

            used += Encoding.UTF8.GetBytes(chars, 0, line.Length, block, used);
        }

        sha.AppendData(block, 0, used);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
