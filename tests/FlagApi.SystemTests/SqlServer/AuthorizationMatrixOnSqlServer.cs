using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

/// <summary>AuthorizationMatrixTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class AuthorizationMatrixOnSqlServer(SqlServerTarget target) : AuthorizationMatrixTests(target), IClassFixture<SqlServerTarget>;
