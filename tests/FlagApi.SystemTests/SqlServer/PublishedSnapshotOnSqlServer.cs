using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>PublishedSnapshotTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class PublishedSnapshotOnSqlServer(SqlServerTarget target) : PublishedSnapshotTests(target), IClassFixture<SqlServerTarget>;
