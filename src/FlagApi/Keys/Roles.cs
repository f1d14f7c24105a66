using System.Security.Claims;

namespace FlagApi.Keys;

/// <summary>The roles an API key can hold (docs/product.md: app, publisher bound to one agency, reviewer, admin).</summary>
public static class Roles
{
    public const string App = "app";
    public const string Publisher = "publisher";
    public const string Reviewer = "reviewer";
    public const string Admin = "admin";

    /// <summary>The partition and rate-limit tier of callers without a key.</summary>
    public const string Anonymous = "anonymous";

    public static readonly IReadOnlyList<string> All = [App, Publisher, Reviewer, Admin];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role);
}

/// <summary>Authorization policies, one per kind of caller an endpoint group admits.</summary>
public static class Policies
{
    /// <summary>Third-party apps keeping a local copy (the feed); admins may too.</summary>
    public const string App = "app";

    /// <summary>Publishers only: a list belongs to the agency of the key that publishes it.</summary>
    public const string Publisher = "publisher";

    /// <summary>Publishers and admins (retracting: an admin may retract any agency's list).</summary>
    public const string PublisherOrAdmin = "publisher-or-admin";

    public const string Reviewer = "reviewer";

    /// <summary>Reviewers and admins; publishers too, whose handlers then show only what concerns their own agency's lists (appeals against them).</summary>
    public const string ReviewerOrPublisher = "reviewer-or-publisher";

    public const string Admin = "admin";

    /// <summary>Who a policy admits, as the OpenAPI document says it.</summary>
    public static string Describe(string policy) => policy switch
    {
        App => "role app or admin",
        Publisher => "role publisher",
        PublisherOrAdmin => "role publisher, or admin",
        Reviewer => "role reviewer or admin",
        ReviewerOrPublisher => "role reviewer or admin, or publisher for its own agency's lists",
        Admin => "role admin",
        _ => policy,
    };
}

/// <summary>The claims an authenticated key carries, and how handlers name the caller in history.</summary>
public static class CallerClaims
{
    public const string KeyIdClaim = "flagapi:key_id";
    public const string AgencyClaim = "flagapi:agency";
    public const string TierClaim = "flagapi:tier";
    public const string PrefixClaim = "flagapi:key_prefix";

    public static long? KeyId(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(KeyIdClaim), System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? Roles.Anonymous;

    public static string? Agency(this ClaimsPrincipal user) => user.FindFirstValue(AgencyClaim);

    public static string? Tier(this ClaimsPrincipal user) => user.FindFirstValue(TierClaim);

    /// <summary>How history and the audit log name who did something: <c>key 7 (Beijing uploader)</c> or <c>anonymous</c>.</summary>
    public static string Actor(this ClaimsPrincipal user) =>
        user.KeyId() is { } id
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"key {id} ({user.Identity?.Name})")
            : Roles.Anonymous;
}
