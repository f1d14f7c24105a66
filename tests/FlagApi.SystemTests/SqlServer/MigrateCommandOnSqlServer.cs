using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>MigrateCommandTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class MigrateCommandOnSqlServer(SqlServerTarget target) : MigrateCommandTests(target), IClassFixture<SqlServerTarget>;
