using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>HealthTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class HealthOnSqlServer(SqlServerTarget target) : HealthTests(target), IClassFixture<SqlServerTarget>;
