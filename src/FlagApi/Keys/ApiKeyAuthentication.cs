using System.Security.Claims;
using System.Text.Encodings.Web;
using FlagApi.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
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
    /// One answer per key record, built on its first request and shared by the rest: a record is replaced, never
    /// changed, when its key is, and nothing in the pipeline writes to a principal or a ticket.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<KeyRecord, AuthenticateResult> Answers = new();

    private static readonly AuthenticateResult Invalid = AuthenticateResult.Fail("The API key is not valid.");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync() => await AuthenticateAsync(Context, keys);

    /// <summary>
    /// The caller the <c>X-Api-Key</c> header names: no result without the header, a failure for a key that names no
    /// active key. Shared by this handler and <see cref="ApiKeyMiddleware"/>, which calls it without the authentication
    /// service's per-request objects (a handler, a claims-transformation cache, a second ticket).
    /// </summary>
    internal static ValueTask<AuthenticateResult> AuthenticateAsync(HttpContext context, KeyStore keys) =>
        TryAuthenticate(context, keys, out var answer, out var unknown)
            ? ValueTask.FromResult(answer)
            : FindAsync(unknown!, keys, context.RequestAborted);

    /// <summary>
    /// The caller, when it is known without waiting: no header, a malformed one, or a key held in memory. False, with the
    /// secret in <paramref name="unknown"/>, when only a read of the keys table can tell.
    /// </summary>
    internal static bool TryAuthenticate(HttpContext context, KeyStore keys, out AuthenticateResult answer, out string? unknown)
    {
        unknown = null;
        if (!context.Request.Headers.TryGetValue(Header, out var values) || values.Count == 0)
        {
            answer = AuthenticateResult.NoResult();
            return true;
        }

        var secret = values.Count == 1 ? values[0]?.Trim() : null;
        if (string.IsNullOrEmpty(secret) || secret.Length > 200)
        {
            answer = Invalid;
            return true;
        }

        // Known keys are found in memory; only an unknown one may wait for a read of the keys table.
        if (keys.Find(secret, ConnectionItems(context)) is { } known)
        {
            answer = Answer(known);
            return true;
        }

        answer = Invalid;
        unknown = secret;
        return false;
    }

    /// <summary>
    /// What outlives the request on its connection, where one request at a time uses it: HTTP/1.x, whose requests on a
    /// connection follow one another (HTTP/2 streams share their connection's items at the same time).
    /// </summary>
    private static IDictionary<object, object?>? ConnectionItems(HttpContext context) =>
        HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol)
            ? context.Features.Get<IConnectionItemsFeature>()?.Items
            : null;

    private static async ValueTask<AuthenticateResult> FindAsync(string secret, KeyStore keys, CancellationToken cancellationToken) =>
        await keys.FindAsync(secret, cancellationToken) is { } key ? Answer(key) : Invalid;

    private static AuthenticateResult Answer(KeyRecord key) =>
        Answers.GetValue(key, static k => AuthenticateResult.Success(new AuthenticationTicket(Principal(k), SchemeName)));

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

/// <summary>
/// Authentication for every request, in place of ASP.NET Core's middleware: the caller the <c>X-Api-Key</c> header
/// names becomes the request's user, and a header that names no active key is refused with 401 even on endpoints anyone
/// may call. The key is checked once per request, against the keys in memory.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, KeyStore keys)
{
    public Task InvokeAsync(HttpContext context)
    {
        var answer = ApiKeyAuthenticationHandler.AuthenticateAsync(context, keys);
        return answer.IsCompletedSuccessfully ? Continue(context, answer.Result) : ContinueAsync(context, answer);
    }

    private async Task ContinueAsync(HttpContext context, ValueTask<AuthenticateResult> answer) => await Continue(context, await answer);

    private Task Continue(HttpContext context, AuthenticateResult result)
    {
        if (result.Failure is not null)
        {
            return context.ChallengeAsync(ApiKeyAuthenticationHandler.SchemeName);
        }

        SetCaller(context, result);
        return next(context);
    }

    /// <summary>Makes a successful <paramref name="result"/>'s caller the request's user; anything else leaves it anonymous.</summary>
    internal static void SetCaller(HttpContext context, AuthenticateResult result)
    {
        if (result.Succeeded)
        {
            // What authorization reads: the user, and the result it would otherwise ask the scheme for again.
            var authenticated = new Authenticated(result);
            context.Features.Set<IHttpAuthenticationFeature>(authenticated);
            context.Features.Set<IAuthenticateResultFeature>(authenticated);
        }
    }

    /// <summary>One per request, since the user can be replaced through it.</summary>
    private sealed class Authenticated(AuthenticateResult result) : IHttpAuthenticationFeature, IAuthenticateResultFeature
    {
        private ClaimsPrincipal? user = result.Principal;

        public AuthenticateResult? AuthenticateResult { get; set; } = result;

        public ClaimsPrincipal? User
        {
            get => user;
            set
            {
                user = value;
                AuthenticateResult = null;
            }
        }
    }
}
