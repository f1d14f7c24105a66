using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>BulkWriteTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class BulkWriteOnSqlServer(SqlServerTarget target) : BulkWriteTests(target), IClassFixture<SqlServerTarget>;
