using Microsoft.OpenApi;

namespace FlagApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> (checked in as <c>openapi/v1.json</c>) and Swagger UI at <c>/swagger</c>.</summary>
public static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
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
                document.Servers = [new OpenApiServer { Url = "/", Description = "The host serving this document" }];
                document.Tags = new HashSet<OpenApiTag>(
                    (document.Tags ?? new HashSet<OpenApiTag>()).Concat([
                        new OpenApiTag { Name = "Lookup", Description = "Is this identifier flagged?" },
                        new OpenApiTag { Name = "Health", Description = "Liveness and readiness probes." },
                    ]).DistinctBy(t => t.Name));
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint(DocumentPath, "FlagApi v1");
            options.RoutePrefix = "swagger";
            options.DocumentTitle = "FlagApi v1";
        });
        return app;
    }
}
