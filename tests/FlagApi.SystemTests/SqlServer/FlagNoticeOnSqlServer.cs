using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>FlagNoticeTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class FlagNoticeOnSqlServer(SqlServerTarget target) : FlagNoticeTests(target), IClassFixture<SqlServerTarget>;
