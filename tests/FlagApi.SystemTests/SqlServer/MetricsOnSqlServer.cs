using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

/// <summary>MetricsTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class MetricsOnSqlServer(SqlServerTarget target) : MetricsTests(target), IClassFixture<SqlServerTarget>;
