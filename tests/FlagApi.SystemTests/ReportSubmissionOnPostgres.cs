using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ReportSubmissionOnPostgres(PostgresTarget target) : ReportSubmissionTests(target), IClassFixture<PostgresTarget>;
