using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>StatsTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class StatsOnSqlServer(SqlServerTarget target) : StatsTests(target), IClassFixture<SqlServerTarget>;
