using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>AppealFlowTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class AppealFlowOnSqlServer(SqlServerTarget target) : AppealFlowTests(target), IClassFixture<SqlServerTarget>;
