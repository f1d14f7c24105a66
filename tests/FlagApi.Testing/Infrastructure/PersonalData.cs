using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace FlagApi.Tests.Infrastructure;

/// <summary>What docs/product.md forbids in logs, by its shape: secrets (API keys, appeal tokens), full phone numbers, account ids and contacts.</summary>
public static partial class PersonalData
{
    public sealed record Finding(string What, string Field, string Match);

    /// <summary>Fields that hold ids the runtime or the service made (W3C trace ids can be all digits), never a person's data.</summary>
    private static readonly FrozenSet<string> MachineFields = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "TraceId", "SpanId", "ParentId", "RequestId", "ConnectionId", "traceparent", "{OriginalFormat}");

    /// <summary>The shapes found in <paramref name="text"/>, unless <paramref name="field"/> is one of the runtime's own ids.</summary>
    public static IEnumerable<Finding> Find(string field, string? text)
    {
        if (string.IsNullOrEmpty(text) || MachineFields.Contains(field))
        {
            yield break;
        }

        foreach (Match match in ApiKey().Matches(text))
        {
            yield return new Finding("an API key", field, match.Value);
        }

        foreach (Match match in AppealToken().Matches(text))
        {
            yield return new Finding("an appeal access token", field, match.Value);
        }

        foreach (Match match in Email().Matches(text))
        {
            yield return new Finding("an email address", field, match.Value);
        }

        foreach (Match match in Account().Matches(text))
        {
            yield return new Finding("an account id", field, match.Value);
        }

        // A GUID's groups of digits read as a number written with dashes (SqlClient ends each exception with its
        // ClientConnectionId, all zeros when no connection was made); it is the runtime's id, never a person's.
        foreach (Match match in PhoneNumber().Matches(MachineId().Replace(text, "guid")))
        {
            if (!DateLike().IsMatch(match.Value))
            {
                yield return new Finding("a phone number", field, match.Value);
            }
        }
    }

    // Generated keys are "fk_" and 43 base64url characters; their 11-character prefix may be logged.
    [GeneratedRegex(@"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b")]
    private static partial Regex MachineId();

    [GeneratedRegex(@"fk_[A-Za-z0-9_-]{20,}")]
    private static partial Regex ApiKey();

    /// <summary>An old <c>at_</c> token, or a grouped one (six groups of four in the tracking code's alphabet).</summary>
    [GeneratedRegex(@"at_[A-Za-z0-9_-]{20,}|\b[34679ACDEFGHJKMNPQRTUVWXY]{4}(-[34679ACDEFGHJKMNPQRTUVWXY]{4}){5}\b")]
    private static partial Regex AppealToken();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    // Canonical account ids are "platform:id" (FlagApi.Identifiers' platform list).
    [GeneratedRegex(@"\b(?:wechat|qq|alipay|bank_card|weibo|douyin|kuaishou|taobao|telegram|whatsapp|line|skype|paypal|usdt_trc20|usdt_erc20|usdt):[^\s""',;)]+")]
    private static partial Regex Account();

    // Eight digits or more, alone or with single spaces or dashes between them, as people write numbers;
    // masked numbers (138****8000) and short figures (counts, ports, milliseconds) are not full numbers.
    [GeneratedRegex(@"(?<![\w.])\+?\d(?:[ -]?\d){7,}(?!\w|\.\d)")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateLike();
}
