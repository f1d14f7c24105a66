using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class LookupApiOnPostgres(PostgresTarget target) : LookupApiTests(target), IClassFixture<PostgresTarget>;
