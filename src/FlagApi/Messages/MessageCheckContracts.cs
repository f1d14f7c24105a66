using System.ComponentModel;
using System.Text.Json.Serialization;
using FlagApi.Lookup;

namespace FlagApi.Messages;

/// <summary>A message as a person received it (an SMS, a chat), to find and look up every identifier in it.</summary>
public sealed record MessageCheckRequest(
    [property: Description("The message, 1 to 5,000 characters (Unicode code points). It is never stored or logged.")] string? Text);

/// <summary>Whether anything in the message is flagged.</summary>
public enum MessageVerdict
{
    /// <summary>At least one item of the message is flagged.</summary>
    Flagged,

    /// <summary>No item is flagged (none was found, or none is on the list as flagged).</summary>
    Clear,
}

/// <summary>The answer to a message check (docs/api-v1.md, <c>POST /v1/check/message</c>).</summary>
public sealed record MessageCheckResponse(
    [property: Description("flagged when any item is flagged, else clear.")] MessageVerdict Verdict,
    [property: Description("The verdict in plain English words: how many items were found and which are flagged, with their category and risk.")] string Reason,
    long ListVersion,
    [property: Description("True when the message held more items than are looked up per check (100); only the first 100 are answered.")] bool Truncated,
    [property: Description("Every identifier found, in order of appearance; one written twice appears twice.")] IReadOnlyList<MessageCheckItem> Items);

/// <summary>One identifier found in the message, answered as <c>GET /v1/lookup/{kind}</c> answers it.</summary>
public sealed record MessageCheckItem(
    string Kind,
    TextSpan Span,
    [property: Description("The identifier exactly as written in the message, obfuscation included (evil点com).")] string Text,
    string Canonical,
    Verdict Verdict,
    bool Flagged,
    IReadOnlyList<LookupMatch> Matches,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description(FlagNotice.Presence)] FlagNotice? Notice = null);

/// <summary>Where in the submitted text an item stands, in UTF-16 code units (JavaScript string indices).</summary>
public sealed record TextSpan(
    [property: Description("The index of the item's first UTF-16 code unit in the submitted text.")] int Start,
    [property: Description("The item's length in UTF-16 code units.")] int Length);
