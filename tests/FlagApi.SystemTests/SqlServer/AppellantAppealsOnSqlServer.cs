using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>AppellantAppealsTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class AppellantAppealsOnSqlServer(SqlServerTarget target) : AppellantAppealsTests(target), IClassFixture<SqlServerTarget>;
