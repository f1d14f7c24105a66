using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class AppealFlowOnPostgres(PostgresTarget target) : AppealFlowTests(target), IClassFixture<PostgresTarget>;
