using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ListsApiOnPostgres(PostgresTarget target) : ListsApiTests(target), IClassFixture<PostgresTarget>;
