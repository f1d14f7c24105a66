using FlagApi.Appeals;
using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using FlagApi.Notifications;
using FlagApi.Portal;
using Microsoft.Extensions.Options;

namespace FlagApi.Lookup;

/// <summary>
/// Builds the notice of a flagged answer from its active matches and the lists in memory (<see cref="ListNotices"/>):
/// no database read, so a flagged lookup is answered as fast as any other.
/// </summary>
public sealed class FlagNoticeBuilder(ListNotices lists, IOptions<AppealsOptions> appeals, IOptions<PortalOptions> portal)
{
    public const string AppealApi = "POST /v1/appeals";

    private readonly int decisionHours = (int)Math.Ceiling(appeals.Value.ServiceLevel.TotalHours);

    // Where the appeal page is: the official address a deployment names, else this service's own portal, else nowhere.
    private readonly string? appealPage = portal.Value.OfficialAddress is { Length: > 0 } official
        ? official.TrimEnd('/') + PortalEndpoints.AppealPage
        : portal.Value.Enabled ? PortalEndpoints.AppealPage : null;

    /// <summary>
    /// The language a request asks notices in: <see cref="NoticeLanguages.Choose"/>, without reading the header's
    /// parts when it has none (most API calls), since every lookup asks before it knows whether it will need a notice.
    /// </summary>
    public static string LanguageOf(HttpRequest request) =>
        request.Headers.AcceptLanguage.Count == 0 ? NoticeLanguages.Chinese : NoticeLanguages.Choose(null, request);

    /// <summary>The notice of an answer whose <paramref name="matches"/> include an active one; null if none is.</summary>
    public FlagNotice? Build(IdentifierKind kind, string canonical, IReadOnlyList<LookupMatch> matches, string language)
    {
        LookupMatch? first = null;
        var listedBy = new List<NoticeListing>();
        for (var i = 0; i < matches.Count; i++)
        {
            var match = matches[i];
            if (match.Status != EntryStatus.Active)
            {
                continue;
            }

            first ??= match;
            foreach (var source in match.Sources)
            {
                if (Listing(source, match.Category, language) is { } listing
                    && !listedBy.Exists(l => l.Source == listing.Source && l.Label == listing.Label && l.ListId == listing.ListId))
                {
                    listedBy.Add(listing);
                }
            }
        }

        return first is null ? null : Compose(kind, canonical, first.Category, listedBy, language);
    }

    /// <summary>
    /// The notice of one active entry as read from the database with its sources' lists, for a caller that can be ahead of
    /// this instance's <see cref="ListNotices"/> (the watch notifier reads the change log as soon as it is written).
    /// </summary>
    public FlagNotice Build(
        IdentifierKind kind, string canonical, Category category, IReadOnlyList<(MatchSource Source, ListNoticeFacts? List)> sources, string language) =>
        Compose(kind, canonical, category, [.. sources.Select(s => Listing(s.Source, s.List, category, language)).OfType<NoticeListing>()], language);

    private FlagNotice Compose(IdentifierKind kind, string canonical, Category category, List<NoticeListing> listedBy, string language)
    {
        var appeal = new NoticeAppeal(
            appealPage is null ? null : $"{appealPage}?kind={kind.ToWire()}&value={Uri.EscapeDataString(canonical)}",
            AppealApi,
            decisionHours,
            NoticeTexts.DecisionTime(decisionHours, language));
        var notice = new FlagNotice(
            language, string.Empty, category, NoticeTexts.Reason(category, language), listedBy, appeal, NoticeTexts.EvidenceFor(kind, language));
        return notice with { Summary = NoticeTexts.Summary(notice) };
    }

    /// <summary>One source as the notice names it; null for a list no longer published (retracted, or not yet known here).</summary>
    private NoticeListing? Listing(MatchSource source, Category category, string language) =>
        Listing(source, source.ListId is { } listId ? lists.Find(listId) : null, category, language);

    private static NoticeListing? Listing(MatchSource source, ListNoticeFacts? list, Category category, string language)
    {
        if (source.Type != SourceTypes.List)
        {
            return new NoticeListing(
                source.Type, source.Label, null, null, null, null, null, source.AddedAt, category, NoticeTexts.Reason(category, language), false, null);
        }

        return list is null ? null : new NoticeListing(
            source.Type,
            source.Label,
            list.Agency,
            list.Id,
            list.Reference,
            list.Title,
            list.PublishedOn,
            source.AddedAt,
            category,
            list.NoticeReason ?? NoticeTexts.Reason(category, language),
            list.NoticeReason is not null,
            list.NoticeContact);
    }
}
