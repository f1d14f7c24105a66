using System.Globalization;
using System.Text;
using FlagApi.Identifiers;
using FlagApi.Lookup;
using FlagApi.Notifications;
using Microsoft.Extensions.Options;

namespace FlagApi.Messages;

/// <summary>
/// Finds every identifier in a message (<see cref="MessageScanner"/>) and looks each up as a single lookup would
/// (<see cref="LookupService.LookupCanonical"/>). Keeps nothing: the text and what was found in it live only for the request.
/// </summary>
public sealed class MessageCheckService(LookupService lookup, ListIndex index, IOptions<IdentifierOptions> identifierOptions)
{
    /// <summary>The longest message, in Unicode code points: several SMS, or a long chat message, pasted whole.</summary>
    public const int MaxTextLength = 5_000;

    /// <summary>The most items looked up per message; a message with more is answered for its first ones and marked truncated.</summary>
    public const int MaxItems = 100;

    /// <summary>Checks a message; each flagged item's notice is in <paramref name="language"/>.</summary>
    public MessageCheckResponse Check(string text, string language = NoticeLanguages.Chinese)
    {
        var found = MessageScanner.Scan(text, identifierOptions.Value, index.ListedApps);
        var items = new MessageCheckItem[Math.Min(found.Count, MaxItems)];
        for (var i = 0; i < items.Length; i++)
        {
            var item = found[i];
            var answer = lookup.LookupCanonical(item.Kind, item.Canonical, language);
            items[i] = new MessageCheckItem(
                answer.Kind, new TextSpan(item.Start, item.Length), item.Text, answer.Canonical, answer.Verdict, answer.Flagged, answer.Matches, answer.Notice);
        }

        var flagged = items.Any(i => i.Flagged);
        return new MessageCheckResponse(
            flagged ? MessageVerdict.Flagged : MessageVerdict.Clear, Reason(items, found.Count), lookup.ListVersion, found.Count > MaxItems, items);
    }

    /// <summary>The verdict in words, for a person reading the answer (the portal shows it as is).</summary>
    private static string Reason(MessageCheckItem[] items, int foundCount)
    {
        var reason = new StringBuilder();
        var flagged = items.Where(i => i.Flagged).ToList();
        if (items.Length == 0)
        {
            reason.Append("Nothing in the message is on the list: no phone number, link, domain, listed app or account was found in it.");
        }
        else if (flagged.Count == 0)
        {
            var counts = items.GroupBy(i => i.Kind).Select(g => Counted(g.Count(), g.Key)).ToList();
            reason.Append(CultureInfo.InvariantCulture, $"Nothing in the message is on the list: {Joined(counts)} {(items.Length == 1 ? "was" : "were")} checked.");
            var cleared = items.Count(i => i.Verdict == Verdict.Cleared);
            if (cleared > 0)
            {
                reason.Append(CultureInfo.InvariantCulture, $" {cleared} of them {(cleared == 1 ? "was" : "were")} flagged before and cleared.");
            }
        }
        else
        {
            var named = flagged.DistinctBy(i => (i.Kind, i.Canonical)).Select(Described).ToList();
            reason.Append(CultureInfo.InvariantCulture,
                $"{flagged.Count} of {items.Length} {(items.Length == 1 ? "item" : "items")} in the message {(flagged.Count == 1 ? "is" : "are")} flagged: {Joined(named)}.");
        }

        if (foundCount > items.Length)
        {
            reason.Append(CultureInfo.InvariantCulture, $" The message holds {foundCount} items; only the first {items.Length} were looked up.");
        }

        return reason.ToString();
    }

    private static string Described(MessageCheckItem item)
    {
        var match = item.Matches.First(m => m.Status == Data.EntryStatus.Active);
        var category = Data.WireNames.Of(match.Category).Replace('_', ' ');
        return $"the {Noun(item.Kind, 1)} {item.Canonical} ({category}, {Data.WireNames.Of(match.Risk)} risk)";
    }

    private static string Counted(int count, string kind) => $"{count} {Noun(kind, count)}";

    private static string Noun(string kind, int count)
    {
        var noun = kind switch
        {
            "phone" => "phone number",
            "url" => "link",
            _ => kind,
        };
        return count == 1 ? noun : noun + "s";
    }

    private static string Joined(List<string> parts) => parts.Count switch
    {
        1 => parts[0],
        _ => string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1],
    };
}
