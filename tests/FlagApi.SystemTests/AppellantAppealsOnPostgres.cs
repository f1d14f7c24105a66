using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class AppellantAppealsOnPostgres(PostgresTarget target) : AppellantAppealsTests(target), IClassFixture<PostgresTarget>;
