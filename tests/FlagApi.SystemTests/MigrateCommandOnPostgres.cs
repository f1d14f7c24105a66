using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class MigrateCommandOnPostgres(PostgresTarget target) : MigrateCommandTests(target), IClassFixture<PostgresTarget>;
