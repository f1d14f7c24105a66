using Microsoft.OpenApi;

namespace FlagApi.Documentation;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> (checked in as <c>openapi/v1.json</c>) and Swagger UI at <c>/swagger</c>.</summary>
public static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";

    private const string ApiKeyScheme = "ApiKey";

    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
        // Each capability registers what it declares (limits, read-only operations, owners' refusals) in its own Add*.
        builder.Services.AddApiDeclaration<SharedApiLimits>();
        builder.Services.AddSingleton<ApiDeclarations>();
        builder.Services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "FlagApi",
                    Version = "v1",
                    Description = "Public API over identifiers flagged in telecom and online fraud: phone numbers, URLs, domains, apps and accounts.",
                    Contact = new OpenApiContact { Name = "FlagApi maintainers" },
                    License = new OpenApiLicense { Name = "Proprietary" },
                };

                // The document is compared with the checked-in copy: it must not depend on the host that served it.
                // x-internal: the API is public (OWASP API9:2023, an inventory of who each server is for).
                // Every deployment serves the same document, so the server is a variable: a generated client (or Swagger UI's
                // server field) is given the deployment it calls. The default is the service the README runs locally.
                document.Servers =
                [
                    new OpenApiServer
                    {
                        Url = "{origin}",
                        Description = "Your FlagApi deployment",
                        Variables = new Dictionary<string, OpenApiServerVariable>
                        {
                            ["origin"] = new()
                            {
                                Default = "http://localhost:5080",
                                Description = "The scheme, host and port of the FlagApi service to call, e.g. https://flagapi.example.org; the default is `dotnet run --project src/FlagApi` on this machine.",
                            },
                        },
                        Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(false) },
                    },
                ];
                document.Tags = new HashSet<OpenApiTag>(
                    (document.Tags ?? new HashSet<OpenApiTag>()).Concat([
                        new OpenApiTag { Name = "Lookup", Description = "Is this identifier flagged?" },
                        new OpenApiTag { Name = "Lists", Description = "Police agencies' numbered lists: publish, the public record, retraction." },
                        new OpenApiTag { Name = "Entries", Description = "The record behind every entry, for reviewers." },
                        new OpenApiTag { Name = "Protection", Description = "Identifiers that must never be flagged by mistake." },
                        new OpenApiTag { Name = "Keys", Description = "API keys and their roles, for admins." },
                        new OpenApiTag { Name = "Health", Description = "Liveness and readiness probes." },
                    ]).DistinctBy(t => t.Name));
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [ApiKeyScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = Keys.ApiKeyAuthenticationHandler.Header,
                        Description = "An API key issued by the FlagApi administrators. Without one, callers are anonymous: they may look up, report and appeal at lower rate limits.",
                    },
                };
                return Task.CompletedTask;
            });

            // Operations that need a key say so, and which roles they admit. The others may be called with
            // or without one (a key raises the caller's rate limits): an empty requirement is "anonymous".
            options.AddOperationTransformer((operation, context, _) =>
            {
                var roles = context.Description.ActionDescriptor.EndpointMetadata
                    .OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
                    .Select(a => a.Policy)
                    .OfType<string>()
                    .ToList();
                var apiKey = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] };
                if (roles.Count > 0)
                {
                    operation.Security = [apiKey];
                    operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : string.Empty) +
                        $"Needs an API key ({string.Join(", ", roles.Select(Keys.Policies.Describe))}).";
                }
                else
                {
                    operation.Security = [new OpenApiSecurityRequirement(), apiKey];
                }

                return Task.CompletedTask;
            });

            // Every operation can answer these, whatever its own metadata says, because middleware in front of every
            // endpoint refuses them: a bad key (ApiKeyMiddleware), a NUL in the query (QueryTextMiddleware),
            // a body over the endpoint's limit, even where it takes none (RequestBodyLimitMiddleware), a request target or headers
            // over the service's (RequestSizeLimitMiddleware), a JSON charset other than UTF-8
            // (JsonCharsetMiddleware), a database that cannot take the request (ProblemExceptionHandler), a failure.
            // HostileRequestTests fails on an answer the operation does not declare.
            options.AddOperationTransformer((operation, context, _) =>
            {
                operation.Responses ??= [];
                operation.Responses.TryAdd("400", Problem(context.Document,
                    "A parameter is not valid (invalid_parameter and the operation's own codes): the query string holds a NUL character (%00), for one."));
                operation.Responses.TryAdd("401", Problem(context.Document,
                    "The X-Api-Key header names no active key (invalid_api_key): a key that is sent must be valid, even where none is needed."));
                operation.Responses.TryAdd("413", Problem(context.Document, operation.RequestBody is null
                    ? "This operation takes no body; one larger than Limits:MaxRequestBodyBytes is refused unread (body_too_large)."
                    : "The request body is larger than this operation accepts (body_too_large); nothing was stored."));
                operation.Responses.TryAdd("414", Problem(context.Document,
                    "The request target is longer than any valid request's (uri_too_long): nine bytes per character of Identifiers:MaxInputLength " +
                    "(a value percent-encoded as UTF-8), and 2048 more for the path and the other parameters."));
                operation.Responses.TryAdd("431", Problem(context.Document,
                    $"The request headers are larger than the service reads (headers_too_large): {Problems.RequestSizeLimits.MaxHeadersTotalBytes} bytes " +
                    $"in all, in at most {Problems.RequestSizeLimits.MaxHeaderCount} lines."));
                if (operation.RequestBody?.Content?.ContainsKey("application/json") == true)
                {
                    operation.Responses.TryAdd("415", Problem(context.Document,
                        "The body is not JSON in UTF-8 (unsupported_media_type): send 'Content-Type: application/json', with no charset or charset=utf-8."));
                }

                if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<ServedWithoutDatabase>().Any())
                {
                    operation.Responses.TryAdd("503", Unavailable(context.Document));
                }

                operation.Responses.TryAdd("500", Problem(context.Document,
                    "An unexpected failure (internal_error). The problem holds no internals, only the traceId to quote when reporting it."));
                return Task.CompletedTask;
            });

            // After the responses above, which pass the limiter too when the endpoint gives them.
            RateLimiting.RateLimitOpenApi.Describe(options);
            EvidenceOpenApi.Describe(options);
            ApiDocsLimits.Describe(options);
            ApiDocsContract.Describe(options);
        });
        return builder;
    }

    private static OpenApiResponse Problem(OpenApiDocument? document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ApiDocsContract.ProblemSchema, document) },
        },
    };

    private static OpenApiResponse Unavailable(OpenApiDocument? document)
    {
        var response = Problem(document,
            "The database cannot take the request now: unreachable, locked, read-only or full (database_unavailable). "
            + "Nothing was changed; send it again after the seconds in Retry-After.");
        response.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before sending the request again (Database:RetryAfterSeconds).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
        };
        return response;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        // Only under /swagger: the UI's middleware tests every request's path against its patterns, lookups included.
        app.UseWhen(
            static context => context.Request.Path.StartsWithSegments(Security.SecurityHeaders.SwaggerPath, StringComparison.OrdinalIgnoreCase),
            static swagger => swagger.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint(DocumentPath, "FlagApi v1");
                options.RoutePrefix = Security.SecurityHeaders.SwaggerPath[1..];
                options.DocumentTitle = "FlagApi v1";
            }));
        return app;
    }
}
