using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FlagApi.RateLimiting;

/// <summary>
/// Documents the rate-limit headers on every response of a limited operation that passes the limiter:
/// all but a 401 or 403 (authentication and authorization answer before it) and a 413 for a declared
/// length over the limit (refused before routing to the limiter). <c>.spectral.yaml</c> checks them.
/// </summary>
internal static class RateLimitOpenApi
{
    public static void Describe(OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        var budget = context.Description.ActionDescriptor.EndpointMetadata.OfType<RateLimitBudget>().LastOrDefault();
        if (budget is null || operation.Responses is null)
        {
            return Task.CompletedTask;
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete || status is "401" or "403" or "413")
            {
                continue;
            }

            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            concrete.Headers[RateLimitMiddleware.HeaderPolicy] = Header(
                $"The caller's {budget} budget, draft-ietf-httpapi-ratelimit-headers: quota q requests per window w seconds, e.g. \"{budget}\";q=60;w=60.",
                JsonSchemaType.String);
            concrete.Headers[RateLimitMiddleware.HeaderLimit] = Header(
                $"What is left of it: r requests, the next one back within t seconds, e.g. \"{budget}\";r=59;t=1.",
                JsonSchemaType.String);
            if (status == "429")
            {
                concrete.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before the budget has a request again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1", Maximum = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                };
            }
        }

        return Task.CompletedTask;
    });

    private static OpenApiHeader Header(string description, JsonSchemaType type) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };
}
