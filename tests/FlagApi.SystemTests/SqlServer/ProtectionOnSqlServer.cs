using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>ProtectionTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class ProtectionOnSqlServer(SqlServerTarget target) : ProtectionTests(target), IClassFixture<SqlServerTarget>;
