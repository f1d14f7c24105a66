using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class HashPrefixCopyOnPostgres(PostgresTarget target) : HashPrefixCopyTests(target), IClassFixture<PostgresTarget>;
