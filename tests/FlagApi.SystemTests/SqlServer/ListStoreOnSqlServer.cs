using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>ListStoreTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class ListStoreOnSqlServer(SqlServerTarget target) : ListStoreTests(target), IClassFixture<SqlServerTarget>;
