using System.ComponentModel;
using FlagApi.Data;

namespace FlagApi.Lookup;

/// <summary>
/// What a person whose identifier is flagged must be told (Anti-Telecom-Fraud Law, art. 31–32): who listed it and why,
/// whom to contact, how to appeal, what proof helps and how long a decision takes. Carried by every flagged lookup answer.
/// </summary>
[Description("The notice every flagged answer carries (Anti-Telecom-Fraud Law art. 31-32): who listed the identifier and why, whom to contact, how to appeal, what proof helps and how long a decision may take, in plain words in the language the request asked for (Accept-Language: zh or en; zh by default). Absent from answers that are not flagged.")]
public sealed record FlagNotice(
    [property: Description("The language of the notice's words: zh or en, the first of the two the request's Accept-Language prefers; zh when it names neither. A publisher's own reason and contact are shown as written.")] string Language,
    [property: Description("The whole notice in a few plain sentences, for a client that shows one text.")] string Summary,
    [property: Description("The category of the flag (of the most specific active match).")] Category Category,
    [property: Description("The category as a reason, in plain words.")] string Reason,
    [property: Description("Every active source of the flag: each published list with its agency, id, reference, title and date, the publisher's reason and contact; or a confirmed community report.")] IReadOnlyList<NoticeListing> ListedBy,
    [property: Description("How to appeal and how long a decision may take.")] NoticeAppeal Appeal,
    [property: Description("The proof that helps an appeal for this kind of identifier, e.g. the carrier's real-name certificate for a phone number or the platform's confirmation for an account.")] IReadOnlyList<string> Evidence)
{
    /// <summary>What an answer says of its <c>notice</c>.</summary>
    public const string Presence = "Present when the verdict is flagged, absent otherwise: who listed it, why, whom to contact, how to appeal, what proof helps and the decision time promised, in plain words (Accept-Language zh or en; zh by default).";
}

/// <summary>One active source of a flag, as the notice names it.</summary>
[Description("One active source of the flag.")]
public sealed record NoticeListing(
    [property: Description("list (a list a publisher published), report (a community report a reviewer confirmed) or legacy (a source carried over from before lists were recorded).")] string Source,
    [property: Description("The source as entries name it, e.g. '北京市公安局 2026-W09' or 'community report #12'.")] string Label,
    [property: Description("The agency that published the list; null for a source that is not a list.")] string? Agency,
    [property: Description("The list's id (GET /v1/batches/{id}); null for a source that is not a list.")] long? ListId,
    [property: Description("The list's reference, e.g. 2026-W09.")] string? Reference,
    [property: Description("The list's title, if it has one.")] string? Title,
    [property: Description("The date the agency gave the list, if it gave one.")] DateOnly? PublishedOn,
    [property: Description("When this source flagged the identifier.")] DateTime ListedAt,
    [property: Description("The category of the entry this source flagged.")] Category Category,
    [property: Description("Why: the publisher's own reason for the list when it gave one (as written), else the category as a reason in plain words.")] string Reason,
    [property: Description("True when reason is the publisher's own text.")] bool ReasonFromPublisher,
    [property: Description("Where a person affected can reach the publisher, as the publisher gave it (the contact the law requires); null when it gave none.")] string? Contact);

/// <summary>How to appeal a flag, and the decision time the service promises.</summary>
[Description("How to appeal, and the decision time promised.")]
public sealed record NoticeAppeal(
    [property: Description("The portal's appeal page for this identifier, filled in: under Portal:OfficialAddress when it is set, else a path on this service; null when the portal is off and no official address is set.")] string? Portal,
    [property: Description("The API to appeal through: POST /v1/appeals.")] string Api,
    [property: Description("The decision time promised (Appeals:ServiceLevel), in whole hours rounded up.")] int DecisionWithinHours,
    [property: Description("The decision time promised, in plain words.")] string DecisionTime);
