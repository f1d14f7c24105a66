using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

/// <summary>CrossOriginTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class CrossOriginOnSqlServer(SqlServerTarget target) : CrossOriginTests(target), IClassFixture<SqlServerTarget>;
