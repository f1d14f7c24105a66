using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>IndexSnapshotTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class IndexSnapshotOnSqlServer(SqlServerTarget target) : IndexSnapshotTests(target), IClassFixture<SqlServerTarget>;
