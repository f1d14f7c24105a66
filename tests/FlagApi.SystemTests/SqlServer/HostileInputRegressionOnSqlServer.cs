using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Fuzzing;

/// <summary>HostileInputRegressionTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class HostileInputRegressionOnSqlServer(SqlServerTarget target) : HostileInputRegressionTests(target), IClassFixture<SqlServerTarget>;
