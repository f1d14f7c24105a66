using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>KeysApiTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class KeysApiOnSqlServer(SqlServerTarget target) : KeysApiTests(target), IClassFixture<SqlServerTarget>;
