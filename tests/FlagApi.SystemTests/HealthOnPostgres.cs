using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class HealthOnPostgres(PostgresTarget target) : HealthTests(target), IClassFixture<PostgresTarget>;
