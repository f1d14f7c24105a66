using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>RekeyingTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class RekeyingOnSqlServer(SqlServerTarget target) : RekeyingTests(target), IClassFixture<SqlServerTarget>;
