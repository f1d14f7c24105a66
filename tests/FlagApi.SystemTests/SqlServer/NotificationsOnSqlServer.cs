using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>NotificationTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class NotificationsOnSqlServer(SqlServerTarget target) : NotificationTests(target), IClassFixture<SqlServerTarget>;
