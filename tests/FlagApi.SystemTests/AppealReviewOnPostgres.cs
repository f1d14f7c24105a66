using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class AppealReviewOnPostgres(PostgresTarget target) : AppealReviewTests(target), IClassFixture<PostgresTarget>;
