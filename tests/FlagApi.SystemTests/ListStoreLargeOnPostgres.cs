using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ListStoreLargeOnPostgres(PostgresTarget target) : ListStoreLargeTests(target), IClassFixture<PostgresTarget>;
