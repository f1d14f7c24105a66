using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>ListsApiTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class ListsApiOnSqlServer(SqlServerTarget target) : ListsApiTests(target), IClassFixture<SqlServerTarget>;
