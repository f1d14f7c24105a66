using FlagApi.Data;
using FlagApi.Lookup;
using FlagApi.Problems;
using FlagApi.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FlagApi.Reports;

/// <summary>Community reports from anyone: <c>POST /v1/reports</c>. Reviewers' reading and deciding is elsewhere.</summary>
public static class ReportEndpoints
{
    /// <summary>Call after <c>AddLists</c>: the report signal loads in a hosted service that needs the schema brought up to date first.</summary>
    public static IHostApplicationBuilder AddReportSubmission(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<ReportApiLimits>();
        builder.Services.AddOptions<ReportsOptions>()
            .BindConfiguration(ReportsOptions.Section)
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Reports:PollInterval must be positive.")
            .Validate(o => o.HashKey.Length is 0 or >= 16, "Reports:HashKey must be empty (generated and kept in the data folder) or at least 16 characters.")
            .Validate<IOptions<DatabaseOptions>>(
                (o, database) => o.HashKey.Length > 0 || database.Value.Provider == DatabaseProvider.Sqlite,
                "Reports:HashKey must be set (at least 16 characters, the same on every instance) when Database:Provider is Postgres or SqlServer: "
                + "a key generated in one instance's data folder would make every other instance count the same reporter again.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReporterHasher>();
        builder.Services.AddSingleton<ReportIndex>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReportIndex>());
        builder.Services.AddSingleton<IChangeFollower>(sp => sp.GetRequiredService<ReportIndex>());
        builder.Services.AddSingleton<IReportSignals>(sp => sp.GetRequiredService<ReportIndex>());
        builder.Services.AddScoped<ReportSubmissionService>();
        builder.Services.AddEvidenceList<ReportRequest, ReportEvidenceItem>(ReportSubmissionService.MaxEvidenceTextLength);
        return builder;
    }

    public static IEndpointRouteBuilder MapReportSubmission(this IEndpointRouteBuilder app)
    {
        // Resolve the hash key before the first report: a data folder that cannot be written stops the start instead.
        app.ServiceProvider.GetRequiredService<ReporterHasher>().EnsureKey();

        var group = app.MapGroup("/v1/reports").WithTags("Reports");

        group.MapPost("/", SubmitReport)
            .WithName("SubmitReport")
            .WithSummary("Report a number, URL, domain, app or account (anyone; no key needed)")
            .WithDescription("""
                Body: `{kind, value, category?, description, occurredAt?, evidence?[]}`; evidence items are `{"type":"text","text":…}`
                or `{"type":"link","url":"https://…"}`, or a plain string, taken as the text item holding it (same limits). Answers 202 `{id, kind, canonical, status: "received"}`. A report never
                flags by itself: lookups show the distinct reporters of an identifier as `reports`, beside the verdict, until a
                reviewer accepts them. The same reporter (an address, or an IPv6 /64; a key; for an app key, the `reporterId` it
                forwards for its user, ignored from other callers) reporting the same identifier again updates its report and is
                counted once, with the same id. 400 codes: unknown_kind, missing_value, invalid_<kind>, missing_description,
                description_too_long (over 2000 characters), invalid_description (binary content or control characters other
                than newlines and tabs), invalid_category, invalid_occurred_at (unreadable, in the future or over a year ago),
                invalid_reporter_id, invalid_evidence, invalid_link, too_many_evidence, evidence_too_long.
                """)
            .Accepts<ReportRequest>("application/json")
            .WithRateLimitBudget(RateLimitBudget.Report)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        return app;
    }

    public static async Task<Results<Accepted<ReportReceived>, ProblemHttpResult>> SubmitReport(
        ReportRequest request, HttpContext context, ReportSubmissionService reports, CancellationToken cancellationToken) =>
        // No Location: the report is for reviewers to read, not its sender.
        TypedResults.Accepted((string?)null, await reports.SubmitAsync(request, context.User, context.Connection.RemoteIpAddress, cancellationToken));
}
