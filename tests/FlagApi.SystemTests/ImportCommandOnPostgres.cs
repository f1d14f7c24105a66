using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ImportCommandOnPostgres(PostgresTarget target) : ImportCommandTests(target), IClassFixture<PostgresTarget>;
