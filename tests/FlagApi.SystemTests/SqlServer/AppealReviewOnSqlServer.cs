using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>AppealReviewTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class AppealReviewOnSqlServer(SqlServerTarget target) : AppealReviewTests(target), IClassFixture<SqlServerTarget>;
