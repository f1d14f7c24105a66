using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

/// <summary>TracingTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class TracingOnSqlServer(SqlServerTarget target) : TracingTests(target), IClassFixture<SqlServerTarget>;
