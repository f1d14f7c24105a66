using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class PrefixFeedOnPostgres(PostgresTarget target) : PrefixFeedTests(target), IClassFixture<PostgresTarget>;
