using System.Security.Claims;
using System.Text.Encodings.Web;
using FlagApi.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace FlagApi.Keys;

/// <summary>
/// Authenticates the <c>X-Api-Key</c> header against the in-memory <see cref="KeyStore"/>. No header
/// is an anonymous caller; a header that names no active key is a 401 wherever it is sent, so a
/// caller with a revoked key learns it instead of being quietly served as anonymous.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    KeyStore keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>
    /// One principal per key record, built on its first request and shared by the rest: a record is replaced, never
    /// changed, when its key is, and nothing in the pipeline writes to a principal.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<KeyRecord, ClaimsPrincipal> Principals = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var secret = values.Count == 1 ? values[0]?.Trim() : null;
        if (string.IsNullOrEmpty(secret) || secret.Length > 200 || await keys.FindAsync(secret, Context.RequestAborted) is not { } key)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(Principals.GetValue(key, Principal), SchemeName));
    }

    private static ClaimsPrincipal Principal(KeyRecord key)
    {
        List<Claim> claims =
        [
            new(CallerClaims.KeyIdClaim, key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, key.Name),
            new(ClaimTypes.Role, key.Role),
            new(CallerClaims.PrefixClaim, key.Prefix),
        ];
        if (key.Agency is not null)
        {
            claims.Add(new Claim(CallerClaims.AgencyClaim, key.Agency));
        }

        if (key.Tier is not null)
        {
            claims.Add(new Claim(CallerClaims.TierClaim, key.Tier));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var sent = Request.Headers.ContainsKey(Header);
        return WriteAsync(
            StatusCodes.Status401Unauthorized,
            sent ? KeyProblemCodes.InvalidApiKey : KeyProblemCodes.MissingApiKey,
            sent ? "The API key is not valid" : "An API key is required",
            sent
                ? $"The {Header} header does not name an active key: it is mistyped, or the key was revoked. Ask the FlagApi administrators for a new one."
                : $"This endpoint needs an API key in the {Header} header ({RequiredRoles()}).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteAsync(
            StatusCodes.Status403Forbidden,
            KeyProblemCodes.WrongRole,
            "This key's role may not do that",
            $"The key is a '{Context.User.Role()}' key; this endpoint needs {RequiredRoles()}.");

    /// <summary>Who the endpoint admits, from its policies (groups require a policy, not bare roles).</summary>
    private string RequiredRoles()
    {
        var needs = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Select(a => a.Policy is { Length: > 0 } policy ? Policies.Describe(policy)
                : a.Roles is { Length: > 0 } roles ? "role " + string.Join(" or ", roles.Split(',', StringSplitOptions.TrimEntries))
                : null)
            .OfType<string>()
            .Distinct()
            .ToList();
        return needs is { Count: > 0 } ? "a key of " + string.Join(" and ", needs) : "a key";
    }

    private async Task WriteAsync(int status, string code, string title, string detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{Header}\"";
        }

        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }
}

public static class KeyProblemCodes
{
    public const string MissingApiKey = "missing_api_key";
    public const string InvalidApiKey = "invalid_api_key";
    public const string WrongRole = "wrong_role";
    public const string InvalidRole = "invalid_role";
    public const string MissingAgency = "missing_agency";
    public const string UnexpectedAgency = "unexpected_agency";
    public const string UnknownTier = "unknown_tier";
    public const string InvalidName = "invalid_name";
    public const string LastAdminKey = "last_admin_key";
}

/// <summary>Refuses a request whose <c>X-Api-Key</c> failed, even on endpoints anyone may call.</summary>
internal sealed class RejectInvalidKeyMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
        if (result.Failure is not null)
        {
            await context.ChallengeAsync(ApiKeyAuthenticationHandler.SchemeName);
            return;
        }

        await next(context);
    }
}
