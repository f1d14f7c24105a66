using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

public sealed class TracingOnPostgres(PostgresTarget target) : TracingTests(target), IClassFixture<PostgresTarget>;
