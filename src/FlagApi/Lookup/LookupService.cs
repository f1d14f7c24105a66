using FlagApi.Data;
using FlagApi.Problems;
using FlagApi.Identifiers;
using FlagApi.Notifications;
using FlagApi.Protection;
using Microsoft.Extensions.Options;

namespace FlagApi.Lookup;

/// <summary>Canonicalizes a query and matches it against the in-memory index; never touches the database.</summary>
public sealed class LookupService(
    ListIndex index, ProtectionIndex protection, IReportSignals reports, FlagNoticeBuilder notices, IOptions<IdentifierOptions> identifierOptions, TimeProvider time)
{
    public long ListVersion => index.Version;

    /// <summary>
    /// Looks one identifier up, or says in an <see cref="ItemError"/> why it cannot be; a flagged answer's notice is in
    /// <paramref name="language"/> (<see cref="FlagNoticeBuilder.LanguageOf"/>).
    /// </summary>
    public (LookupResponse? Response, ItemError? Error) Lookup(string? kindName, string? value, string language = NoticeLanguages.Chinese)
    {
        if (!IdentifierKinds.TryParse(kindName, out var kind))
        {
            return (null, UnknownKind(kindName));
        }

        if (value is null)
        {
            return (null, new ItemError(ProblemCodes.MissingValue, "A value to look up is required."));
        }

        var canonical = Identifier.Canonicalize(kind, value, identifierOptions.Value);
        if (!canonical.IsValid)
        {
            return (null, new ItemError(canonical.ErrorCode!, canonical.ErrorDetail!));
        }

        return (Match(kind, value, canonical.Value!, language), null);
    }

    /// <summary>Looks up an identifier already in canonical form (found in a message by <see cref="MessageScanner"/>), as <see cref="Lookup"/> would.</summary>
    public LookupResponse LookupCanonical(IdentifierKind kind, string canonical, string language = NoticeLanguages.Chinese) =>
        Match(kind, canonical, canonical, language);

    public static ItemError UnknownKind(string? kindName) => new(
        ProblemCodes.UnknownKind,
        IdentifierKinds.UnknownKindDetail(kindName));

    private LookupResponse Match(IdentifierKind kind, string query, string canonical, string language)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var version = index.Version;

        // Sized to the probes (one for a phone, an app or an account), so nothing is grown or copied on the way to the answer.
        var probes = Matching.Probes(kind, canonical);
        LookupMatch[]? matches = null;
        var found = 0;
        var flagged = false;
        var cleared = false;
        for (var i = 0; i < probes.Count; i++)
        {
            var probe = probes[i];
            if (index.Find(probe.EntryKind, probe.Key) is not { } entry)
            {
                continue;
            }

            var status = entry.EffectiveStatus(now);
            flagged |= status == EntryStatus.Active;
            cleared |= status == EntryStatus.Cleared;
            (matches ??= new LookupMatch[probes.Count])[found++] = new LookupMatch(
                entry.Id,
                entry.Kind.ToWire(),
                entry.Value,
                probe.Key,
                entry.Category,
                entry.Risk,
                status,
                entry.FirstSeen,
                entry.LastSeen,
                entry.ExpiresAt,
                SourcesOf(entry));
        }

        var verdict = flagged ? Verdict.Flagged : cleared ? Verdict.Cleared : Verdict.Clear;
        var covering = protection.Covering(kind, canonical);
        var notice = covering is null ? null : new ProtectionNotice(covering.Kind.ToWire(), covering.Value, covering.Display, covering.Reason);

        // The reports on exactly what was asked (for a URL, its full expression), not those on the domain above it or the
        // pages under it: a reader sees how many people reported this, whatever the verdict, which reports never change.
        var signal = reports.Signal(kind, Matching.EntryKey(kind, canonical));
        var phone = kind == IdentifierKind.Phone ? PhoneDetails.Of(canonical) : null;
        IReadOnlyList<LookupMatch> matched = matches is null ? [] : found == matches.Length ? matches : matches[..found];
        return new LookupResponse(
            kind.ToWire(), query, canonical, verdict, flagged, matched, signal, version, notice, phone,
            flagged ? notices.Build(kind, canonical, matched, language) : null);
    }

    private static MatchSource[] SourcesOf(IndexedEntry entry)
    {
        var sources = new MatchSource[entry.Sources.Count];
        for (var i = 0; i < sources.Length; i++)
        {
            var source = entry.Sources[i];
            sources[i] = new MatchSource(source.Type, source.Label, source.ListId, source.AddedAt);
        }

        return sources;
    }
}
