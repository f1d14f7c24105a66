using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>EntriesApiTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class EntriesApiOnSqlServer(SqlServerTarget target) : EntriesApiTests(target), IClassFixture<SqlServerTarget>;
