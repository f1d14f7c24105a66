using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>HashPrefixCopyTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class HashPrefixCopyOnSqlServer(SqlServerTarget target) : HashPrefixCopyTests(target), IClassFixture<SqlServerTarget>;
