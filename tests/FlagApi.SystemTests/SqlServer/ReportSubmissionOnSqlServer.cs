using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>ReportSubmissionTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class ReportSubmissionOnSqlServer(SqlServerTarget target) : ReportSubmissionTests(target), IClassFixture<SqlServerTarget>;
