using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ProtectionOnPostgres(PostgresTarget target) : ProtectionTests(target), IClassFixture<PostgresTarget>;
