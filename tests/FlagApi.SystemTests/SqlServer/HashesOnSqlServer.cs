using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>HashesTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class HashesOnSqlServer(SqlServerTarget target) : HashesTests(target), IClassFixture<SqlServerTarget>;
