using System.Collections.Frozen;
using System.Text.Json;

namespace FlagApi.Data;

/// <summary>Fraud types as police statistics count them (docs/product.md, categories).</summary>
public enum Category
{
    TaskBrushing,
    LoanOrCard,
    ImpersonatingAuthorities,
    InvestmentRomance,
    ImpersonatingAcquaintance,
    FakeCustomerService,
    FakeCreditRepair,
    Gambling,
    RemoteControlApp,
    Other,
}

public enum Risk
{
    Low,
    Medium,
    High,
}

public enum EntryStatus
{
    Active,
    Cleared,
    Expired,
    Retracted,
}

/// <summary>
/// docs/product.md: <c>submitted → in_review → needs_info ⇄ in_review → approved | rejected</c>, <c>withdrawn</c> from any
/// open state by the appellant, and <c>resolved</c> from any open state when the entry stopped being flagged another way
/// (another appeal approved, its lists retracted, its expiry passed).
/// </summary>
public enum AppealStatus
{
    Submitted,
    InReview,
    NeedsInfo,
    Approved,
    Rejected,
    Withdrawn,
    Resolved,
}

/// <summary>Which stored appeal statuses are still open (see <c>Appeals.AppealStates</c>, the state machine, which asks this).</summary>
public static class AppealStatuses
{
    public static bool IsOpen(AppealStatus status) => status is AppealStatus.Submitted or AppealStatus.InReview or AppealStatus.NeedsInfo;
}

/// <summary>How a reviewer verified that the appellant owns the identifier (required to approve).</summary>
public enum Verification
{
    CarrierRealName,
    Callback,
    InPersonId,
    PlatformConfirmation,
    Other,
}

/// <summary>
/// The snake_case names an enum value has on the wire, in the database and in list files.
/// One mapping for all three so a stored value always reads back as what the API wrote.
/// </summary>
public static class WireNames
{
    public static IReadOnlyCollection<string> All<T>()
        where T : struct, Enum => Cache<T>.Sorted;

    public static string Of<T>(T value)
        where T : struct, Enum => Cache<T>.Names[value];

    public static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum => Cache<T>.Values.TryGetValue(text ?? string.Empty, out value);

    public static T Parse<T>(string text)
        where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name}.");

    private static class Cache<T>
        where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Names =
            Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

        public static readonly FrozenDictionary<string, T> Values =
            Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        public static readonly IReadOnlyCollection<string> Sorted = [.. Names.Values.Order(StringComparer.Ordinal)];
    }
}
