using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class RekeyingOnPostgres(PostgresTarget target) : RekeyingTests(target), IClassFixture<PostgresTarget>;
