using System.Globalization;
using FlagApi.Problems;

namespace FlagApi.Appeals;

/// <summary>
/// The "new owner since" date of a reissued number (issue 23, item 4): stated by the appellant when filing, verified by the
/// reviewer when approving. Carriers reissue a cancelled number after about 90 days, and its new owner must not carry the
/// old owner's flags: an approval as a new owner removes only the sources dated before the date.
/// </summary>
public static class NewOwnerDates
{
    /// <summary>
    /// Reads <paramref name="text"/> (<c>yyyy-MM-dd</c>) as a date that has begun somewhere on Earth by <paramref name="now"/>
    /// (UTC+14 is the first to reach a day), so an appellant in China just after midnight may give their local today. Null
    /// when absent; a problem (400 invalid_owner_since) when it is not such a date.
    /// </summary>
    public static DateOnly? Read(string? text, DateTime now, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw ProblemException.BadRequest(AppellantProblems.InvalidOwnerSince, $"'{field}' is a date written yyyy-MM-dd, such as 2026-03-01; '{text}' is not.");
        }

        if (date > DateOnly.FromDateTime(now.AddHours(14)))
        {
            throw ProblemException.BadRequest(AppellantProblems.InvalidOwnerSince, $"'{field}' ({date:yyyy-MM-dd}) is in the future: give the date you got the number.");
        }

        return date;
    }

    /// <summary>The refusal when no source that flags the entry is older than the owner's date: the flag is theirs, not an earlier owner's.</summary>
    public static ProblemException NotOlder(DateOnly ownerSince) => AppellantProblems.Conflict(
        AppellantProblems.FlagNotOlderThanOwnership,
        "The flag is not older than the ownership",
        $"Every source that flags this identifier is dated {ownerSince:yyyy-MM-dd} or later, so none of them concerns an owner before that date. "
        + "Appeal without 'ownerSince' and say why the flag is wrong.");
}
