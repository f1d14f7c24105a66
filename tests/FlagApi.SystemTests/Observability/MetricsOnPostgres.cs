using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

public sealed class MetricsOnPostgres(PostgresTarget target) : MetricsTests(target), IClassFixture<PostgresTarget>;
