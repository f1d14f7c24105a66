using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class StatsOnPostgres(PostgresTarget target) : StatsTests(target), IClassFixture<PostgresTarget>;
