using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class KeysApiOnPostgres(PostgresTarget target) : KeysApiTests(target), IClassFixture<PostgresTarget>;
