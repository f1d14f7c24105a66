using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>ReportHashKeyTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class ReportHashKeyOnSqlServer(SqlServerTarget target) : ReportHashKeyTests(target), IClassFixture<SqlServerTarget>;
