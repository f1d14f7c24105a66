using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>MigrationTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class MigrationsOnSqlServer(SqlServerTarget target) : MigrationTests(target), IClassFixture<SqlServerTarget>;
