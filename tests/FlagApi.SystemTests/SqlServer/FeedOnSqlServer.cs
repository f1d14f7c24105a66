using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>FeedTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class FeedOnSqlServer(SqlServerTarget target) : FeedTests(target), IClassFixture<SqlServerTarget>;
