using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ListStoreOnPostgres(PostgresTarget target) : ListStoreTests(target), IClassFixture<PostgresTarget>;
