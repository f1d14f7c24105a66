using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

/// <summary>SecurityHeadersTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class SecurityHeadersOnSqlServer(SqlServerTarget target) : SecurityHeadersTests(target), IClassFixture<SqlServerTarget>;
