using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>MessageCheckApiTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class MessageCheckApiOnSqlServer(SqlServerTarget target) : MessageCheckApiTests(target), IClassFixture<SqlServerTarget>;
