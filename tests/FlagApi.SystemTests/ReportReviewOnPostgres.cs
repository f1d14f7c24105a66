using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ReportReviewOnPostgres(PostgresTarget target) : ReportReviewTests(target), IClassFixture<PostgresTarget>;
