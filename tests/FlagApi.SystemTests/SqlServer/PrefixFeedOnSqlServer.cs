using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>PrefixFeedTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class PrefixFeedOnSqlServer(SqlServerTarget target) : PrefixFeedTests(target), IClassFixture<SqlServerTarget>;
