using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>ReportReviewTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class ReportReviewOnSqlServer(SqlServerTarget target) : ReportReviewTests(target), IClassFixture<SqlServerTarget>;
