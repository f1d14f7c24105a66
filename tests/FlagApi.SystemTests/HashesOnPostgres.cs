using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class HashesOnPostgres(PostgresTarget target) : HashesTests(target), IClassFixture<PostgresTarget>;
