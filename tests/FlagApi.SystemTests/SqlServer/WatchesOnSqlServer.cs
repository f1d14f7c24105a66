using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>WatchTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class WatchesOnSqlServer(SqlServerTarget target) : WatchTests(target), IClassFixture<SqlServerTarget>;
