using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class FeedOnPostgres(PostgresTarget target) : FeedTests(target), IClassFixture<PostgresTarget>;
