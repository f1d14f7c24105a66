using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>LookupApiTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class LookupApiOnSqlServer(SqlServerTarget target) : LookupApiTests(target), IClassFixture<SqlServerTarget>;
