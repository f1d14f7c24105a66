using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

/// <summary>LogTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class LogsOnSqlServer(SqlServerTarget target) : LogTests(target), IClassFixture<SqlServerTarget>;
