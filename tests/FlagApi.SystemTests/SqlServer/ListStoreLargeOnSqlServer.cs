using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>ListStoreLargeTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class ListStoreLargeOnSqlServer(SqlServerTarget target) : ListStoreLargeTests(target), IClassFixture<SqlServerTarget>;
