using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

public sealed class LogsOnPostgres(PostgresTarget target) : LogTests(target), IClassFixture<PostgresTarget>;
