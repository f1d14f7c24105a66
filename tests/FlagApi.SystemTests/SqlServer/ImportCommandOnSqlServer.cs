using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>ImportCommandTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class ImportCommandOnSqlServer(SqlServerTarget target) : ImportCommandTests(target), IClassFixture<SqlServerTarget>;
