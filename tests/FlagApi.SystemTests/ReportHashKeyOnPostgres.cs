using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ReportHashKeyOnPostgres(PostgresTarget target) : ReportHashKeyTests(target), IClassFixture<PostgresTarget>;
