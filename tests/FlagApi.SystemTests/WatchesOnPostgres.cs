using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class WatchesOnPostgres(PostgresTarget target) : WatchTests(target), IClassFixture<PostgresTarget>;
