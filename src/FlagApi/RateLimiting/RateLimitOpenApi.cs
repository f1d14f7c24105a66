using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FlagApi.RateLimiting;

/// <summary>
/// Documents the rate-limit headers on a limited operation's successes and on its 429. Its other
/// errors carry them too when the limiter has already run, but a 401 or 403 is answered before.
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
            if (response is not OpenApiResponse concrete || !(status.StartsWith('2') || status == "429"))
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
                concrete.Headers["Retry-After"] = Header("Seconds to wait before the budget has a request again.", JsonSchemaType.Integer);
            }
        }

        return Task.CompletedTask;
    });

    private static OpenApiHeader Header(string description, JsonSchemaType type) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };
}
