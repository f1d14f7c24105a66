using Microsoft.AspNetCore.Mvc;

namespace FlagApi.RateLimiting;

/// <summary>
/// Endpoint metadata naming which of a caller's budgets a request spends. Each caller has one
/// budget per kind, so a flood of lookups never blocks a publisher's writes or an appellant's appeal.
/// </summary>
public sealed record RateLimitBudget
{
    public static readonly RateLimitBudget Lookup = new("lookup");

    public static readonly RateLimitBudget Write = new("write");

    public static readonly RateLimitBudget Appeal = new("appeal");

    /// <summary>Community reports: their own budget, so reporting never eats into lookups and an app forwarding its users' reports needs a high one.</summary>
    public static readonly RateLimitBudget Report = new("report");

    private RateLimitBudget(string name) => Name = name;

    /// <summary>The policy name in the <c>RateLimit-Policy</c> and <c>RateLimit</c> headers.</summary>
    public string Name { get; }

    public static IReadOnlyList<RateLimitBudget> All { get; } = [Lookup, Write, Appeal, Report];

    public override string ToString() => Name;
}

public static class RateLimitBudgetExtensions
{
    /// <summary>
    /// Limits the endpoint, or every endpoint of the group, by the caller's <paramref name="budget"/>
    /// and declares the 429 in the OpenAPI document. An endpoint's own budget overrides its group's.
    /// </summary>
    public static TBuilder WithRateLimitBudget<TBuilder>(this TBuilder builder, RateLimitBudget budget)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(budget);
        builder.WithMetadata(budget);

        // What spends the lookup budget only reads, whatever its method: its requests are logged as reads.
        if (budget == RateLimitBudget.Lookup)
        {
            builder.WithMetadata(Observability.OnlyReads.Instance);
        }

        // Last, so the document lists the 429 after the endpoint's own responses.
        builder.Finally(endpoint => endpoint.Metadata.Add(
            new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), ["application/problem+json"])));
        return builder;
    }
}
