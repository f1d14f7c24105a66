using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class MigrationsOnPostgres(PostgresTarget target) : MigrationTests(target), IClassFixture<PostgresTarget>;
